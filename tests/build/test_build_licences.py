"""The notices cover what the app needs at run time and nothing test-only: the set make_notices.py hands to
pip-licenses is the closure of the app's requirements without the test/build extras (checked here, fast)."""

from __future__ import annotations

import sys

from tests.build.build_helpers import ROOT

sys.path.insert(0, str(ROOT / "build"))
from bundle_parts import NEVER_SHIPPED, canonical, licence_datas, runtime_distributions  # noqa: E402


def test_runtime_closure_has_the_features_and_no_test_or_build_package():
    names = set(runtime_distributions())
    assert {"pyside6-essentials", "obd", "asammdf", "chromadb", "reportlab", "pypdf", "can-isotp", "udsoncan", "argon2-cffi",
            "cryptography", "rfc8785", "desktop-notifier", "paho-mqtt", "ortools"} <= names
    assert names.isdisjoint({canonical(n) for n in NEVER_SHIPPED})
    assert "elm327-emulator" not in names and "pytest" not in names


def test_windows_closure_adds_the_credential_manager_dependency():
    from packaging.markers import default_environment

    windows = {**default_environment(), "sys_platform": "win32", "platform_system": "Windows", "os_name": "nt"}
    assert "pywin32-ctypes" in runtime_distributions(environment=windows)
    assert "pywin32-ctypes" not in runtime_distributions() or sys.platform == "win32"


def test_licence_files_go_to_licences_and_record_the_readings():
    shipped = {p.split("/")[-1] for p, dest in licence_datas(ROOT) if dest == "licences"}
    assert {"LICENSE", "LGPL-3.0.txt", "README.md"} <= shipped
    readme = (ROOT / "build" / "licences" / "README.md").read_text()
    assert "GPL-2.0-or-later" in readme and "python-OBD" in readme and "CC-BY-NC-SA" in readme
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in (ROOT / "build" / "licences" / "LGPL-3.0.txt").read_text()


def lock_pins(path):
    import re

    return {canonical(n): v for n, v in re.findall(r"^([A-Za-z0-9_.\-]+)==([^ \\;]+)", path.read_text(), re.M)}


def test_make_run_environment_has_the_app_pins_and_no_test_or_build_package():
    """`make run` installs requirements-run.lock: every pin as in requirements.lock (what CI tested), nothing test-only."""
    full, run = lock_pins(ROOT / "requirements.lock"), lock_pins(ROOT / "requirements-run.lock")
    assert {name: full.get(name) for name in run} == run
    assert run.keys().isdisjoint({canonical(n) for n in NEVER_SHIPPED})
    assert set(runtime_distributions()) <= run.keys()
    # and the full lock's only additions over it are the test and build extras' packages
    assert {"elm327-emulator", "pytest", "pyinstaller", "pip-licenses"} <= full.keys() - run.keys()
    makefile = (ROOT / "Makefile").read_text()
    assert "run: $(RUN_STAMP)\n\t$(RUN_VENV)/bin/carvrooom" in makefile and "-c $(LOCK) -o $(RUN_LOCK)" in makefile
