"""View > Theme switches palette, stylesheet and plot colours and is remembered."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication


def test_theme_switch_from_the_menu(fake_shell, qtbot, shots):
    window = fake_shell.window
    live = window.show_workspace("live")
    app = QApplication.instance()
    light_window = app.palette().color(QPalette.ColorRole.Window).name()
    window.theme_actions["dark"].trigger()
    assert fake_shell.bench.theme.current.name == "dark"
    assert window.theme_actions["dark"].isChecked()
    assert app.palette().color(QPalette.ColorRole.Window).name() != light_window
    assert "dark theme" in app.styleSheet()
    assert live.plots.backgroundBrush().color().name() == "#14181d"
    assert fake_shell.themes_chosen == ["dark"]
    window.grab().save(str(shots / "dark.png"))
    window.theme_actions["light"].trigger()
    assert app.palette().color(QPalette.ColorRole.Window).name() == light_window
    assert live.plots.backgroundBrush().color().name() == "#ffffff"


def test_unknown_theme_falls_back_to_light(theme_manager):
    assert theme_manager.apply("neon").name == "light"
