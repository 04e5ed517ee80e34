"""The sign-in dialog and the Admin workspace in the real window (offscreen), with screenshots."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest

from carvrooom_desktop.errors import CarVrooomError
from carvrooom_desktop.people import SessionExpired
from tests.people.people_helpers import ADMIN_PASSWORD, open_people, staff

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _shot(qtbot, widget, name: str) -> Path:
    qtbot.wait(200)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / name
    assert widget.grab().save(str(path))
    return path


@pytest.fixture
def staffed_gui(qtbot, tmp_path, monkeypatch):
    from carvrooom_desktop.app import build_gui
    from ui import error_handler

    monkeypatch.setattr(error_handler.ErrorHandler, "install", lambda self: None)
    monkeypatch.setattr(error_handler.ErrorHandler, "uninstall", lambda self: None)
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    store, people = open_people(url)
    staff(people)
    for i in range(3):
        people.audit.append("technician", "start recordings", record=f"recording:{i:04d}")
    for _ in range(5):  # the warranty clerk forgot their password: locked (shown red on the Users tab)
        with pytest.raises(CarVrooomError):
            people.users.sign_in("warranty_clerk", "forgotten-pw")
    store.close()
    ctx = build_gui([], db_url=url)
    ctx.window.resize(1280, 800)
    ctx.window.show()
    qtbot.waitExposed(ctx.window)
    yield ctx
    ctx.window.close()
    ctx.close()


def test_demo_mode_needs_no_sign_in(qtbot, tmp_path):
    from carvrooom_desktop.app import build_gui

    ctx = build_gui([], db_url=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    try:
        assert ctx.sign_in.demo and ctx.sign_in.guard is None
        assert ctx.sign_in.shift.current().name == "demo"
    finally:
        ctx.close()


def test_sign_in_at_start_then_admin_pages(qtbot, staffed_gui):
    ctx = staffed_gui
    guard = ctx.sign_in.guard
    qtbot.waitUntil(lambda: guard.dialog is not None and guard.dialog.isVisible(), timeout=5000)
    dialog = guard.dialog
    assert ctx.sign_in.shift.current() is None  # nobody yet: everything refused
    dialog.user.setText("admin")
    dialog.password.setText("not-my-password")
    dialog.attempt()
    assert dialog.message.text() == "wrong user name or password" and dialog.password.text() == ""
    dialog.password.setText("")
    _shot(qtbot, dialog, "login.png")
    dialog.password.setText(ADMIN_PASSWORD)
    dialog.attempt()
    qtbot.waitUntil(lambda: guard.dialog is None, timeout=5000)
    assert ctx.sign_in.shift.current().name == "admin"

    page = ctx.window.show_workspace("admin")
    from ui.workspaces.admin import AdminWorkspace

    assert isinstance(page, AdminWorkspace)
    page.refresh()
    names = [u.name for u in page.users_model.rows()]
    assert names == sorted(["admin", "technician", "service_manager", "warranty_clerk", "fleet_manager"])
    page.new_name.setText("tina")
    page.new_display.setText("Tina Brooks")
    page.new_email.setText("tina@shop.example")
    page.new_role.setCurrentText("technician")
    page.new_password.setText("tina-first-pw")
    page.add_user()
    assert "tina" in [u.name for u in page.users_model.rows()]
    row = [u.name for u in page.users_model.rows()].index("service_manager")
    page.users_table.selectRow(row)
    page.role_choice.setCurrentText("fleet manager")
    page.change_role()
    assert page.people.users.get("service_manager").role == "fleet manager"
    page.reset_password(password="brand-new-pw1")
    assert "reset" in page.message.text()
    _shot(qtbot, ctx.window, "admin-users.png")

    page.tabs.setCurrentIndex(1)
    roles = [r.name for r in page.roles_model.rows()]
    page.roles_table.selectRow(roles.index("technician"))
    page._show_role()
    assert not page.permission_boxes[next(iter(page.permission_boxes))].isEnabled()  # built-in: fixed

    page.tabs.setCurrentIndex(2)
    page.refresh_audit()
    page.verify()
    qtbot.waitUntil(lambda: page.verify_button.isEnabled(), timeout=10000)
    assert page.verify_label.text().startswith("✔ audit trail intact")
    _shot(qtbot, ctx.window, "admin-audit.png")


def test_a_refused_change_shows_the_cores_message(qtbot, staffed_gui):
    ctx = staffed_gui
    guard = ctx.sign_in.guard
    qtbot.waitUntil(lambda: guard.dialog is not None, timeout=5000)
    guard.dialog.user.setText("technician")
    guard.dialog.password.setText("s3cret-workshop-pw")
    guard.dialog.attempt()
    page = ctx.window.show_workspace("admin")
    assert page.audit_model.rows() == [] and "may not view" in page.verify_label.text()
    page.verify()
    assert "may not view the audit trail" in page.message.text()
    page.users_table.selectRow(0)
    page.unlock()
    assert "may not manage users and roles" in page.message.text()
    assert page.people.audit.entries(user="technician", action="manage users and roles")[0].outcome == "refused"


def test_idle_lock_asks_again_and_the_core_refuses_meanwhile(qtbot, staffed_gui):
    ctx = staffed_gui
    guard = ctx.sign_in.guard
    qtbot.waitUntil(lambda: guard.dialog is not None, timeout=5000)
    guard.dialog.user.setText("admin")
    guard.dialog.password.setText(ADMIN_PASSWORD)
    guard.dialog.attempt()
    qtbot.waitUntil(lambda: guard.dialog is None, timeout=5000)
    ctx.sign_in.shift.idle_lock_s = 0.0
    qtbot.wait(20)
    with pytest.raises(SessionExpired, match="sign in again"):
        ctx.sign_in.shift.current()
    with pytest.raises(CarVrooomError, match="sign in again"):
        ctx.store.workshop.add_bay("Lift 9", "general lift")  # the guarded schedule asks the shift
    guard.check_idle()
    assert guard.dialog is not None and "locked after" in guard.dialog.reason.text()
    assert guard.dialog.user.text() == "admin"


def test_clearing_codes_in_the_window_is_checked_and_audited_for_the_signed_in_user(qtbot, staffed_gui, monkeypatch):
    from PySide6.QtCore import Qt

    ctx = staffed_gui
    guard = ctx.sign_in.guard
    qtbot.waitUntil(lambda: guard.dialog is not None, timeout=5000)
    guard.dialog.user.setText("fleet_manager")
    guard.dialog.password.setText("s3cret-workshop-pw")
    guard.dialog.attempt()
    page = ctx.window.show_workspace("connect")
    page.source.set_kind("sim-elm")
    page.check_fault("lazy_o2_upstream")
    qtbot.mouseClick(page.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ctx.window.current_workspace() == "diagnostics", timeout=30_000)
    diag = ctx.window.page("diagnostics")
    monkeypatch.setattr(diag, "confirm_clear", lambda report: True)
    with qtbot.waitSignal(ctx.controller.clear_failed, timeout=20_000):
        qtbot.mouseClick(diag.clear_button, Qt.MouseButton.LeftButton)
    assert "Farah Haddad (fleet manager) may not clear trouble codes" in diag.banner.text()
    people = ctx.sign_in.people
    assert people.audit.entries(user="fleet_manager", action="clear trouble codes")[0].outcome == "refused"

    ctx.sign_in.shift.sign_in(people.users.sign_in("technician", "s3cret-workshop-pw"))  # the next shift
    with qtbot.waitSignal(ctx.controller.codes_cleared, timeout=30_000):
        qtbot.mouseClick(diag.clear_button, Qt.MouseButton.LeftButton)
    done = people.audit.entries(user="technician", action="clear trouble codes")[0]
    assert done.outcome == "ok" and done.record.startswith("vehicle:") and "codes" in done.before
