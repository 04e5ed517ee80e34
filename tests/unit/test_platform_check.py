"""The Linux display check before Qt starts: which xcb libraries are missing, the install commands, no core dump."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import pytest

from carvrooom_desktop import platform_check as pc

LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f71)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-shape.so.0 => not found
\tlibxcb-randr.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibfoo-unknown.so.7 => not found
"""


def test_ldd_output_gives_the_missing_libraries_once_in_order(tmp_path):
    plugin = tmp_path / "libqxcb.so"
    assert pc.missing_xcb_libraries(plugin, ldd=lambda p: LDD_OUTPUT) == [
        "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-shape.so.0", "libxcb-randr.so.0", "libfoo-unknown.so.7"]


def test_without_ldd_each_known_library_is_loaded():
    present = {"libxcb-icccm.so.4", "libEGL.so.1"}
    missing = pc.missing_xcb_libraries(None, ldd=lambda p: None, can_load=lambda name: name in present)
    assert "libxcb-icccm.so.4" not in missing and "libEGL.so.1" not in missing
    assert {"libxcb-cursor.so.0", "libxkbcommon-x11.so.0", "libdbus-1.so.3"} <= set(missing)
    assert "libxcb-xinerama.so.0" not in missing  # Qt 6's plugin does not link it: never asked for


def test_every_library_maps_to_a_debian_and_a_fedora_package():
    message = pc.missing_libraries_message(["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0",
                                            "libxkbcommon-x11.so.0", "libxcb-shape.so.0", "libxcb-randr.so.0",
                                            "libEGL.so.1", "libfontconfig.so.1", "libdbus-1.so.3"])
    assert ("sudo apt install libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 libxcb-shape0 "
            "libxcb-randr0 libegl1 libfontconfig1 libdbus-1-3") in message
    # libxcb-shape and libxcb-randr are both in Fedora's libxcb: named once
    assert ("sudo dnf install xcb-util-wm xcb-util-keysyms xcb-util-cursor libxkbcommon-x11 libxcb libglvnd-egl "
            "fontconfig dbus-libs") in message
    assert message.startswith("the Qt xcb platform plugin needs system libraries that are not installed: libxcb-icccm.so.4, ")
    for name in pc.KNOWN_XCB_LIBRARIES:
        assert name in pc.XCB_LIBRARY_PACKAGES


def test_an_unknown_library_gets_a_way_to_find_its_package():
    message = pc.missing_libraries_message(["libfoo-unknown.so.7"])
    assert "apt-file search libfoo-unknown.so.7" in message and "dnf provides '*/libfoo-unknown.so.7'" in message
    assert "sudo apt install" not in message


@pytest.mark.parametrize(("env", "tries_xcb"), [
    ({}, True),  # X11 by default
    ({"DISPLAY": ":0"}, True),
    ({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":99"}, True),
    ({"QT_QPA_PLATFORM": "offscreen"}, False),
    ({"QT_QPA_PLATFORM": "minimal", "DISPLAY": ":0"}, False),
    ({"WAYLAND_DISPLAY": "wayland-0"}, False),  # Qt 6 tries wayland first on a Wayland session
    ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, False),
    ({"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0"}, True),  # wayland without a compositor fails, xcb is next
    ({"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":0"}, True),
    ({"QT_QPA_PLATFORM": "wayland;xcb", "WAYLAND_DISPLAY": "wayland-0"}, False),
    ({"QT_QPA_PLATFORM": "xcb:nodbus", "DISPLAY": ":0"}, True),
])
def test_when_qt_will_use_the_xcb_plugin(env, tries_xcb):
    assert pc._qt_will_try_xcb(env) is tries_xcb


def _problem(env, *, missing=(), answers=True, platform="linux"):
    return pc.gui_platform_problem(env, platform=platform, missing=lambda: list(missing), display_answers=lambda d: answers)


def test_the_problems_it_reports():
    assert _problem({"DISPLAY": ":0"}) is None
    assert _problem({"DISPLAY": ":0"}, missing=["libxcb-icccm.so.4"], platform="win32") is None
    assert _problem({"DISPLAY": ":0"}, missing=["libxcb-icccm.so.4"], platform="darwin") is None
    assert _problem({"QT_QPA_PLATFORM": "offscreen"}, missing=["libxcb-icccm.so.4"]) is None
    assert _problem({"WAYLAND_DISPLAY": "wayland-0"}, missing=["libxcb-icccm.so.4"]) is None
    assert _problem({pc.SKIP_ENV: "1"}, missing=["libxcb-icccm.so.4"]) is None

    no_display = _problem({})
    assert no_display.startswith("carvrooom: the GUI cannot start: no graphical display: run the CLI (`carvrooom --help`) "
                                 "or set QT_QPA_PLATFORM=offscreen")
    libraries = _problem({"DISPLAY": ":0"}, missing=["libxcb-cursor.so.0"])
    assert "libxcb-cursor.so.0" in libraries and "sudo apt install libxcb-cursor0" in libraries
    assert "sudo dnf install xcb-util-cursor" in libraries and "no graphical display" not in libraries
    both = _problem({}, missing=["libxcb-cursor.so.0"])
    assert "no graphical display" in both and "libxcb-cursor0" in both
    silent = _problem({"DISPLAY": ":7"}, answers=False)
    assert "the X display :7 does not answer" in silent
    assert _problem({"DISPLAY": "localhost:10.0"}, answers=None) is None  # an SSH display is not probed: trust it
    wayland_too = _problem({"DISPLAY": ":0", "WAYLAND_DISPLAY": "w", "QT_QPA_PLATFORM": "xcb"}, missing=["libxcb-icccm.so.4"])
    assert "QT_QPA_PLATFORM=wayland may start without them" in wayland_too


def test_x_display_answers_on_its_socket():
    assert pc.x_display_answers("localhost:10.0") is None
    assert pc.x_display_answers("nonsense") is None
    assert pc.x_display_answers(":987654") is False  # nobody listens there


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux's")
def test_the_real_plugin_is_found_and_read():
    plugin = pc.xcb_plugin_path()
    assert plugin is not None and plugin.name == "libqxcb.so"
    if shutil.which("ldd"):
        assert "libxcb.so.1" in (pc.run_ldd(plugin) or "")


def _gui(env_changes: dict[str, str | None], tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "CARVROOOM_HOME": str(tmp_path / "home")}
    for key in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE", pc.SKIP_ENV):
        env.pop(key, None)
    env.update({k: v for k, v in env_changes.items() if v is not None})
    return subprocess.run([sys.executable, "-m", "carvrooom_desktop", "gui"], env=env, capture_output=True, text=True,
                          timeout=120, preexec_fn=_no_core_files)


def _no_core_files() -> None:  # should Qt abort after all, do not litter the disk
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux's")
def test_real_gui_start_on_a_display_without_its_libraries_explains_and_exits_3(tmp_path):
    """This machine has no X server on :99 (and, unless someone installed them, lacks libxcb-icccm4 and
    libxcb-keysyms1): Qt alone aborts with SIGABRT here; the app must name the problem and exit 3."""
    if pc.x_display_answers(":99"):
        pytest.skip("an X server listens on :99")
    missing = pc.missing_xcb_libraries()
    result = _gui({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":99"}, tmp_path)
    assert result.returncode == pc.EXIT_NO_DISPLAY, (result.returncode, result.stderr[-2000:])
    assert result.returncode != -signal.SIGABRT and "Aborted" not in result.stderr
    assert result.stderr.startswith("carvrooom: the GUI cannot start: "), result.stderr
    if missing:
        assert "needs system libraries that are not installed: " + ", ".join(missing) in result.stderr
        assert "Debian/Ubuntu: sudo apt install " in result.stderr and "Fedora:        sudo dnf install " in result.stderr
    else:
        assert "the X display :99 does not answer" in result.stderr
    assert "qt.qpa.plugin" not in result.stderr  # Qt never got to try


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux's")
def test_real_gui_start_without_any_display_says_so(tmp_path):
    result = _gui({}, tmp_path)
    assert result.returncode == pc.EXIT_NO_DISPLAY, (result.returncode, result.stderr[-2000:])
    assert "no graphical display: run the CLI (`carvrooom --help`) or set QT_QPA_PLATFORM=offscreen" in result.stderr
