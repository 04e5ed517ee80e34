"""The Sync page against the real PostgreSQL: two workstations (two SQLite stores, two origins) with the
real SyncService; a change on one shows on the other, a conflict shows both versions and is resolved,
an unreachable or password-refusing database is a clear state while local work goes on, recordings
that arrived as metadata download their chunks when opened, and the app wires it all up.

The screenshot docs/screenshots/sync.png (pending list and a conflict side by side) comes from here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from carvrooom_desktop import events as ev
from carvrooom_desktop.storage.store import Store
from carvrooom_desktop.storage.workshop_models import WorkshopBayRow, WorkshopJobRow
from carvrooom_desktop.sync.status import SyncState

from tests.gui.sync_fixtures import WAIT_MS, shared_url, unreachable_url  # noqa: F401 - shared_url: a fixture

pytestmark = pytest.mark.gui




class Workstation:
    """One workstation as the app builds it: its store, event bus, WorkstationSync, controller and Sync page."""

    def __init__(self, qtbot, theme, folder: Path, name: str) -> None:
        from carvrooom_desktop.sync.workstation import WorkstationSync
        from ui.widgets.sync_controller import SyncController
        from ui.workspaces.sync import SyncWorkspace

        self.name = name
        self.store = Store.open(f"sqlite:///{folder / name / 'carvrooom.sqlite3'}", origin=name)
        self.bus = ev.EventBus()
        self.link = WorkstationSync(self.store, self.bus, idle_s=5.0, local_poll_s=0.1)
        self.controller = SyncController(self.link, self.bus)
        self.page = SyncWorkspace(theme, controller=self.controller)
        qtbot.addWidget(self.page)
        self.page.resize(1100, 760)

    def configure(self, qtbot, url: str | None) -> None:
        from carvrooom_desktop.storage.engine import display_url

        self.controller.configure(url)
        qtbot.waitUntil(lambda: self.link.url == (display_url(url) if url else ""), timeout=WAIT_MS)

    def wait_state(self, qtbot, *states: SyncState) -> None:
        qtbot.waitUntil(lambda: self.controller.status().state in states, timeout=WAIT_MS)

    def close(self) -> None:
        self.controller.close()
        self.link.stop()
        self.store.close()


@pytest.fixture
def workstation(qtbot, theme_manager, tmp_path):
    made: list[Workstation] = []

    def make(name: str) -> Workstation:
        ws = Workstation(qtbot, theme_manager.current, tmp_path, name)
        made.append(ws)
        return ws

    yield make
    for ws in made:
        ws.close()


def _job(store) -> object:
    from tests.sync.helpers import add

    add(store, WorkshopBayRow(name="Lift 1", bay_type="lift"))
    return add(store, WorkshopJobRow(title="brake pads", labour_hours=1.5, bay_type="lift"))


def _conflict_on(b_store, a_store, url, job, theirs=None, mine=None) -> None:
    """Both stores edit the job's hours before either syncs: b's push goes to the conflict list."""
    from carvrooom_desktop.sync.engine import SyncEngine
    from tests.sync.helpers import edit

    for store in (a_store, b_store):
        with SyncEngine(store.engine, url, origin=store.origin) as engine:
            engine.sync_once()
    edit(a_store, WorkshopJobRow, job, **(theirs or {"labour_hours": 2.0}))
    edit(b_store, WorkshopJobRow, job, **(mine or {"labour_hours": 3.0}))
    for store in (a_store, b_store):
        with SyncEngine(store.engine, url, origin=store.origin) as engine:
            engine.sync_once()


@pytest.mark.postgres
def test_a_change_on_one_workstation_shows_on_the_others_page(qtbot, workstation, shared_url):
    a, b = workstation("front-desk"), workstation("bench")
    a.configure(qtbot, shared_url)
    b.configure(qtbot, shared_url)
    a.wait_state(qtbot, SyncState.SYNCED)
    b.wait_state(qtbot, SyncState.SYNCED)
    assert b.page.state_chip.text() == "synced" and "127.0.0.1" in b.page.server_label.text()
    rec = a.store.recordings.create(vin="VF1AAAAA000000001", notes="idle rattle")
    qtbot.waitUntil(lambda: "Recordings: 1" in b.page.arrived_label.text(), timeout=WAIT_MS)
    assert b.store.recordings.get(rec).notes == "idle rattle"
    assert "Last sync: never" not in b.page.last_label.text()
    qtbot.waitUntil(lambda: a.page.chunks_label.text() == "Nothing waiting.", timeout=WAIT_MS)
    assert a.page.pending_model.rowCount() == 0
    assert "Recordings" not in a.page.arrived_label.text()  # its own recording came back from the push: not "arrived"


@pytest.mark.postgres
@pytest.mark.parametrize(("choice", "hours_after"), [("mine", 3.0), ("theirs", 2.0)])
def test_a_conflict_shows_both_versions_and_keep_mine_or_theirs_settles_it_on_both(
        qtbot, workstation, shared_url, choice, hours_after):
    a, b = workstation("ws-a"), workstation("ws-b")
    job = _job(a.store)
    _conflict_on(b.store, a.store, shared_url, job)
    b.configure(qtbot, shared_url)
    b.wait_state(qtbot, SyncState.CONFLICT)
    qtbot.waitUntil(lambda: b.page.conflict_model.rowCount() == 1, timeout=WAIT_MS)
    assert b.page.state_chip.text() == "conflict (1)" and b.page.conflicts_title.text() == "Conflicts (1 open)"
    (hours,) = [f for f in b.page.versions() if f.name == "labour_hours"]
    assert (hours.mine, hours.theirs, hours.differs) == (3.0, 2.0, True)
    row = [f.name for f in b.page.versions()].index("labour_hours")
    index = b.page.versions_model.index(row, 1)
    assert b.page.versions_model.data(index, Qt.ItemDataRole.DisplayRole) == "3.0"
    assert b.page.versions_model.data(index, Qt.ItemDataRole.BackgroundRole) is not None  # highlighted
    assert b.page.mine_button.isEnabled() and b.page.theirs_button.isEnabled() and not b.page.dismiss_button.isEnabled()
    qtbot.mouseClick(b.page.mine_button if choice == "mine" else b.page.theirs_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: b.page.conflict_model.rowCount() == 0, timeout=WAIT_MS)
    b.wait_state(qtbot, SyncState.SYNCED)
    assert b.page.conflicts_title.text() == "Conflicts: none open" and _hours(b.store, job) == hours_after
    a.configure(qtbot, shared_url)
    qtbot.waitUntil(lambda: _hours(a.store, job) == hours_after, timeout=WAIT_MS)  # both workstations agree
    a.wait_state(qtbot, SyncState.SYNCED)


def _hours(store, job) -> float:
    from tests.sync.helpers import get

    return get(store, WorkshopJobRow, job).labour_hours


@pytest.mark.postgres
def test_a_booking_the_shared_database_refused_is_shown_and_dismissed(qtbot, workstation, shared_url):
    from carvrooom_desktop.sync.engine import SyncEngine
    from tests.sync.helpers import bay_and_job, booking

    a, b = workstation("front-desk"), workstation("bench")
    bay, job = bay_and_job(a.store)
    for store in (a.store, b.store):
        with SyncEngine(store.engine, shared_url, origin=store.origin) as engine:
            engine.sync_once()
    booking(a.store, bay, job, slot=2)
    booking(b.store, bay, job, slot=2, hours=2.0)  # the same bay at the same time
    with SyncEngine(a.store.engine, shared_url, origin="front-desk") as engine:
        engine.sync_once()
    b.configure(qtbot, shared_url)
    qtbot.waitUntil(lambda: b.page.conflict_model.rowCount() == 1, timeout=WAIT_MS)
    index = b.page.conflict_model.index(0, 2)
    assert b.page.conflict_model.data(index, Qt.ItemDataRole.DisplayRole) == "refused"
    assert "ex_workshop_bookings_bay_time" in b.page.reason_label.text()
    assert b.page.dismiss_button.isEnabled() and not b.page.mine_button.isEnabled()
    assert any(f.name == "starts_at" for f in b.page.versions())
    qtbot.mouseClick(b.page.dismiss_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: b.page.conflict_model.rowCount() == 0, timeout=WAIT_MS)
    b.wait_state(qtbot, SyncState.SYNCED)


def test_an_unreachable_database_shows_offline_and_local_work_goes_on(qtbot, workstation):
    from tests.sync.helpers import vehicle

    ws = workstation("ws-offline")
    ws.configure(qtbot, unreachable_url())
    ws.wait_state(qtbot, SyncState.OFFLINE)
    vehicle(ws.store, vin="KEEP1")
    vehicle(ws.store, vin="KEEP2")
    qtbot.waitUntil(lambda: ws.page.state_chip.text() == "offline (pending 2)", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: ws.page.pending_model.rows() == [("vehicles", 2, 2)], timeout=WAIT_MS)
    assert "cannot be reached" in ws.page.message_label.text() and "local work goes on" in ws.page.message_label.text()
    assert ws.page.state_chip.property("tone") == "warn"
    assert ws.store.vehicles.get_by_vin("KEEP2") is not None


def test_a_refused_password_is_a_clear_state_that_points_at_the_keyring(qtbot, workstation, memory_keyring):
    from carvrooom_desktop.config.secret_store import database_secret_name, set_secret
    from tests.sync.fake_pg import PasswordRefusingServer

    fake = PasswordRefusingServer()
    try:
        ws = workstation("ws-pw")
        url = f"postgresql://shop@127.0.0.1:{fake.port}/workshop"
        set_secret(database_secret_name(url), "wrong-password-from-the-keyring")
        ws.configure(qtbot, url)
        ws.wait_state(qtbot, SyncState.PASSWORD_REFUSED)
        qtbot.waitUntil(lambda: ws.page.state_chip.text() == "password refused", timeout=WAIT_MS)
        assert "keyring" in ws.page.message_label.text() and ws.page.state_chip.property("tone") == "bad"
        assert "wrong-password" not in ws.page.message_label.text() + ws.page.server_label.text()
        assert fake.attempts >= 1
        ws.close()  # before the fake server goes
    finally:
        fake.close()


def _recorded(store, chunks: int = 12):
    rec = store.recordings.create(vin="V1", signal_units={"rpm": "1/min"})
    rng = np.random.default_rng(1)
    for seq in range(chunks):
        t = 1.7e9 + seq + np.arange(500) / 500
        store.recordings.append_samples(rec, seq, np.zeros(500, np.uint16), t, rng.normal(800, 50, 500))
    return rec


@pytest.mark.postgres
def test_a_recording_from_another_workstation_downloads_its_chunks_when_opened(qtbot, workstation, shared_url, theme_manager):
    from ui.workspaces.recordings import RecordingsWorkspace

    a, b = workstation("ws-rec"), workstation("ws-view")
    rec = _recorded(a.store, chunks=150)  # more than one download slice
    a.configure(qtbot, shared_url)
    b.configure(qtbot, shared_url)
    qtbot.waitUntil(lambda: _has(b.store, rec), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: b.store.recordings.get(rec).sample_count == 75_000, timeout=WAIT_MS)
    assert b.link.missing_chunks(rec).missing and b.link.missing_chunks(rec).samples_here == 0
    page = RecordingsWorkspace(theme_manager.current)
    qtbot.addWidget(page)
    page.bind_sync(b.controller)
    progress, opened = [], []
    b.controller.fetch_progress.connect(lambda done, total: progress.append((done, total)))
    b.controller.open_recording(rec, opened.append)
    qtbot.waitUntil(lambda: opened == [rec], timeout=WAIT_MS)
    assert progress[0] == (0, 150) and progress[-1] == (150, 150)
    assert "Downloaded 150 chunk(s)" in page.io_message.text() and not page.progress.isVisible()
    assert not b.link.missing_chunks(rec).missing
    assert np.array_equal(a.store.recordings.load_samples(rec)["rpm"][1], b.store.recordings.load_samples(rec)["rpm"][1])
    b.controller.open_recording(rec, opened.append)  # all here: opens with no download
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=WAIT_MS)
    assert b.store.engine.connect().exec_driver_sql(
        "SELECT count(*) FROM sync_outbox WHERE table_name = 'recording_chunks'").scalar() == 0  # not our changes


@pytest.mark.postgres
def test_opening_a_metadata_only_recording_offline_says_so(qtbot, workstation, shared_url, theme_manager):
    from ui.workspaces.recordings import RecordingsWorkspace

    a, b = workstation("ws-rec2"), workstation("ws-away")
    rec = _recorded(a.store, chunks=3)
    a.configure(qtbot, shared_url)
    b.configure(qtbot, shared_url)
    qtbot.waitUntil(lambda: _has(b.store, rec), timeout=WAIT_MS)
    b.configure(qtbot, unreachable_url())  # the link goes
    b.wait_state(qtbot, SyncState.OFFLINE)
    page = RecordingsWorkspace(theme_manager.current)
    qtbot.addWidget(page)
    page.bind_sync(b.controller)
    opened = []
    b.controller.open_recording(rec, opened.append)
    qtbot.waitUntil(lambda: opened == [rec], timeout=WAIT_MS)
    assert "metadata only" in page.io_message.text() and "cannot be reached" in page.io_message.text()


def _has(store, rec) -> bool:
    from carvrooom_desktop.errors import NotFound

    try:
        store.recordings.get(rec)
    except NotFound:
        return False
    return True


@pytest.mark.postgres
def test_screenshot_pending_list_and_a_conflict_side_by_side(qtbot, workstation, shared_url, save_screenshot):
    from tests.sync.helpers import vehicle

    a, b = workstation("front-desk"), workstation("bench")
    from datetime import UTC, datetime

    job = _job(a.store)
    _conflict_on(b.store, a.store, shared_url, job,
                 theirs={"labour_hours": 2.0, "status": "waiting parts", "promised_at": datetime(2027, 3, 3, 10, tzinfo=UTC)},
                 mine={"labour_hours": 3.5, "status": "in progress", "promised_at": datetime(2027, 3, 2, 16, tzinfo=UTC)})
    b.configure(qtbot, shared_url)
    qtbot.waitUntil(lambda: b.page.conflict_model.rowCount() == 1, timeout=WAIT_MS)
    assert {f.name for f in b.page.versions() if f.differs} == {"labour_hours", "status", "promised_at"}
    b.configure(qtbot, unreachable_url())  # the bench loses the link...
    b.wait_state(qtbot, SyncState.OFFLINE)
    for i in range(3):  # ... and goes on working
        vehicle(b.store, vin=f"WVWZZZ1JZ3W00000{i}", make="Volkswagen", model="Golf")
    rec = _recorded(b.store, chunks=4)
    b.store.recordings.update_notes(rec, "rattle at idle")
    qtbot.waitUntil(lambda: b.page.pending_model.rowCount() >= 3, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "4 chunk(s) of 1 recording(s)" in b.page.chunks_label.text(), timeout=WAIT_MS)
    b.page.add_arrived("workshop_bookings", 2)
    b.page.add_arrived("recordings", 1)
    b.page.show()
    qtbot.waitExposed(b.page)
    save_screenshot(b.page, "sync.png")


@pytest.mark.postgres
def test_the_first_sync_of_a_new_workstation_shows_the_pull_progress(qtbot, workstation, shared_url, tmp_path, theme_manager):
    from carvrooom_desktop.sync.engine import SyncEngine
    from carvrooom_desktop.sync.workstation import WorkstationSync
    from tests.sync.helpers import vehicle

    a = workstation("ws-old")
    for i in range(60):
        vehicle(a.store, vin=f"VIN{i:05d}")
    with SyncEngine(a.store.engine, shared_url, origin=a.store.origin) as engine:
        assert engine.sync_once().state is SyncState.SYNCED
    new = workstation("ws-new")
    new.link = WorkstationSync(new.store, new.bus, page_rows=7, idle_s=5.0)  # pages of 7 rows: several progress steps
    new.controller.link = new.link
    seen = []
    new.controller.status_changed.connect(lambda s: seen.append((s.progress, new.page.progress_box.isVisibleTo(new.page),
                                                                 new.page.progress_label.text())))
    new.configure(qtbot, shared_url)
    new.wait_state(qtbot, SyncState.SYNCED)
    shown = [s for s in seen if s[0]]
    assert shown and all(visible for _p, visible, _t in shown)
    assert any(" of 60 rows" in text for _p, _v, text in shown), shown
    assert not new.page.progress_box.isVisibleTo(new.page)
    assert new.store.vehicles.get_by_vin("VIN00059") is not None


@pytest.mark.postgres
def test_in_the_app_opening_a_recording_from_another_workstation_fetches_it_first(qtbot, workstation, shared_url,
                                                                                  error_dialogs):
    from carvrooom_desktop.app import build_gui

    a = workstation("ws-recorder")
    rec = _recorded(a.store, chunks=80)
    a.configure(qtbot, shared_url)
    qtbot.waitUntil(lambda: a.page.pending_model.rowCount() == 0 and a.link.status().state is SyncState.SYNCED,
                    timeout=WAIT_MS)
    ctx = build_gui(["--shared", shared_url])
    try:
        qtbot.waitUntil(lambda: _has(ctx.store, rec), timeout=WAIT_MS)
        page = ctx.window.show_workspace("recordings")
        qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=WAIT_MS)
        assert ctx.sync.missing_chunks(rec).missing
        page.select_row(0)
        qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.opened is not None and page.opened.id == rec, timeout=WAIT_MS)
        assert "Downloaded 80 chunk(s)" in page.io_message.text()
        assert "no decoded samples" not in page.viewer_title.text() and not ctx.sync.missing_chunks(rec).missing
    finally:
        ctx.window.close()
        ctx.close()
    assert error_dialogs == []
