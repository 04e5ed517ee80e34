"""Help > About: version, store schema, the GPL notice with the source link (issue 16); screenshot about.png."""

from __future__ import annotations

import pytest

from carvrooom_desktop import __version__
from carvrooom_desktop.storage.migrate import HEAD_REVISION

pytestmark = pytest.mark.gui


def test_about_box_from_the_help_menu(gui, monkeypatch, save_screenshot, qtbot):
    from PySide6.QtWidgets import QMessageBox

    import ui.main_window as main_window
    from ui.about import SOURCE_URL

    shown = []
    monkeypatch.setattr(main_window.QMessageBox, "about", lambda parent, title, text: shown.append((title, text)))
    help_menu = next(a.menu() for a in gui.window.menuBar().actions() if a.text() == "&Help")
    next(a for a in help_menu.actions() if a.text().startswith("&About")).trigger()
    (title, text), = shown
    assert title == "About CarVrooom Desktop"
    assert __version__ in text and HEAD_REVISION in text and SOURCE_URL in text and "version 3 or later" in text

    box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, gui.window)
    box.show()  # what QMessageBox.about shows, without its modal loop
    qtbot.waitExposed(box)
    save_screenshot(box, "about.png")
    box.close()
