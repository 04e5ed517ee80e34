"""What of the Windows installer can be checked on Linux: the spec as it runs on Windows, the Inno Setup script's
entries, where the app keeps its files on Windows (what uninstall may delete) and the keyring backend it gets there.
A Windows machine must still build and run it: build/windows/build_windows.ps1 (see docs/ARCHITECTURE.md)."""

from __future__ import annotations

import re
import sys
from pathlib import Path, PureWindowsPath

import pytest

from carvrooom_desktop import __version__
from tests.build.build_helpers import ROOT, run_spec

ISS = ROOT / "build" / "windows" / "carvrooom.iss"


def sections(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        m = re.fullmatch(r"\[(\w+)\]", line)
        if m:
            current = m.group(1)
            continue
        out.setdefault(current, []).append(line)
    return out


@pytest.fixture(scope="module")
def iss():
    return sections(ISS.read_text(encoding="utf-8"))


def setup_value(iss, key):
    values = [line.split("=", 1)[1] for line in iss["Setup"] if line.split("=", 1)[0] == key]
    assert values, key
    return values[0]


def test_setup_is_per_user_versioned_with_icon_and_app_id(iss):
    assert re.fullmatch(r"\{\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}", setup_value(iss, "AppId"))
    assert setup_value(iss, "PrivilegesRequired") == "lowest"  # no admin rights
    assert setup_value(iss, "AppVersion") == "{#AppVersion}"
    default = re.search(r'#define AppVersion "([^"]+)"', ISS.read_text()).group(1)
    assert default == __version__  # build_windows.ps1 passes the same from carvrooom_desktop/__init__.py
    icon = ISS.parent / PureWindowsPath(setup_value(iss, "SetupIconFile")).as_posix()
    assert icon.resolve() == (ROOT / "build" / "icons" / "carvrooom.ico") and icon.stat().st_size > 1000
    assert (ISS.parent / PureWindowsPath(setup_value(iss, "LicenseFile")).as_posix()).resolve() == ROOT / "LICENSE"
    assert setup_value(iss, "ChangesAssociations") == "yes" and setup_value(iss, "ChangesEnvironment") == "yes"


def test_start_menu_file_types_and_cli_on_path(iss):
    assert any(line.startswith('Name: "{autoprograms}\\{#AppName}"') and "{#AppExe}" in line for line in iss["Icons"])
    registry = "\n".join(iss["Registry"])
    for suffix, progid in ((".blf", "CarVrooom.Log"), (".asc", "CarVrooom.Log"), (".mf4", "CarVrooom.Log"), (".dbc", "CarVrooom.Dbc")):
        assert f'Subkey: "Software\\Classes\\{suffix}\\OpenWithProgids"; ValueType: string; ValueName: "{progid}"' in registry
    assert registry.count('ValueData: """{app}\\{#AppExe}"" ""%1"""') == 2  # both ProgIDs open the file in the app
    assert all(line.startswith("Root: HKA") or line.startswith("Root: HKCU") for line in iss["Registry"])  # never HKLM
    path_entry = [line for line in iss["Registry"] if 'ValueName: "Path"' in line]
    assert path_entry and 'Subkey: "Environment"' in path_entry[0] and "{olddata};{app}" in path_entry[0]
    assert '#define CliExe "carvrooom-cli.exe"' in ISS.read_text()
    code = "\n".join(iss["Code"])
    assert "RemovePath(ExpandConstant('{app}'))" in code  # uninstall takes the PATH entry back


def test_uninstall_keeps_the_data_unless_asked(iss, monkeypatch):
    code = "\n".join(iss["Code"])
    assert "MB_DEFBUTTON2" in code and "not UninstallSilent()" in code  # "No" is the default; silent: keep
    deleted = re.search(r"DataDir := ExpandConstant\('\{localappdata\}\\(.+?)'\);", code).group(1)
    # what the app uses on Windows (platformdirs, as carvrooom_desktop.paths asks it) is exactly that folder
    import platformdirs
    import platformdirs.windows

    from carvrooom_desktop import paths

    monkeypatch.delenv(paths.HOME_ENV, raising=False)
    monkeypatch.setenv("LOCALAPPDATA", "C:\\Users\\tech\\AppData\\Local")
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", lambda csidl: {"CSIDL_LOCAL_APPDATA": "C:\\Users\\tech\\AppData\\Local"}[csidl])
    monkeypatch.setattr(platformdirs, "PlatformDirs", platformdirs.windows.Windows)
    data = PureWindowsPath(str(paths.data_dir()).replace("/", "\\"))
    config = PureWindowsPath(str(paths.config_dir()).replace("/", "\\"))
    log = PureWindowsPath(str(paths.log_dir()).replace("/", "\\"))
    expected = PureWindowsPath("C:\\Users\\tech\\AppData\\Local") / PureWindowsPath(deleted)
    assert data == expected and config == expected
    assert expected in log.parents  # logs inside it too: one folder holds everything the user keeps


def test_spec_on_windows_makes_the_cli_twin_with_the_icon_and_the_credential_manager_backend(monkeypatch):
    import PyInstaller.utils.hooks as hooks

    monkeypatch.setattr(hooks, "collect_submodules", lambda *a, **k: [])  # fast: the imports are checked in test_build_spec
    monkeypatch.setattr(sys, "platform", "win32")
    spec = run_spec()
    exes = {kw["name"]: kw for _, kw in spec.calls["EXE"]}
    assert set(exes) == {"carvrooom", "carvrooom-cli"}
    assert exes["carvrooom"]["console"] is False and exes["carvrooom-cli"]["console"] is True
    assert all(Path(kw["icon"]) == ROOT / "build" / "icons" / "carvrooom.ico" for kw in exes.values())
    (_, analysis), = spec.calls["Analysis"]
    assert {"keyring.backends.Windows", "win32ctypes.pywin32.win32cred"} <= set(analysis["hiddenimports"])


def test_keyring_on_windows_is_the_credential_manager_and_the_lock_brings_its_dependency(monkeypatch):
    lock = (ROOT / "requirements.lock").read_text()
    assert re.search(r"^pywin32-ctypes==[\d.]+ ; sys_platform == 'win32'", lock, re.M)
    import keyring
    import keyring.backends.Windows as windows_backend

    from carvrooom_desktop.config import secret_store

    monkeypatch.setattr(windows_backend, "missing_deps", None)  # as with pywin32-ctypes installed
    backend = windows_backend.WinVaultKeyring()
    assert backend.priority == 5  # keyring's choice on Windows: the highest of the viable backends there
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    assert secret_store._usable()  # the app keeps the Gemini key and database passwords there, not in a file
