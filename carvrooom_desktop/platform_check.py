"""Before the QApplication exists: will Qt find a screen on this Linux desktop, and if not, why?

Qt aborts the process (SIGABRT, a core dump on many systems) when no platform plugin
loads; the commonest reasons on a fresh Linux install are a system library the xcb plugin
links to (``libxcb-cursor0``, ``libxcb-icccm4``, ...) and no display at all (SSH, a
service, a container). :func:`gui_platform_problem` finds both without importing Qt and
returns one message that names the missing libraries and the install command for
Debian/Ubuntu and Fedora; ``app.run_gui`` prints it and exits with
:data:`EXIT_NO_DISPLAY` instead of letting Qt abort.

Qt-free on purpose (a core module). Only Linux (and other non-macOS Unix) is checked;
Windows and macOS have no xcb plugin.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

EXIT_NO_DISPLAY = 3
SKIP_ENV = "CARVROOOM_SKIP_DISPLAY_CHECK"  # "1": trust Qt (should this check ever be wrong)

# The shared libraries the PySide6 xcb plugin (and the Qt libraries under it) load, with the
# package that ships each: (Debian/Ubuntu, Fedora). Taken from `ldd libqxcb.so` (PySide6 6.11)
# and Qt's "Qt for X11 Requirements" page.
XCB_LIBRARY_PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-glx.so.0": ("libxcb-glx0", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
}
# Tried one by one with ctypes when ldd is not there (musl, minimal images) or the plugin is not found.
# Not libxcb-xinerama.so.0: Qt 5 needed it, the Qt 6 xcb plugin does not link it (ldd), so a
# system without it must not be told to install it.
KNOWN_XCB_LIBRARIES = (
    "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0", "libxkbcommon-x11.so.0", "libxcb-shape.so.0",
    "libxcb-randr.so.0", "libxcb-render-util.so.0", "libxcb-image.so.0", "libxcb-xkb.so.1",
    "libEGL.so.1", "libGL.so.1", "libfontconfig.so.1", "libdbus-1.so.3",
)
NO_DISPLAY = "no graphical display: run the CLI (`carvrooom --help`) or set QT_QPA_PLATFORM=offscreen"
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def gui_platform_problem(environ: Mapping[str, str] | None = None, *, platform: str | None = None,
                         missing: Callable[[], list[str]] | None = None,
                         display_answers: Callable[[str], bool | None] | None = None) -> str | None:
    """Why Qt will not get a screen here (one message for the technician), or ``None`` if it should.

    ``missing`` and ``display_answers`` default to the real probes (:func:`missing_xcb_libraries`,
    :func:`x_display_answers`); tests pass fakes.
    """
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if env.get(SKIP_ENV) == "1" or not _uses_xcb_plugin_platforms(platform):
        return None
    if not _qt_will_try_xcb(env):
        return None
    problems: list[str] = []
    display = env.get("DISPLAY", "")
    if not display:
        problems.append(NO_DISPLAY + (" (WAYLAND_DISPLAY is set but QT_QPA_PLATFORM asks for xcb, which needs DISPLAY)"
                                      if env.get("WAYLAND_DISPLAY") else ""))
    absent = (missing or missing_xcb_libraries)()
    if absent:
        problems.append(missing_libraries_message(absent, wayland=bool(env.get("WAYLAND_DISPLAY"))))
    if display and not absent and (display_answers or x_display_answers)(display) is False:
        problems.append(f"the X display {display} does not answer (is an X server running there?); "
                        "run the CLI (`carvrooom --help`) or set QT_QPA_PLATFORM=offscreen")
    if not problems:
        return None
    return "carvrooom: the GUI cannot start: " + "\n\n".join(problems) + f"\n(set {SKIP_ENV}=1 to let Qt try anyway)"


def _uses_xcb_plugin_platforms(platform: str) -> bool:
    return not (platform.startswith(("win", "cygwin", "msys", "darwin", "emscripten", "wasi", "ios", "android")))


def _qt_will_try_xcb(env: Mapping[str, str]) -> bool:
    """Mirror Qt 6's choice: QT_QPA_PLATFORM (a ``;`` list, first that loads), else wayland first on a
    Wayland session (WAYLAND_DISPLAY or XDG_SESSION_TYPE=wayland), then xcb."""
    wanted = env.get("QT_QPA_PLATFORM", "").strip()
    if wanted:
        candidates = [part.split(":", 1)[0].strip().lower() for part in wanted.split(";") if part.strip()]
    elif env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE", "").lower() == "wayland":
        candidates = ["wayland", "xcb"]
    else:
        candidates = ["xcb"]
    for name in candidates:
        if name == "xcb":
            return True
        if name.startswith("wayland") and not env.get("WAYLAND_DISPLAY"):
            continue  # Qt tries it, fails without a compositor, and goes on to the next
        return False  # wayland with a compositor, offscreen, minimal, eglfs, vnc...: not ours to judge
    return False


def missing_libraries_message(libraries: list[str], *, wayland: bool = False) -> str:
    debian, fedora, unknown = [], [], []
    for name in libraries:
        packages = XCB_LIBRARY_PACKAGES.get(name)
        if packages is None:
            unknown.append(name)
            continue
        if packages[0] not in debian:
            debian.append(packages[0])
        if packages[1] not in fedora:
            fedora.append(packages[1])
    lines = [f"the Qt xcb platform plugin needs system libraries that are not installed: {', '.join(libraries)}"]
    if debian:
        lines.append(f"  Debian/Ubuntu: sudo apt install {' '.join(debian)}")
        lines.append(f"  Fedora:        sudo dnf install {' '.join(fedora)}")
    for name in unknown:
        lines.append(f"  {name}: find its package with `apt-file search {name}` or `dnf provides '*/{name}'`")
    lines.append("The headless CLI works without them (`carvrooom --help`).")
    if wayland:
        lines.append("This looks like a Wayland session: QT_QPA_PLATFORM=wayland may start without them.")
    return "\n".join(lines)


def xcb_plugin_path() -> Path | None:
    """PySide6's ``libqxcb.so`` (in a PyInstaller bundle too), found without importing PySide6."""
    roots: list[Path] = []
    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        spec = None
    if spec is not None:
        roots += [Path(p) for p in (spec.submodule_search_locations or ())]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        roots.append(Path(bundle) / "PySide6")
    for root in roots:
        for candidate in (root / "Qt" / "plugins" / "platforms" / "libqxcb.so", root / "plugins" / "platforms" / "libqxcb.so"):
            if candidate.is_file():
                return candidate
    return None


def missing_xcb_libraries(plugin: Path | None = None, *, ldd: Callable[[Path], str | None] | None = None,
                          can_load: Callable[[str], bool] | None = None) -> list[str]:
    """The libraries the xcb plugin cannot load: ``ldd`` on the plugin when both exist, else a
    ``ctypes`` load of each library in :data:`KNOWN_XCB_LIBRARIES`."""
    plugin = plugin if plugin is not None else xcb_plugin_path()
    output = (ldd or run_ldd)(plugin) if plugin is not None else None
    if output is not None:
        return list(dict.fromkeys(_NOT_FOUND.findall(output)))
    load = can_load or library_loads
    return [name for name in KNOWN_XCB_LIBRARIES if not load(name)]


def run_ldd(path: Path) -> str | None:
    """``ldd``'s output for ``path``, or ``None`` when ldd is missing or fails."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return None
    try:
        result = subprocess.run([ldd, str(path)], capture_output=True, text=True, timeout=15, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0 and "not found" not in result.stdout:
        return None
    return result.stdout


def library_loads(name: str) -> bool:
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def x_display_answers(display: str, timeout: float = 1.0) -> bool | None:
    """Whether a local X server listens for ``display`` (``:N`` or ``unix:N``); ``None`` when this
    cannot be told cheaply (a TCP display such as ``localhost:10.0`` over SSH, an odd value)."""
    match = re.fullmatch(r"(?:unix)?:(\d+)(?:\.\d+)?", display.strip())
    if match is None or not hasattr(socket, "AF_UNIX"):
        return None
    path = f"/tmp/.X11-unix/X{match.group(1)}"
    for address in ("\0" + path, path):  # Linux X servers listen on the abstract socket and the file
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            try:
                sock.connect(address)
            except OSError:
                continue
            return True
    return False
