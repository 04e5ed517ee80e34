"""The Linux desktop integration files, the About box text and `carvrooom FILE` (what the .desktop entry and the
Windows file association run), checked without a bundle."""

from __future__ import annotations

import configparser
import subprocess
import xml.etree.ElementTree as ET

from carvrooom_desktop import __version__
from carvrooom_desktop.cli.gui import GuiOptions, is_openable
from carvrooom_desktop.storage.migrate import HEAD_REVISION
from tests.build.build_helpers import ROOT

LINUX = ROOT / "build" / "linux"
SUFFIXES = {"*.blf", "*.asc", "*.mf4", "*.dbc"}


def test_desktop_entry_mime_types_and_icon_agree():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(LINUX / "carvrooom.desktop")
    desktop = entry["Desktop Entry"]
    assert desktop["Exec"] == "carvrooom %F" and desktop["Icon"] == "carvrooom" and desktop["Type"] == "Application"
    declared = {t for t in desktop["MimeType"].split(";") if t}
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    types = ET.parse(LINUX / "carvrooom-mime.xml").getroot().findall("m:mime-type", ns)
    assert {t.get("type") for t in types} == declared
    assert {g.get("pattern") for t in types for g in t.findall("m:glob", ns)} == SUFFIXES
    for name in ("carvrooom.png", "carvrooom.svg", "carvrooom.ico"):
        assert (ROOT / "build" / "icons" / name).stat().st_size > 500
    subprocess.run(["sh", "-n", str(LINUX / "install.sh")], check=True)  # POSIX sh syntax


def test_carvrooom_file_opens_it_in_the_gui(monkeypatch):
    import carvrooom_desktop.__main__ as entry
    import carvrooom_desktop.cli as cli
    from carvrooom_desktop.cli import gui

    assert all(is_openable(f"drive{s[1:]}") for s in SUFFIXES) and is_openable("D:\\logs\\Drive.BLF")
    assert not is_openable("scan") and not is_openable("-style") and not is_openable("fusion")
    seen = []
    monkeypatch.setattr(gui, "run", lambda args: seen.append(GuiOptions.from_args(args)) or 0)
    monkeypatch.setattr(cli.gui, "run", gui.run)
    assert entry.main(["/tmp/drive.blf", "car.dbc", "-style", "fusion"]) == 0
    assert seen[-1].files == ("/tmp/drive.blf", "car.dbc") and seen[-1].qt_args == ("-style", "fusion")
    assert GuiOptions.parse(["--seed", "3", "x.mf4"]).files == ("x.mf4",)


def test_about_box_says_version_schema_licence_and_source():
    from ui.about import SOURCE_URL, about_html

    text = about_html("CarVrooom Desktop")
    assert __version__ in text and HEAD_REVISION in text
    assert "version 3 or later" in text and "GPL-3.0-or-later" in text and f'href="{SOURCE_URL}"' in text
    assert "LGPL" in text
