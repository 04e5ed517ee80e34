"""Light and dark themes: a QPalette (Fusion style), a stylesheet and plot colours.

The stylesheets live in ``resources/themes/<name>.qss``; the palette carries the colours
so standard widgets and dialogs follow too. pyqtgraph's global defaults are updated only
if pyqtgraph is already imported (start-up never imports it for the theme); plot widgets
restyle themselves from ``ThemeManager.current`` when ``changed`` fires.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

THEMES_DIR = Path(__file__).resolve().parent.parent / "resources" / "themes"
DEFAULT_THEME = "light"


@dataclass(frozen=True)
class Theme:
    name: str
    label: str
    window: str
    base: str
    alternate: str
    text: str
    muted: str
    accent: str
    accent_text: str
    border: str
    plot_background: str
    plot_foreground: str
    curves: tuple[str, ...]
    # (text, background, border) of the state chips: connection state, pass/FAIL, banners.
    good: tuple[str, str, str] = ("#116329", "#dafbe1", "#4ac26b")
    warn: tuple[str, str, str] = ("#7d4e00", "#fff8c5", "#d4a72c")
    bad: tuple[str, str, str] = ("#a40e26", "#ffebe9", "#ff8182")
    idle: tuple[str, str, str] = ("#656d76", "#eaeef2", "#d0d7de")


THEMES: dict[str, Theme] = {
    "light": Theme(
        name="light",
        label="Light",
        window="#f3f4f6",
        base="#ffffff",
        alternate="#f6f8fa",
        text="#1f2328",
        muted="#656d76",
        accent="#0969da",
        accent_text="#ffffff",
        border="#d0d7de",
        plot_background="#ffffff",
        plot_foreground="#3d444d",
        curves=("#0969da", "#cf222e", "#1a7f37", "#8250df", "#bc4c00", "#1b7c83"),
    ),
    "dark": Theme(
        name="dark",
        label="Dark",
        window="#1c2128",
        base="#14181d",
        alternate="#1f252d",
        text="#e6edf3",
        muted="#9198a1",
        accent="#1f6feb",
        accent_text="#ffffff",
        border="#3d444d",
        plot_background="#14181d",
        plot_foreground="#b7bdc8",
        curves=("#58a6ff", "#ff7b72", "#3fb950", "#d2a8ff", "#ffa657", "#39c5cf"),
        good=("#56d364", "#0f3a1f", "#238636"),
        warn=("#e3b341", "#3b2e0a", "#9e6a03"),
        bad=("#ff9492", "#4a1014", "#da3633"),
        idle=("#9198a1", "#262c36", "#3d444d"),
    ),
}


def palette_for(theme: Theme) -> QPalette:
    p = QPalette()
    role = QPalette.ColorRole
    text, muted = QColor(theme.text), QColor(theme.muted)
    for r, colour in (
        (role.Window, theme.window),
        (role.Base, theme.base),
        (role.AlternateBase, theme.alternate),
        (role.Button, theme.alternate),
        (role.ToolTipBase, theme.base),
        (role.Highlight, theme.accent),
        (role.HighlightedText, theme.accent_text),
        (role.Link, theme.accent),
        (role.Mid, theme.border),
        (role.Dark, theme.border),
    ):
        p.setColor(r, QColor(colour))
    for r in (role.WindowText, role.Text, role.ButtonText, role.ToolTipText, role.BrightText):
        p.setColor(r, text)
    p.setColor(role.PlaceholderText, muted)
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(disabled, r, muted)
    return p


def load_stylesheet(name: str, directory: Path = THEMES_DIR) -> str:
    path = directory / f"{name}.qss"
    try:
        return path.read_text(encoding="utf-8").replace("@THEMES@", directory.as_posix())
    except OSError as exc:
        log.warning("theme stylesheet %s not readable (%s); using the palette only", path, exc)
        return ""


TONES = ("good", "warn", "bad", "idle")
_active: list[Theme] = [THEMES[DEFAULT_THEME]]  # the theme the application shows now


def tone_colour(tone: str) -> str:
    """Text colour of ``tone`` ("good", "warn", "bad", "idle") in the active theme (table cells)."""
    theme = _active[0]
    return getattr(theme, tone, theme.idle)[0] if tone in TONES else theme.text


def state_stylesheet(theme: Theme) -> str:
    """Rules for widgets that show a state by colour (``tone`` property): status chips, banners;
    and checked-but-locked indicators.

    Generated from the theme's colours so the ``.qss`` files need no copy of them.
    """
    rules = []
    for tone in TONES:
        fg, bg, border = getattr(theme, tone)
        rules.append(f'QLabel#StateChip[tone="{tone}"] {{ color: {fg}; background: {bg}; border: 1px solid {border}; }}')
        rules.append(f'QLabel#Banner[tone="{tone}"] {{ color: {fg}; background: {bg}; border: 1px solid {border}; }}')
        rules.append(f'QLabel#ToneText[tone="{tone}"] {{ color: {fg}; }}')
    rules.append("QLabel#StateChip { border-radius: 4px; padding: 0 8px; font-weight: 600; }")
    rules.append("QLabel#Banner { border-radius: 6px; padding: 6px 10px; }")
    # A choice that is locked while connected must still show what was chosen.
    m, base = theme.muted, theme.base
    rules.append(f"QRadioButton::indicator:checked:disabled {{ border-color: {m}; background: qradialgradient("
                 f"cx:0.5, cy:0.5, radius:0.5, fx:0.5, fy:0.5, stop:0 {m}, stop:0.5 {m}, stop:0.6 {base}, stop:1 {base}); }}")
    rules.append(f"QCheckBox::indicator:checked:disabled, QListView::indicator:checked:disabled "
                 f"{{ background: {m}; border-color: {m}; }}")
    return "\n".join(rules) + "\n"


class ThemeManager(QObject):
    """Applies a theme to the whole application; ``changed(name)`` after each switch."""

    changed = Signal(str)

    def __init__(self, app: QApplication, directory: Path = THEMES_DIR) -> None:
        super().__init__()
        self._app = app
        self._directory = directory
        self._current = THEMES[DEFAULT_THEME]

    @property
    def current(self) -> Theme:
        return self._current

    def apply(self, name: str) -> Theme:
        theme = THEMES.get(name)
        if theme is None:
            log.warning("unknown theme %r; using %s", name, DEFAULT_THEME)
            theme = THEMES[DEFAULT_THEME]
        self._app.setStyle("Fusion")
        self._app.setPalette(palette_for(theme))
        _active[0] = theme
        self._app.setStyleSheet(load_stylesheet(theme.name, self._directory) + state_stylesheet(theme))
        pg = sys.modules.get("pyqtgraph")
        if pg is not None:
            pg.setConfigOptions(background=theme.plot_background, foreground=theme.plot_foreground)
        changed = theme is not self._current
        self._current = theme
        if changed:
            self.changed.emit(theme.name)
        return theme
