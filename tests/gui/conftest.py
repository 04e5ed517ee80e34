"""GUI tests run offscreen (set before Qt is imported) on an isolated CARVROOOM_HOME."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings, logs, data and the SQLite store of each test live in their own folder
    (tests/conftest.py does the same for every test; repeated so this folder stands alone)."""
    home = tmp_path / "carvrooom-home"
    monkeypatch.setenv("CARVROOOM_HOME", str(home))
    for name in ("CARVROOOM_AUTOCONNECT", "CARVROOOM_FAULTS", "CARVROOOM_DB_URL"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def hooks_restored():
    """A test that leaves a global exception hook installed fails."""
    before = (sys.excepthook, threading.excepthook)
    yield
    after = (sys.excepthook, threading.excepthook)
    assert after == before, "an exception hook was left installed"


@pytest.fixture
def theme_manager(qapp):
    from ui.theme import ThemeManager

    manager = ThemeManager(qapp)
    manager.apply("light")
    return manager


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = tmp_path / "shots"
    folder.mkdir()
    return folder


@pytest.fixture
def error_dialogs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace the error handler's QMessageBox with a recorder, so nothing blocks."""
    from ui import error_handler

    shown: list[str] = []

    class RecordingBox:
        class Icon:
            Critical = None

        def __init__(self, *_args, **_kwargs) -> None:
            self._text = ""

        def setText(self, text: str) -> None:
            self._text = text

        def exec(self) -> int:
            shown.append(self._text)
            return 0

        def __getattr__(self, _name):
            return lambda *a, **k: None

    monkeypatch.setattr(error_handler, "QMessageBox", RecordingBox)
    return shown


SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def gui(qtbot, error_dialogs):
    """The real application (build_gui) on a temporary SQLite store, shown at 1280x800."""
    from carvrooom_desktop.app import build_gui

    ctx = build_gui([])
    ctx.window.resize(1280, 800)
    ctx.window.show()
    qtbot.waitExposed(ctx.window)
    yield ctx
    ctx.window.close()
    ctx.close()
    assert error_dialogs == [], f"unexpected error dialogs: {error_dialogs}"


@pytest.fixture
def save_screenshot(qtbot):
    """``save_screenshot(widget, "name.png")`` into docs/screenshots/ (the README shows them)."""

    def save(widget, name: str) -> Path:
        qtbot.wait(200)  # let pending layout requests settle so the picture is what a user sees
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / name
        assert widget.grab().save(str(path))
        return path

    return save


@pytest.fixture
def fake_shell(qtbot, theme_manager):
    """Main window + workbench over a fake session factory and a fake store."""
    from gui_fakes import FakeSession, FakeStore

    from carvrooom_desktop.events import EventBus
    from ui.main_window import MainWindow
    from ui.session_controller import SessionController
    from ui.workbench import Workbench
    from ui.workers import TaskRunner

    store = FakeStore()
    sessions: list[FakeSession] = []
    factory_box = {"make": lambda request: FakeSession(request, store=store)}

    def factory(request):
        session = factory_box["make"](request)
        sessions.append(session)
        return session

    window = MainWindow()
    qtbot.addWidget(window)
    controller = SessionController(factory, TaskRunner(window, max_threads=1), window)
    chosen: list[str] = []
    bus = EventBus()
    bench = Workbench(window, theme=theme_manager, controller=controller, bus=bus, store=store,
                      faults=[("vacuum_leak", "unmetered air"), ("misfire_cyl3", "cylinder 3 misfires")],
                      on_theme_chosen=chosen.append)
    window.show_workspace("connect")
    window.show()
    qtbot.waitExposed(window)
    shell = SimpleNamespace(window=window, bench=bench, controller=controller, store=store, sessions=sessions,
                            factory=factory_box, bus=bus, themes_chosen=chosen)
    yield shell
    bench.shutdown()
