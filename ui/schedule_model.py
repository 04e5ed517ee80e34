"""The Schedule page's model: the planning board of the store, every change made on a worker thread.

``ScheduleDesk`` owns the workshop repository and one ``TaskRunner`` thread; it never touches a
widget. It reads the board (``carvrooom_desktop.workshop.board``), runs the changes there (move,
add, book, optimise, export) and reports through typed signals; the page binds to them. The
AI Diagnosis page's "Book this job" arrives here too (``book_diagnosis``), so the Schedule page
shows the booking whether it was open or not. Start-up imports no solver: OR-Tools loads inside
the optimise task.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from ui.session_controller import describe_error
from ui.workers import TaskRunner

log = logging.getLogger(__name__)


def monday_of(t: datetime) -> datetime:
    return (t - timedelta(days=t.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)


class ScheduleDesk(QObject):
    board_changed = Signal(object)  # carvrooom_desktop.workshop.board.Board
    optimised = Signal(object)  # board.Optimised
    booked = Signal(object)  # board.Booked (from a diagnosis, or Book now)
    moved = Signal(object)  # scheduling.moves.MoveCheck of a move the store took
    diagnosis_booked = Signal(object, str, str)  # diagnosis id, what happened, tone: the AI Diagnosis page's answer
    message = Signal(str, str)  # text, tone ("good" | "warn" | "bad" | "idle")
    busy_changed = Signal(bool)

    def __init__(self, repo: Any | None, *, unavailable: str = "", clock: Callable[[], datetime] | None = None,
                 diagnoses: Any = None, days: int = 7, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.repo = repo
        self.unavailable = unavailable if repo is None else ""
        self.diagnoses = diagnoses  # DiagnosisRepository: "Book this job" from the AI Diagnosis page
        self.clock = clock or (lambda: datetime.now().astimezone())
        self.days = days
        self.window_start = monday_of(self.clock())
        self.board: Any = None
        self.reasons: dict[str, str] = {}  # why the last plan left jobs out
        self.last_optimised: Any = None
        self.runner = TaskRunner(self, max_threads=1)
        self.runner.busy_changed.connect(self.busy_changed)

    @property
    def available(self) -> bool:
        return self.repo is not None

    # -- reading ---------------------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.repo is None:
            return
        repo, now, start, days, reasons = self.repo, self.clock(), self.window_start, self.days, dict(self.reasons)

        def work():
            from carvrooom_desktop.workshop.board import load_board

            return load_board(repo, now=now, window_start=start, days=days, reasons=reasons)

        self.runner.submit(work, self._set_board, self._failed("Reading the schedule"), name="load schedule")

    def _set_board(self, board: Any) -> None:
        self.board = board
        self.board_changed.emit(board)

    def show_week(self, offset_weeks: int | None) -> None:
        """Move the window by whole weeks; None: this week."""
        if offset_weeks is None:
            self.window_start = monday_of(self.clock())
        else:
            self.window_start = self.window_start + timedelta(days=7 * offset_weeks)
        self.refresh()

    # -- changes -----------------------------------------------------------------------------------------

    def move(self, job_id: str, bay_id: str, technician_id: str | None, starts_at: datetime) -> None:
        if self.repo is None or self.board is None:
            return
        repo, board = self.repo, self.board

        def work():
            from carvrooom_desktop.workshop.board import move_job

            return move_job(repo, board, job_id, bay_id=bay_id, technician_id=technician_id, starts_at=starts_at)

        def done(check: Any) -> None:
            if check.ok:
                self.moved.emit(check)
                tail = f" ({'; '.join(check.warnings)})" if check.warnings else ""
                self.message.emit(f"Moved and pinned: {board.jobs[job_id].label} "
                                  f"{check.starts_at.astimezone(board.tz):%a %d %b %H:%M}{tail}", "warn" if tail else "good")
            else:
                self.message.emit(f"Not moved: {check.reason}", "bad")
            self.refresh()

        self.runner.submit(work, done, self._failed("Moving the job", refresh=True), name="move job")

    def add_job(self, job: Any, *, book: bool = False) -> None:
        """Save a job from the Add job dialog (``NewJob``); ``book``: at the earliest slot at once."""
        if self.repo is None:
            return
        repo, now, days = self.repo, self.clock(), self.days

        def work():
            from carvrooom_desktop.workshop.board import add_job, book_job

            job_id = add_job(repo, job)
            return book_job(repo, job_id, now=now, days=days) if book or job.urgency == "do not drive" else job_id

        def done(result: Any) -> None:
            if isinstance(result, str):
                self.message.emit(f"Job {job.reference or job.title} saved: press Optimise to plan it, or drag it in later", "good")
            else:
                self._report_booked(result)
            self.refresh()

        self.runner.submit(work, done, self._failed("Adding the job"), name="add job")

    def book_job(self, job_id: str) -> None:
        if self.repo is None:
            return
        repo, now, days = self.repo, self.clock(), self.days

        def work():
            from carvrooom_desktop.workshop.board import book_job

            return book_job(repo, job_id, now=now, days=days)

        self.runner.submit(work, self._booked_then_refresh, self._failed("Booking the job"), name="book job")

    def _booked_then_refresh(self, booked: Any) -> None:
        self._report_booked(booked)
        self.refresh()

    def book_diagnosis(self, diagnosis_id: Any) -> None:
        """The AI Diagnosis page's "Book this job": the diagnosis's repair job, booked at once."""
        why = ("the store is not open" if self.repo is None or self.diagnoses is None
               else "this diagnosis was not saved (the store is not open)" if diagnosis_id is None else "")
        if why:
            self.message.emit(f"Cannot book: {self.unavailable or why}", "bad")
            self.diagnosis_booked.emit(diagnosis_id, f"Cannot book: {self.unavailable or why}", "bad")
            return
        repo, diagnoses, now, days = self.repo, self.diagnoses, self.clock(), self.days

        def work():
            from carvrooom_desktop.workshop.board import book_diagnosis

            return book_diagnosis(repo, diagnoses.get(diagnosis_id), now=now, days=days)

        def done(booked: Any) -> None:
            self._report_booked(booked)
            self.diagnosis_booked.emit(diagnosis_id, booked.message, "good" if booked.bookings else "bad")
            self.refresh()

        def failed(exc: BaseException) -> None:
            self._failed("Booking the diagnosis's job")(exc)
            self.diagnosis_booked.emit(diagnosis_id, f"Not booked: {describe_error(exc)}", "bad")

        self.runner.submit(work, done, failed, name="book diagnosis")

    def release_pin(self, job_id: str) -> None:
        """Undo a manual move's pin: Optimise may move the job again."""
        if self.repo is None:
            return
        repo = self.repo

        def work() -> None:
            import uuid

            repo.pin_job(uuid.UUID(job_id))

        def done(_none: None) -> None:
            self.message.emit("Pin released: Optimise may move the job again", "good")
            self.refresh()

        self.runner.submit(work, done, self._failed("Releasing the pin"), name="release pin")

    def _report_booked(self, booked: Any) -> None:
        self.booked.emit(booked)
        tone = "good" if booked.bookings and not booked.warnings else "warn" if booked.bookings else "bad"
        extra = f" — {'; '.join(booked.warnings[:2])}" if booked.warnings else ""
        self.message.emit(booked.message + extra, tone)

    def optimise(self, *, time_limit_s: float = 10.0, deterministic: bool = False, seed: int = 0) -> None:
        if self.repo is None:
            return
        repo, now, days = self.repo, self.clock(), self.days
        self.message.emit(f"Optimising (dispatcher first, then CP-SAT for up to {time_limit_s:g} s)…", "idle")

        def work():
            from carvrooom_desktop.workshop.board import optimise

            return optimise(repo, now=now, days=days, time_limit_s=time_limit_s, deterministic=deterministic, random_seed=seed)

        def done(result: Any) -> None:
            self.last_optimised = result
            self.reasons = {u.job_id: u.reason for u in result.plan.unschedulable}
            self.optimised.emit(result)
            left = len(result.plan.unschedulable)
            self.message.emit(f"Plan written: {result.written} booking(s)" + (f", {left} job(s) not scheduled (see the list)" if left else "")
                              + ("" if result.shared else "; tentative until the shared database confirms them"),
                              "warn" if left else "good")
            self.refresh()

        self.runner.submit(work, done, self._failed("Optimising"), name="optimise")

    def export_ics(self, directory: str | Path, *, kind: str = "all", key: str | None = None) -> None:
        """Calendars of the week shown: every technician and bay (``all``), or one ``technician`` / ``bay``."""
        board = self.board
        if board is None:
            return

        def work() -> list[Path]:
            from carvrooom_desktop.workshop.scheduling.ics import calendar, write_calendars

            plan, problem = board.plan(), board.export_problem()
            if kind == "all":
                return write_calendars(plan, problem, directory)
            names = {b.id: b.name for b in problem.bays} if kind == "bay" else {t.id: t.name for t in problem.technicians}
            path = Path(directory)
            path.parent.mkdir(parents=True, exist_ok=True)
            text = calendar(plan, problem, bay_id=key if kind == "bay" else None, technician_id=key if kind == "technician" else None,
                            name=f"{names.get(key, key)} - workshop")
            path.write_bytes(text.encode("utf-8"))
            return [path]

        self.runner.submit(work, lambda paths: self.message.emit(
            f"Exported {len(paths)} calendar(s) to {Path(paths[0]).parent if paths else directory}" if paths
            else "Nothing booked this week: no calendar written", "good" if paths else "warn"),
            self._failed("Exporting calendars"), name="export ics")

    def load_example(self) -> None:
        """A demo workshop week (6 bays, 4 technicians, 25 jobs) into an empty store."""
        if self.repo is None:
            return
        repo, start = self.repo, self.window_start

        def work():
            from carvrooom_desktop.workshop.board import save_shop
            from carvrooom_desktop.workshop.scheduling.sample import sample_week

            local = start.replace(hour=8)
            return save_shop(repo, sample_week(25, 6, 4, seed=1, start=local))

        def done(ids: dict) -> None:
            self.message.emit(f"Example workshop saved: {len(ids['bays'])} bays, {len(ids['technicians'])} technicians, "
                              f"{len(ids['jobs'])} jobs. Press Optimise to plan the week.", "good")
            self.refresh()

        self.runner.submit(work, done, self._failed("Saving the example workshop"), name="example workshop")

    # -- errors and shutdown -------------------------------------------------------------------------------

    def _failed(self, what: str, *, refresh: bool = False) -> Callable[[BaseException], None]:
        def report(exc: BaseException) -> None:
            log.info("%s failed: %s", what, exc)
            self.message.emit(f"{what} failed: {describe_error(exc)}", "bad")
            if refresh:
                self.refresh()

        return report

    def wait(self) -> None:
        self.runner.wait()


__all__ = ["ScheduleDesk", "monday_of"]
