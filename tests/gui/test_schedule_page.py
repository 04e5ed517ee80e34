"""The Schedule page on a real SQLite store: demo bays and technicians, add a job, optimise, drag a booking
(feasible and refused), book a diagnosis's job in one click, export calendars; the screenshots.

docs/screenshots/schedule-week.png and schedule-overloaded.png come from here.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from carvrooom_desktop.storage.diagnoses import DiagnosisRepository
from carvrooom_desktop.storage.store import Store
from carvrooom_desktop.workshop.board import save_shop
from carvrooom_desktop.workshop.scheduling.ics import read_events
from carvrooom_desktop.workshop.scheduling.sample import overloaded_week, sample_week
from ui.schedule_model import ScheduleDesk
from ui.workspaces.schedule import BY_TECHNICIAN, ScheduleWorkspace

pytestmark = pytest.mark.gui

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_0700 = datetime(2026, 12, 7, 7, 0, tzinfo=BERLIN)  # the sample week's Monday, before opening


@pytest.fixture
def store(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path / 'shop.sqlite3'}", origin="front-office")
    yield s
    s.close()


def _page(qtbot, theme_manager, store, problem, *, now=MONDAY_0700, diagnoses=None):
    if problem is not None:
        save_shop(store.workshop, problem)
    clock = {"now": now}
    desk = ScheduleDesk(store.workshop if store is not None else None, clock=lambda: clock["now"], diagnoses=diagnoses,
                        unavailable="" if store is not None else "cannot open the database file")
    page = ScheduleWorkspace(theme_manager.current, desk)
    page.clock = clock
    page.deterministic = True
    page.time_limit_s = 1.0
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    settle(qtbot, desk)
    return page


def settle(qtbot, desk, timeout=60_000):
    """Wait until the desk's worker is idle and stays idle (a result may start a refresh)."""
    for _ in range(20):
        qtbot.waitUntil(lambda: not desk.runner.busy, timeout=timeout)
        qtbot.wait(30)
        if not desk.runner.busy:
            return
    raise AssertionError("the schedule desk never went idle")


@pytest.fixture(autouse=True)
def desk_threads_joined(qtbot):
    """Every page's worker pool is drained before the thread-leak check runs."""
    yield
    for w in QApplication.topLevelWidgets():
        if isinstance(w, ScheduleWorkspace):
            w.desk.wait()


def _booking_of(board, job_id):
    return min((b for b in board.live() if b.job_id == job_id), key=lambda b: b.starts_at)


def test_the_page_imports_no_solver_until_optimise():
    code = (
        "import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
        "from ui.theme import THEMES; from ui.schedule_model import ScheduleDesk; from ui.workspaces.schedule import ScheduleWorkspace\n"
        "page = ScheduleWorkspace(THEMES['light'], ScheduleDesk(None, unavailable='no store'))\n"
        "assert 'ortools' not in sys.modules, 'ortools imported at page build'\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr
    assert "ok" in out.stdout


def test_without_a_store_the_page_says_why_and_stays_read_only(qtbot, theme_manager):
    page = _page(qtbot, theme_manager, None, None)
    assert "cannot open the database file" in page.banner.text()
    assert not page.optimise_button.isEnabled() and not page.add_button.isEnabled()
    assert page.gantt.drop_check(None, "x", MONDAY_0700).ok is False


def test_add_job_optimise_drag_and_export(qtbot, theme_manager, store, tmp_path):
    page = _page(qtbot, theme_manager, store, sample_week(14, 6, 4, seed=3))
    desk = page.desk
    board = desk.board
    assert len(board.problem.bays) == 6 and len(board.problem.technicians) == 4
    assert len(board.unscheduled) == 14 and not board.live()

    # Add job: the dialog, filled in as a user would
    def fill():
        dialog = page._dialog
        dialog.title.setText("front brake pads")
        dialog.reference.setText("RO-9001")
        dialog.hours.setValue(1.5)
        dialog.skill.setCurrentText("brakes")
        dialog.bay_type.setCurrentIndex(dialog.bay_type.findData("general lift"))
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(0, fill)
    page.open_add_job()
    settle(qtbot, desk)
    assert "RO-9001" in page.banner.text()
    added = next(j for j in desk.board.problem.jobs if j.reference == "RO-9001")
    assert (added.minutes, added.skill, added.bay_type) == (90, "brakes", "general lift")

    # Optimise: on the worker thread, deterministic, status and objectives shown
    page.optimise_button.click()
    settle(qtbot, desk)
    text = page.plan_label.text()
    assert "objective" in text and "dispatcher" in text and "gap" in text
    result = desk.last_optimised
    assert result.plan.objective <= result.plan.greedy_objective
    board = desk.board
    booked = {b.job_id for b in board.live()}
    assert booked | {u.job_id for u in board.unscheduled} >= {j.id for j in board.problem.jobs}
    assert page.gantt.bars and all(b.tentative for b in page.gantt.bars)  # embedded store: tentative until synced

    # A feasible drag: the first later slot the core accepts, on the same bay
    bar = next(b for b in page.gantt.bars if b.group == added.id)
    job_booking = _booking_of(board, added.id)
    checker = board.checker(added.id)
    target = next(job_booking.starts_at + timedelta(minutes=15 * k) for k in range(4, 200)
                  if checker.check(job_booking.bay_id, job_booking.technician_id, job_booking.starts_at + timedelta(minutes=15 * k)).ok)
    dropped = []
    page.gantt.bar_dropped.connect(lambda *a: dropped.append(a))
    check = page.gantt.drag_bar(bar.id, bar.row, target.astimezone(board.tz))
    assert check.ok, check.reason
    settle(qtbot, desk)
    assert dropped and "Moved and pinned" in page.banner.text()
    moved = _booking_of(desk.board, added.id)
    assert moved.starts_at == target and moved.bay_id == job_booking.bay_id
    assert desk.board.jobs[added.id].pin is not None  # Optimise keeps it there
    bar = next(b for b in page.gantt.bars if b.group == added.id)
    actions = dict(page.bar_actions(bar))
    assert set(actions) == {"Book at the earliest free slot", "Release the pin (Optimise may move it)"}
    actions["Release the pin (Optimise may move it)"]()
    settle(qtbot, desk)
    assert desk.board.jobs[added.id].pin is None and "Pin released" in page.banner.text()
    assert _booking_of(desk.board, added.id).starts_at == target  # released, not moved

    # An infeasible drag: a general-lift job onto the alignment rig snaps back with the reason
    board = desk.board
    alignment = next(b for b in board.problem.bays if b.bay_type == "alignment")
    bar = next(b for b in page.gantt.bars if b.group == added.id)
    refused = []
    page.gantt.drop_refused.connect(lambda _bar, reason: refused.append(reason))
    check = page.gantt.drag_bar(bar.id, alignment.id, bar.starts_at)
    assert not check.ok and "needs a general lift bay" in check.reason
    assert refused and "Not moved" in page.banner.text() and "general lift" in page.banner.text()
    settle(qtbot, desk)
    assert _booking_of(desk.board, added.id).starts_at == target  # nothing changed

    # The same refusal with the mouse: press on the bar, drag over the alignment row, release
    item = page.gantt.item(bar.id)
    start = page.gantt.mapFromScene(item.rect().center())
    end = page.gantt.point_for(alignment.id, bar.starts_at + timedelta(minutes=5))
    viewport = page.gantt.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, QPoint(int(end.x()), int(end.y())))
    assert page.banner.text().startswith("Does not fit")
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=QPoint(int(end.x()), int(end.y())))
    assert len(refused) == 2

    # The technician view: the same bookings, one row per technician
    page.set_mode(BY_TECHNICIAN)
    assert {r.key for r in page.gantt.rows} == {t.id for t in desk.board.problem.technicians}
    assert any(b.group == added.id for b in page.gantt.bars)

    # Export .ics: every technician and bay, then one technician's file
    folder = tmp_path / "ics"
    page.export_calendars(str(folder))
    settle(qtbot, desk)
    files = sorted(folder.glob("*.ics"))
    assert any(f.name.startswith("technician-") for f in files) and any(f.name.startswith("bay-") for f in files)
    tech = desk.board.problem.technicians[0]
    one = tmp_path / "one.ics"
    page.export_calendars(str(one), kind="technician", key=tech.id)
    settle(qtbot, desk)
    events = read_events(one.read_bytes().decode("utf-8"))
    assert len(events) == sum(1 for b in desk.board.live() if b.technician_id == tech.id)


def _diagnosis(store, urgency: str, title: str, hours: float) -> uuid.UUID:
    result = {"summary": title, "causes": [], "urgency": urgency,
              "job": {"title": title, "labour_hours": hours, "skill": "brakes", "bay_type": "general lift", "parts": []}}
    return DiagnosisRepository(store.engine, store.origin).add(vin="WVWZZZ1JZXW000001", source="offline", model="", result=result)


def test_book_this_job_from_a_diagnosis(qtbot, theme_manager, store):
    from agents.schema import Diagnosis, RepairJob
    from ui.workspaces.diagnosis import DiagnosisWorkspace

    diagnoses = DiagnosisRepository(store.engine, store.origin)
    page = _page(qtbot, theme_manager, store, sample_week(10, 6, 4, seed=5), diagnoses=diagnoses)
    desk = page.desk
    page.optimise()
    settle(qtbot, desk)

    # The AI Diagnosis page: a proposed job, "Book this job", the booking message back
    ai = DiagnosisWorkspace(theme_manager.current)
    qtbot.addWidget(ai)
    record_id = _diagnosis(store, "drive", "rear brake pads", 1.25)
    ai.book_job_requested.connect(lambda: desk.book_diagnosis(record_id))
    desk.booked.connect(lambda booked: ai.show_booking(booked.message, "good" if booked.bookings else "bad"))
    assert not ai.book_button.isEnabled()
    ai.show_diagnosis(Diagnosis(summary="pads worn", causes=[], urgency="drive",
                                job=RepairJob(title="rear brake pads", labour_hours=1.25, skill="brakes", bay_type="general lift")),
                      "recording")
    assert ai.book_button.isEnabled()
    ai.book_button.click()
    settle(qtbot, desk)
    job = store.workshop.job_for_diagnosis(record_id)
    assert job is not None and job.labour_hours == 1.25
    assert "booked" in ai.booking_message.text() and not ai.book_button.isEnabled()
    board = desk.board
    mine = _booking_of(board, str(job.id))
    assert any(b.group == str(job.id) for b in page.gantt.bars)  # the Schedule page shows it
    # the earliest feasible slot: nothing free earlier for this job, with every other booking where it is
    others = tuple(b for b in board.problem.previous if b.job_id != str(job.id))
    from carvrooom_desktop.workshop.scheduling.moves import MoveChecker

    first = MoveChecker(board.problem, str(job.id), others).earliest()
    assert first.starts_at == mine.starts_at
    # asking twice books nothing more
    desk.book_diagnosis(record_id)
    settle(qtbot, desk)
    assert "already booked" in page.banner.text()

    # A do-not-drive diagnosis takes the earliest slot through the urgent re-plan
    urgent_id = _diagnosis(store, "do not drive", "brake line leak", 1.0)
    desk.book_diagnosis(urgent_id)
    settle(qtbot, desk)
    urgent = store.workshop.job_for_diagnosis(urgent_id)
    assert urgent.urgency == "do not drive"
    booking = _booking_of(desk.board, str(urgent.id))
    opening = MONDAY_0700.replace(hour=8)  # the first slot a brakes technician has on a general lift
    assert booking.starts_at <= opening + timedelta(minutes=30)
    assert "do not drive" in page.banner.text() and "earliest slot" in page.banner.text()


def _colour_states(store, board):
    """A few jobs done and one in progress (as technicians would mark them), for the screenshot."""
    repo = store.workshop
    first = sorted(board.live(), key=lambda b: b.starts_at)
    for b in first[:3]:
        repo.set_job_status(uuid.UUID(b.job_id), "done")
        repo.bookings.set_status(uuid.UUID(b.id), "done")
    repo.set_job_status(uuid.UUID(first[3].job_id), "in_progress")
    repo.bookings.set_status(uuid.UUID(first[3].id), "in_progress")


def test_screenshots_of_a_normal_and_an_overloaded_week(qtbot, theme_manager, tmp_path, save_screenshot):
    normal = Store.open(f"sqlite:///{tmp_path / 'normal.sqlite3'}", origin="front-office")
    page = _page(qtbot, theme_manager, normal, sample_week(40, 6, 4, seed=1))
    page.deterministic, page.time_limit_s = False, 2.0
    page.optimise()
    settle(qtbot, page.desk)
    _colour_states(normal, page.desk.board)
    page.clock["now"] = MONDAY_0700.replace(hour=10, minute=30)
    page.desk.refresh()
    settle(qtbot, page.desk)
    states = {page.desk.board.state_of(b) for b in page.desk.board.bookings}
    assert {"done", "in progress"} <= states
    save_screenshot(page, "schedule-week.png")
    page.desk.wait()
    normal.close()

    busy = Store.open(f"sqlite:///{tmp_path / 'busy.sqlite3'}", origin="front-office")
    page = _page(qtbot, theme_manager, busy, overloaded_week())
    page.deterministic, page.time_limit_s = False, 2.0
    page.optimise()
    settle(qtbot, page.desk)
    board = page.desk.board
    assert any("overloaded" in w for w in board.warnings)
    assert any("after its promise" in w for w in board.warnings)
    assert page.warning_model.rowCount() == len(board.warnings)
    save_screenshot(page, "schedule-overloaded.png")
    theme_manager.apply("dark")
    page.apply_theme(theme_manager.current)
    page.set_mode(BY_TECHNICIAN)
    qtbot.wait(100)
    assert page.grab().save(str(tmp_path / "schedule-overloaded-dark.png"))
    theme_manager.apply("light")
    page.desk.wait()
    busy.close()


def test_book_this_job_in_the_application(gui, qtbot):
    """The real window: Book this job on the AI Diagnosis page, the booking on the Schedule page."""
    from agents.schema import Diagnosis, RepairJob

    bench = gui.workbench
    store = bench.store
    save_shop(store.workshop, sample_week(6, 6, 4, seed=2, start=datetime.now().astimezone().replace(hour=8, minute=0)))
    record_id = _diagnosis(store, "drive", "front brake pads", 1.5)
    ai_page = gui.window.show_workspace("ai")
    bench.ai.diagnosis_id = record_id  # as after a diagnosis run: the stored row the page shows
    ai_page.show_diagnosis(Diagnosis(summary="pads worn", causes=[], urgency="drive",
                                     job=RepairJob(title="front brake pads", labour_hours=1.5, skill="brakes", bay_type="general lift")),
                           "recording")
    ai_page.book_button.click()
    desk = bench.schedule_desk
    settle(qtbot, desk)
    job = store.workshop.job_for_diagnosis(record_id)
    assert job is not None, ai_page.booking_message.text()
    text = ai_page.booking_message.text()
    assert "(front brake pads) booked" in text and ai_page.booking_message.property("tone") == "good", text
    page = gui.window.show_workspace("schedule")
    assert isinstance(page, ScheduleWorkspace)
    settle(qtbot, desk)
    assert any(b.job_id == str(job.id) for b in desk.board.live())


def test_export_menu_and_add_job_dialog_values(qtbot, theme_manager, store, tmp_path, monkeypatch):
    """The Export .ics menu asks where and writes one calendar; the dialog's times keep the workshop's zone."""
    from PySide6.QtWidgets import QFileDialog

    from ui.widgets.job_dialog import AddJobDialog

    page = _page(qtbot, theme_manager, store, sample_week(8, 6, 4, seed=4))
    page.optimise()
    settle(qtbot, page.desk)
    target = tmp_path / "bay.ics"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "iCalendar (*.ics)"))
    page._fill_export_menu()
    bays_menu = next(a.menu() for a in page.export_menu.actions() if a.menu() is not None and a.text() == "One bay")
    busiest = max(page.desk.board.problem.bays, key=lambda b: sum(1 for x in page.desk.board.live() if x.bay_id == b.id))
    next(a for a in bays_menu.actions() if a.text() == busiest.name).trigger()
    settle(qtbot, page.desk)
    assert len(read_events(target.read_bytes().decode("utf-8"))) == sum(1 for x in page.desk.board.live() if x.bay_id == busiest.id)

    dialog = AddJobDialog(now=MONDAY_0700, skills=["brakes"], bay_types=["general lift"])
    qtbot.addWidget(dialog)
    dialog.title.setText("pads")
    dialog.part.setText("pads")
    job = dialog.job()
    assert job.promised_at == MONDAY_0700.replace(hour=17) and job.dropped_off_at == MONDAY_0700
    assert job.parts[0].eta == MONDAY_0700 + timedelta(hours=2) and job.status == "waiting_parts"
