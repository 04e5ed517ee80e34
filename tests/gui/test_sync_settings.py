"""The sync settings dialog (URL in the settings, password in the keyring only, Test connection on a worker)
and the app's wiring: ``build_gui(["--shared", URL])`` starts the service, the status bar follows it,
``ctx.close()`` stops it, and the window is up before any connection is made."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt

from carvrooom_desktop import events as ev
from carvrooom_desktop.storage.store import Store
from carvrooom_desktop.sync.status import SyncState

from tests.gui.sync_fixtures import WAIT_MS, free_port, shared_url, unreachable_url  # noqa: F401 - shared_url: a fixture

pytestmark = pytest.mark.gui
SECRET = "s3cret-typed-in-the-dialog"




@pytest.fixture
def controller(qtbot, tmp_path):
    from carvrooom_desktop.config.settings import load_settings
    from carvrooom_desktop.sync.workstation import WorkstationSync
    from ui.widgets.sync_controller import SyncController

    settings, _ = load_settings()
    store = Store.open(f"sqlite:///{tmp_path / 'ws.sqlite3'}", origin="ws-dialog")
    bus = ev.EventBus()
    link = WorkstationSync(store, bus, settings=settings, idle_s=5.0)
    made = SyncController(link, bus)
    yield made
    made.close()
    link.stop()
    store.close()


def _dialog(qtbot, controller):
    from ui.sync_settings_dialog import SyncSettingsDialog

    dialog = SyncSettingsDialog(controller)
    qtbot.addWidget(dialog)
    return dialog


def _with_password(url: str, password: str) -> str:
    return sa.engine.make_url(url).set(password=password).render_as_string(hide_password=False)


@pytest.mark.postgres
def test_the_password_goes_to_the_keyring_only_and_saving_starts_syncing(qtbot, controller, shared_url, memory_keyring):
    from carvrooom_desktop.config.secret_store import database_secret_name, get_secret
    from carvrooom_desktop.config.settings import load_settings, settings_path

    dialog = _dialog(qtbot, controller)
    dialog.url.setText(shared_url)
    dialog.password.setText(SECRET)  # the local server trusts every connection: any password passes
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_result.text().startswith("Connected"), timeout=WAIT_MS)
    assert dialog.test_result.property("tone") == "good"
    assert dialog.save()
    assert get_secret(database_secret_name(shared_url)) == SECRET
    text = settings_path().read_text()
    assert SECRET not in text and load_settings()[0].shared_database_url == shared_url
    assert controller.link.settings.shared_database_url == shared_url  # the app's own settings object too
    assert dialog.password.text() == ""
    qtbot.waitUntil(lambda: controller.link.running, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: controller.status().state is SyncState.SYNCED, timeout=WAIT_MS)
    again = _dialog(qtbot, controller)
    assert again.url.text() == shared_url and again.password.text() == ""
    assert "keyring" in again.password.placeholderText()


def test_test_connection_says_offline_for_an_unreachable_server(qtbot, controller):
    dialog = _dialog(qtbot, controller)
    dialog.url.setText(unreachable_url())
    started = time.monotonic()
    dialog.test_connection()
    assert time.monotonic() - started < 0.5  # on a worker: the dialog stays responsive
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=WAIT_MS)
    assert dialog.test_result.text().startswith("Offline: ") and "cannot be reached" in dialog.test_result.text()
    assert dialog.test_result.property("tone") == "bad"


def test_a_refused_password_is_told_apart_in_the_test(qtbot, controller):
    from tests.sync.fake_pg import PasswordRefusingServer

    fake = PasswordRefusingServer()
    try:
        dialog = _dialog(qtbot, controller)
        dialog.url.setText(f"postgresql://shop@127.0.0.1:{fake.port}/workshop")
        dialog.password.setText("not-the-right-one")
        dialog.test_connection()
        qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=WAIT_MS)
        assert dialog.test_result.text().startswith("Password refused: ") and "not-the-right-one" not in dialog.test_result.text()
    finally:
        fake.close()


def test_what_cannot_be_saved_is_refused_with_the_reason(qtbot, controller, monkeypatch):
    import keyring
    from keyring.backends import fail

    from carvrooom_desktop.config.settings import load_settings

    dialog = _dialog(qtbot, controller)
    dialog.url.setText("sqlite:///not-a-server.db")
    assert not dialog.save() and "must be PostgreSQL" in dialog.message.text()
    keyring.set_keyring(fail.Keyring())  # a headless box without Secret Service
    dialog.url.setText("postgresql://shop@server/workshop")
    dialog.password.setText(SECRET)
    assert not dialog.save() and "keyring" in dialog.message.text()
    assert load_settings()[0].shared_database_url == "" and not controller.link.configured


def test_an_empty_url_stops_syncing(qtbot, controller):
    controller.configure(unreachable_url())
    qtbot.waitUntil(lambda: controller.link.running, timeout=WAIT_MS)
    dialog = _dialog(qtbot, controller)
    dialog.url.setText("")
    assert dialog.save()
    qtbot.waitUntil(lambda: not controller.link.configured, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: controller.status().state is SyncState.NOT_CONFIGURED, timeout=WAIT_MS)


# -- the app ----------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_build_gui_with_shared_starts_sync_and_close_stops_it(qtbot, shared_url, error_dialogs):
    from carvrooom_desktop.app import build_gui
    from carvrooom_desktop.domain import Vehicle
    from carvrooom_desktop.paths import log_dir
    from ui.workspaces.sync import SyncWorkspace

    url = _with_password(shared_url, "pw-on-the-command-line")
    started = time.perf_counter()
    ctx = build_gui(["--shared", url])
    built = time.perf_counter() - started
    try:
        qtbot.waitUntil(lambda: ctx.sync.running, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: ctx.window.status.sync_label.text() == "sync: synced", timeout=WAIT_MS)
        service = ctx.sync.service
        ctx.store.vehicles.upsert(Vehicle("VF1GUI0000000001", "Renault"))
        qtbot.waitUntil(lambda: _server_has_vin(shared_url, "VF1GUI0000000001"), timeout=WAIT_MS)
        ctx.window.show_workspace("sync")
        page = ctx.window.findChild(SyncWorkspace)
        assert page is not None
        qtbot.waitUntil(lambda: page.state_chip.text() == "synced", timeout=WAIT_MS)
        print(f"\nbuild_gui with --shared: {built:.2f} s")
    finally:
        ctx.window.close()
        ctx.close()
    assert not service.running and not ctx.sync.configured
    logs = "".join(p.read_text(errors="replace") for p in log_dir().glob("*.log*"))
    assert "sync: shared database" in logs and "pw-on-the-command-line" not in logs
    assert error_dialogs == []


def _server_has_vin(url: str, vin: str) -> bool:
    from tests.sync.helpers import server_count

    return bool(server_count(url, f"SELECT vin FROM vehicles WHERE vin = '{vin}'"))


def test_the_status_bar_says_offline_with_the_reason_and_the_window_does_not_wait(qtbot, error_dialogs):
    from carvrooom_desktop.app import build_gui

    ctx = build_gui(["--shared", f"postgresql://shop@10.255.255.1:{free_port()}/workshop"])  # nobody answers
    try:
        # The window did not wait for the link: no attempt has ended yet (one to this address takes the
        # 3 s connect timeout). Start-up time itself is benchmarks/bench_startup.py's, not a timed test's.
        assert not ctx.sync.configured or ctx.sync.status().state not in (SyncState.SYNCED, SyncState.OFFLINE)
        label = ctx.window.status.sync_label
        qtbot.waitUntil(lambda: label.text().startswith("sync: offline"), timeout=WAIT_MS)
        assert "cannot be reached" in label.toolTip()
    finally:
        ctx.window.close()
        ctx.close()
    assert error_dialogs == []


def test_without_a_shared_url_sync_is_not_configured(gui, qtbot):
    assert gui.window.status.sync_label.text() == "sync: not configured"
    assert gui.sync is not None and not gui.sync.configured
    gui.window.show_workspace("sync")
    from ui.workspaces.sync import SyncWorkspace

    page = gui.window.findChild(SyncWorkspace)
    assert page.state_chip.text() == "not configured" and not page.sync_button.isEnabled()
    assert page.settings_button.isEnabled()
    from ui.sync_settings_dialog import SyncSettingsDialog

    qtbot.mouseClick(page.settings_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gui.window.findChild(SyncSettingsDialog) is not None, timeout=WAIT_MS)
    dialog = gui.window.findChild(SyncSettingsDialog)
    assert dialog.isVisible() and dialog.url.text() == "" and not dialog.test_button.isEnabled()
    dialog.reject()
