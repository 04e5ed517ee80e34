"""The shell opens, every workspace can be selected and looks like something."""

from __future__ import annotations

from ui.workspaces.planned import PLANNED_WORKSPACES, PlannedWorkspace

EXPECTED = ["connect", "diagnostics", "live", "recordings", "trace", "compare", "health", "ai", "schedule", "warranty", "sync", "alerts", "fleet", "admin"]


def test_every_workspace_opens_and_renders(fake_shell, qtbot, shots):
    window = fake_shell.window
    assert window.windowTitle().endswith("CarVrooom Desktop")
    assert window.workspace_keys() == EXPECTED
    for key in EXPECTED:
        page = window.show_workspace(key)
        qtbot.waitUntil(lambda p=page: window.stack.currentWidget() is p)
        assert page.isVisible()
        image = window.grab()
        assert not image.isNull()
        assert image.save(str(shots / f"{key}.png"))
    assert len(list(shots.glob("*.png"))) == len(EXPECTED)


def test_planned_workspaces_share_one_page_class(fake_shell):
    window = fake_shell.window
    for key, title, *_ in PLANNED_WORKSPACES:
        page = window.show_workspace(key)
        if isinstance(page, PlannedWorkspace):  # not built yet; a built one's entry only places it in its section
            assert type(page) is PlannedWorkspace
            assert page.title == title
    assert not isinstance(window.show_workspace("warranty"), PlannedWorkspace)


def test_pages_are_built_when_first_shown(fake_shell):
    window = fake_shell.window
    assert window.built_page("live") is None
    window.show_workspace("live")
    assert window.built_page("live") is not None


def test_status_bar_shows_store_without_password(fake_shell):
    status = fake_shell.window.status
    assert status.store_label.text() == "SQLite: /tmp/fake/carvrooom.sqlite3"
    assert status.sync_label.text() == "sync: not configured"
    status.set_store("postgresql+psycopg://tech:***@db.workshop/carvrooom")
    assert status.store_label.text() == "PostgreSQL: db.workshop/carvrooom"
    assert "***" not in status.store_label.text()
    status.set_store(None, "cannot open the database")
    assert status.store_label.text() == "Store: unavailable"


def test_window_state_is_saved_to_the_ui_state_file(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from ui.main_window import MainWindow

    path = tmp_path / "ui.ini"
    window = MainWindow(QSettings(str(path), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(720, 520)
    window.close()
    assert path.exists()
    again = MainWindow(QSettings(str(path), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    again.restore_ui_state()
    assert (again.size().width(), again.size().height()) == (720, 520)
