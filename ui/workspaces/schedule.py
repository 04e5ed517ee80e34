"""Schedule: the service manager's week — bays and technicians on a Gantt, drag to re-plan, optimise, export.

The page binds to a ``ScheduleDesk`` (ui/schedule_model.py), which does all store and solver work on
its worker thread. The one thing done here on the GUI thread is the live check while a booking is
dragged: the core's ``MoveChecker`` (compiled once per dragged job, well under a millisecond per slot)
says whether the job fits where the pointer is and, if not, why. A drop it accepts goes to the desk
(written and pinned there); one it refuses snaps back with the reason in the banner.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDoubleSpinBox,
    QFileDialog,
    QHeaderView,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.schedule_model import ScheduleDesk
from ui.table_model import Column, RowTableModel
from ui.theme import Theme
from ui.widgets.common import card, page_header, repolish, section_title, table_view
from ui.widgets.gantt import DropCheck, GanttBar, GanttRow, GanttView, state_colours

BY_BAY, BY_TECHNICIAN = "bay", "technician"
LEGEND = ("planned", "waiting parts", "in progress", "done", "late", "refused")


class _Unscheduled:
    def __init__(self, job: Any, reason: str) -> None:
        self.job, self.reason = job, reason


UNSCHEDULED_COLUMNS: tuple[Column[Any], ...] = (
    Column("Job", lambda u: u.job.label if u.job else "?", tooltip=lambda u: u.job.label if u.job else ""),
    Column("h", lambda u: f"{u.job.hours:g}" if u.job else "", align_right=True),
    Column("Needs", lambda u: f"{u.job.skill or 'no technician'} · {u.job.bay_type}" if u.job else ""),
    Column("Why not booked", lambda u: u.reason, tooltip=lambda u: u.reason,
           tone=lambda u: "" if u.reason.startswith("not booked yet") else "bad"),
)
WARNING_COLUMNS: tuple[Column[Any], ...] = (
    Column("Capacity warnings", lambda w: w, tooltip=lambda w: w,
           tone=lambda w: "bad" if "overloaded" in w or "refused" in w or "endangers" in w else "warn"),
)


class ScheduleWorkspace(QWidget):
    def __init__(self, theme: Theme, desk: ScheduleDesk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Workspace")
        self.theme = theme
        self.desk = desk
        self.mode = BY_BAY
        self.time_limit_s = 10.0
        self.deterministic = False  # tests: the solver's deterministic settings
        self._checkers: dict[str, Any] = {}
        self._chosen: dict[tuple[str, str, datetime], tuple[str, str | None]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(8)

        top = QHBoxLayout()
        top.addWidget(page_header("Schedule", "Bays and technicians for the week. Drag a booking to move it or give it to "
                                  "another bay or technician (checked as you drag); Optimise re-plans the open jobs."), 1)
        self.store_chip = QLabel("")
        self.store_chip.setObjectName("StateChip")
        top.addWidget(self.store_chip, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        layout.addWidget(self._build_toolbar())
        self.banner = QLabel("")
        self.banner.setObjectName("Banner")
        self.banner.setWordWrap(True)
        layout.addWidget(self.banner)
        self.plan_label = QLabel("")
        self.plan_label.setObjectName("Muted")
        self.plan_label.setWordWrap(True)
        self.plan_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.plan_label)

        split = QSplitter(Qt.Orientation.Vertical)
        gantt_frame, gantt_body = card(spacing=4)
        self.gantt = GanttView(theme)
        self.gantt.drop_check = self._check_drop
        self.gantt.bar_dropped.connect(self._dropped)
        self.gantt.drop_refused.connect(lambda _bar, reason: self._set_banner(f"Not moved: {reason}", "bad"))
        self.gantt.hover_checked.connect(self._hovered)
        self.gantt.bar_clicked.connect(self._clicked)
        self.gantt.bar_menu_requested.connect(self._bar_menu)
        gantt_body.addWidget(self.gantt, 1)
        self.legend = QHBoxLayout()
        gantt_body.addLayout(self.legend)
        split.addWidget(gantt_frame)
        split.addWidget(self._build_lists())
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([460, 170])
        layout.addWidget(split, 1)
        self._build_legend()

        desk.board_changed.connect(self.show_board)
        desk.message.connect(self._set_banner)
        desk.optimised.connect(self.show_optimised)
        desk.busy_changed.connect(self._busy)
        if desk.available:
            self._set_banner("Reading the schedule…", "idle")
            desk.refresh()
        else:
            self.set_unavailable(desk.unavailable or "the store is not open")

    # -- building ------------------------------------------------------------------------------------

    def _build_toolbar(self) -> QWidget:
        frame, body = card(spacing=4)
        row = QHBoxLayout()
        self.prev_button = QPushButton("◀")
        self.prev_button.setToolTip("Previous week")
        self.prev_button.clicked.connect(lambda: self.desk.show_week(-1))
        self.today_button = QPushButton("This week")
        self.today_button.clicked.connect(lambda: self.desk.show_week(None))
        self.next_button = QPushButton("▶")
        self.next_button.setToolTip("Next week")
        self.next_button.clicked.connect(lambda: self.desk.show_week(1))
        self.week_label = QLabel("")
        self.week_label.setObjectName("SectionTitle")
        self.by_bay = QPushButton("By bay")
        self.by_tech = QPushButton("By technician")
        self.views = QButtonGroup(self)
        for b, key in ((self.by_bay, BY_BAY), (self.by_tech, BY_TECHNICIAN)):
            b.setCheckable(True)
            self.views.addButton(b)
            b.clicked.connect(lambda _=False, k=key: self.set_mode(k))
        self.by_bay.setChecked(True)
        self.add_button = QPushButton("Add job…")
        self.add_button.clicked.connect(self.open_add_job)
        self.example_button = QPushButton("Load example workshop")
        self.example_button.setToolTip("6 bays, 4 technicians and 25 jobs for this week, to try the page")
        self.example_button.clicked.connect(self.desk.load_example)
        self.example_button.hide()
        self.limit = QDoubleSpinBox()
        self.limit.setRange(1, 120)
        self.limit.setDecimals(0)
        self.limit.setValue(self.time_limit_s)
        self.limit.setSuffix(" s")
        self.limit.setToolTip("Time the optimiser may take (the dispatcher's plan is ready at once)")
        self.limit.valueChanged.connect(lambda v: setattr(self, "time_limit_s", v))
        self.optimise_button = QPushButton("Optimise")
        self.optimise_button.setObjectName("PrimaryButton")
        self.optimise_button.setToolTip("Re-plan every open job (frozen: work started; kept: your pins)")
        self.optimise_button.clicked.connect(self.optimise)
        self.export_button = QToolButton()
        self.export_button.setText("Export .ics")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_menu = QMenu(self.export_button)
        self.export_menu.aboutToShow.connect(self._fill_export_menu)
        self.export_button.setMenu(self.export_menu)
        for w in (self.prev_button, self.today_button, self.next_button):
            row.addWidget(w)
        row.addSpacing(8)
        row.addWidget(self.week_label)
        row.addStretch(1)
        row.addWidget(self.by_bay)
        row.addWidget(self.by_tech)
        row.addSpacing(12)
        for tool in (self.example_button, self.add_button, QLabel("Limit"), self.limit, self.optimise_button, self.export_button):
            row.addWidget(tool)
        body.addLayout(row)
        return frame

    def _build_lists(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        warn_frame, warn_body = card(spacing=2)
        self.warning_title = section_title("Capacity")
        warn_body.addWidget(self.warning_title)
        self.warning_model = RowTableModel(WARNING_COLUMNS, self)
        self.warning_view = table_view(self.warning_model)
        self.warning_view.horizontalHeader().setVisible(False)
        warn_body.addWidget(self.warning_view, 1)
        row.addWidget(warn_frame, 1)
        left_frame, left_body = card(spacing=2)
        self.unscheduled_title = section_title("Not booked")
        left_body.addWidget(self.unscheduled_title)
        self.unscheduled_model = RowTableModel(UNSCHEDULED_COLUMNS, self)
        self.unscheduled_view = table_view(self.unscheduled_model, stretch_column=3)
        self.unscheduled_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.unscheduled_view.horizontalHeader().resizeSection(0, 190)
        self.unscheduled_view.doubleClicked.connect(self._book_unscheduled)
        self.unscheduled_view.setToolTip("Double-click a job to book it at the earliest free slot")
        left_body.addWidget(self.unscheduled_view, 1)
        row.addWidget(left_frame, 1)
        return box

    def _build_legend(self) -> None:
        while self.legend.count():
            item = self.legend.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for state in LEGEND:
            fill, border, text = state_colours(self.theme, state)
            chip = QLabel(state)
            chip.setStyleSheet(f"QLabel {{ color: {text}; background: {fill}; border: 1px solid {border}; border-radius: 3px; "
                               "padding: 0 6px; }")
            self.legend.addWidget(chip)
        fill, border, text = state_colours(self.theme, "tentative")
        dashed = QLabel("tentative until the shared database confirms it")
        dashed.setStyleSheet(f"QLabel {{ color: {text}; background: {fill}; border: 1px dashed {border}; border-radius: 3px; "
                             "padding: 0 6px; }")
        self.legend.addWidget(dashed)
        self.legend.addStretch(1)
        self.hint = QLabel("Double-click a job under Not booked to book it")
        self.hint.setObjectName("Muted")
        self.legend.addWidget(self.hint)

    # -- state from the desk ------------------------------------------------------------------------------

    def set_unavailable(self, why: str) -> None:
        self._set_banner(f"The schedule needs the store, which is not open: {why}. Nothing can be booked until it is.", "bad")
        self.store_chip.setText("Store unavailable")
        self.store_chip.setProperty("tone", "bad")
        repolish(self.store_chip)
        for w in (self.add_button, self.optimise_button, self.export_button, self.prev_button, self.next_button, self.today_button):
            w.setEnabled(False)
        start = datetime.combine(datetime.now().date() - timedelta(days=datetime.now().weekday()), time(8)).astimezone()
        self.gantt.set_content([(start + timedelta(days=d), start + timedelta(days=d, hours=9)) for d in range(5)], [], [])

    def show_board(self, board: Any) -> None:
        self.board = board
        self._checkers.clear()
        self._chosen.clear()
        end = board.window_end - timedelta(days=1)
        self.week_label.setText(f"Week {board.window_start:%d %b} – {end:%d %b %Y}")
        shared = board.shared
        self.store_chip.setText("Shared database: bookings confirmed" if shared else "Embedded store: bookings tentative")
        self.store_chip.setProperty("tone", "good" if shared else "warn")
        self.store_chip.setToolTip("" if shared else "Bookings made here are tentative until the shared workshop database confirms them")
        repolish(self.store_chip)
        self.example_button.setVisible(not board.problem.bays)
        self._redraw()
        self.warning_model.set_rows(list(board.warnings))
        overloaded = sum(1 for d in board.load if d.overloaded)
        self.warning_title.setText(f"Capacity — {len(board.warnings)} warning(s)" + (f", {overloaded} overloaded day(s)" if overloaded else "")
                                   if board.warnings else "Capacity — no warnings")
        rows = [_Unscheduled(board.jobs.get(u.job_id), u.reason) for u in board.unscheduled]
        self.unscheduled_model.set_rows(rows)
        self.unscheduled_title.setText(f"Not booked — {len(rows)} job(s)" if rows else "Not booked — every open job is booked")
        if not board.problem.bays:
            self._set_banner("No bays or technicians yet: add them with `carvrooom schedule add bay|technician`, or load the "
                             "example workshop to try the page.", "idle")
        elif self.banner.text() in ("", "Reading the schedule…"):
            self._set_banner(f"{len(board.live())} booking(s) this week. Drag one to move it.", "idle")

    def show_optimised(self, result: Any) -> None:
        p = result.plan
        bound = f"{p.best_bound:.0f}" if p.best_bound not in (float("inf"), float("-inf")) else "–"
        self.plan_label.setText(
            f"Last plan: {p.status} ({p.solver}) · objective {p.objective} · dispatcher {p.greedy_objective} · best bound {bound} · "
            f"gap {p.gap:.1%} · {p.wall_time_s:.1f} s (first plan {p.first_plan_s * 1000:.0f} ms) · weighted lateness "
            f"{p.weighted_lateness} min (dispatcher {p.greedy_weighted_lateness} min)"
            + (f" · {len(p.moved)} promised job(s) moved" if p.moved else ""))

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        (self.by_bay if mode == BY_BAY else self.by_tech).setChecked(True)
        self._chosen.clear()
        self._redraw()

    def _redraw(self) -> None:
        board = getattr(self, "board", None)
        if board is None:
            return
        tz = board.tz
        windows = self._windows(board)
        if self.mode == BY_BAY:
            rows = [GanttRow(b.id, b.name, b.bay_type, tuple(b.out_of_service)) for b in board.problem.bays]
        else:
            rows = [GanttRow(t.id, t.name, ", ".join(sorted(t.skills)), _off_times(t, windows)) for t in board.problem.technicians]
        bays = {b.id: b.name for b in board.problem.bays}
        techs = {t.id: t.name for t in board.problem.technicians}
        bars = []
        for b in board.bookings:
            row = b.bay_id if self.mode == BY_BAY else b.technician_id
            if row is None:
                continue
            job = board.jobs.get(b.job_id)
            state = board.state_of(b)
            short = job.reference if job is not None else b.job_id[:8]
            label = job.title if job is not None and job.title != short else ""
            tip = [job.label if job else b.job_id, f"{b.starts_at.astimezone(tz):%a %d %b %H:%M}–{b.ends_at.astimezone(tz):%H:%M}",
                   f"bay {bays.get(b.bay_id, '?')}" + (f", {techs.get(b.technician_id, '?')}" if b.technician_id else ""),
                   f"state: {state}" + (" (tentative until the shared database confirms it)" if b.status == "tentative" else "")]
            if job is not None:
                tip.append(f"{job.hours:g} h, skill {job.skill or '—'}, {job.bay_type}, priority {job.priority}"
                           + (", customer waiting" if job.customer_waiting else ""))
                if job.promised_at:
                    tip.append(f"promised {job.promised_at.astimezone(tz):%a %d %b %H:%M}")
                if job.parts:
                    tip.append("parts: " + ", ".join(f"{p.name} ({p.state}{', ETA ' + format(p.eta.astimezone(tz), '%a %H:%M') if p.eta else ''})"
                                                     for p in job.parts))
                if job.pin is not None:
                    tip.append("pinned here by hand (Optimise keeps it)")
            if b.reason:
                tip.append(b.reason)
            bars.append(GanttBar(b.id, b.job_id, row, b.starts_at.astimezone(tz), b.ends_at.astimezone(tz), label, state,
                                 b.status == "tentative", "\n".join(tip), short))
        notes = {}
        for d in board.load:
            tone = "bad" if d.overloaded else "warn" if d.share >= 0.9 else ""
            notes[d.day.date()] = (f"{d.share:.0%}", tone)
        self.gantt.set_content(windows, rows, bars, board.now.astimezone(tz), notes)

    @staticmethod
    def _windows(board: Any) -> list[tuple[datetime, datetime]]:
        tz = board.tz
        hours = board.problem.opening_hours
        out = []
        first = board.window_start.astimezone(tz).date()
        for d in range(board.days):
            day = first + timedelta(days=d)
            spans = [(h.opens_minute, h.closes_minute) for h in hours if h.weekday == day.weekday()]
            if not spans:
                continue
            midnight = datetime.combine(day, time(0), tzinfo=tz)
            out.append((midnight + timedelta(minutes=min(a for a, _ in spans)), midnight + timedelta(minutes=max(b for _, b in spans))))
        return out

    # -- dragging ------------------------------------------------------------------------------------------

    def _checker(self, job_id: str) -> Any:
        if job_id not in self._checkers:
            self._checkers[job_id] = self.board.checker(job_id)
        return self._checkers[job_id]

    def _check_drop(self, bar: GanttBar, row: str, start: datetime) -> DropCheck:
        """The core's answer for the whole job, with the row's bay or technician; the other resource is kept, else any free one."""
        board = getattr(self, "board", None)
        if board is None or not self.desk.available:
            return DropCheck(False, "the store is not open")
        mine = sorted((b for b in board.live() if b.job_id == bar.group), key=lambda b: b.starts_at)
        if not mine:
            return DropCheck(False, "this booking is no longer in the plan")
        job_start = start - (bar.starts_at - mine[0].starts_at)
        checker = self._checker(bar.group)
        job = board.jobs[bar.group]
        if self.mode == BY_BAY:
            others = [t.id for t in board.problem.technicians if job.skill and job.skill in t.skills and t.id != mine[0].technician_id]
            options = [(row, mine[0].technician_id)] + [(row, t) for t in others]
        else:
            others = [b.id for b in board.problem.bays if b.takes(job.bay_type) and b.id != mine[0].bay_id]
            options = [(mine[0].bay_id, row)] + [(b, row) for b in others]
        first = None
        for bay_id, tech_id in options:
            check = checker.check(bay_id, tech_id, job_start)
            if check.ok:
                self._chosen[(bar.id, row, start)] = (bay_id, tech_id)
                note = "; ".join(check.warnings)
                if (bay_id, tech_id) != options[0]:
                    other = next((b.name for b in board.problem.bays if b.id == bay_id), "") if self.mode != BY_BAY else \
                        next((t.name for t in board.problem.technicians if t.id == tech_id), "")
                    note = f"with {other}" + (f"; {note}" if note else "")
                return DropCheck(True, "", note)
            first = first or check
        return DropCheck(False, first.reason if first else "no bay or technician can take it")

    def _hovered(self, ok: bool, text: str) -> None:
        if ok:
            self._set_banner("Fits here" + (f" — {text}" if text else "") + ". Release to move it.", "warn" if text and "promise" in text else "good")
        else:
            self._set_banner(f"Does not fit: {text}", "bad")

    def _dropped(self, bar: GanttBar, row: str, start: datetime) -> None:
        chosen = self._chosen.get((bar.id, row, start))
        if chosen is None:  # dropped through drag_bar without a hover: the check ran just now
            self._check_drop(bar, row, start)
            chosen = self._chosen.get((bar.id, row, start))
        if chosen is None:
            return
        mine = min((b for b in self.board.live() if b.job_id == bar.group), key=lambda b: b.starts_at)
        self._set_banner("Moving…", "idle")
        self.desk.move(bar.group, chosen[0], chosen[1], start - (bar.starts_at - mine.starts_at))

    def bar_actions(self, bar: GanttBar) -> list[tuple[str, Callable[[], None]]]:
        """What the right-click menu of a booking offers (text, action)."""
        job = self.board.jobs.get(bar.group) if getattr(self, "board", None) is not None else None
        if job is None or not self.desk.available or bar.state in ("done", "in progress"):
            return []
        actions: list[tuple[str, Callable[[], None]]] = [
            ("Book at the earliest free slot", lambda: self.desk.book_job(job.id))]
        if job.pin is not None:
            actions.append(("Release the pin (Optimise may move it)", lambda: self.desk.release_pin(job.id)))
        return actions

    def _bar_menu(self, bar: GanttBar, where: Any) -> None:
        actions = self.bar_actions(bar)
        if not actions:
            return
        menu = QMenu(self)
        for text, run in actions:
            menu.addAction(text, self._menu_action(run))
        menu.exec(where)

    @staticmethod
    def _menu_action(run: Callable[[], None]) -> Callable[..., None]:
        def action(*_checked: object) -> None:  # QAction.triggered passes "checked"
            run()

        return action

    def _clicked(self, bar: GanttBar) -> None:
        self._set_banner(bar.tooltip.replace("\n", " · "), "idle")

    # -- actions ---------------------------------------------------------------------------------------------

    def optimise(self) -> None:
        self.desk.optimise(time_limit_s=self.time_limit_s, deterministic=self.deterministic)

    def open_add_job(self) -> None:
        from ui.widgets.job_dialog import AddJobDialog

        board = getattr(self, "board", None)
        if board is None:
            return
        skills = sorted({s for t in board.problem.technicians for s in t.skills})
        kinds = sorted({b.bay_type for b in board.problem.bays} | {k for b in board.problem.bays for k in b.serves})
        open_jobs = [(j.id, j.label) for j in board.problem.jobs if j.state not in ("done", "cancelled")]
        dialog = AddJobDialog(now=self.desk.clock().astimezone(board.tz), skills=skills, bay_types=kinds, open_jobs=open_jobs, parent=self)
        self._dialog = dialog  # tests fill it in
        if dialog.exec():
            self.desk.add_job(dialog.job(), book=dialog.book)

    def _book_unscheduled(self, index) -> None:
        row = self.unscheduled_model.row_at(index.row())
        if row.job is not None:
            self._set_banner(f"Booking {row.job.label}…", "idle")
            self.desk.book_job(row.job.id)

    def _fill_export_menu(self) -> None:
        menu = self.export_menu
        menu.clear()
        menu.addAction("Every technician and bay (one file each)…", self._menu_action(self.export_calendars))
        board = getattr(self, "board", None)
        if board is None:
            return
        for kind, title, items in (("technician", "One technician", board.problem.technicians), ("bay", "One bay", board.problem.bays)):
            sub = menu.addMenu(title)
            for it in items:
                sub.addAction(it.name, self._menu_action(functools.partial(self.export_calendars, kind=kind, key=it.id, name=it.name)))

    def export_calendars(self, target: str | None = None, *, kind: str = "all", key: str | None = None, name: str = "") -> None:
        """Write .ics calendars of the week shown (asks where when ``target`` is None)."""
        if target is None:
            if kind == "all":
                target = QFileDialog.getExistingDirectory(self, "Export calendars to")
            else:
                target, _ = QFileDialog.getSaveFileName(self, "Export calendar", f"{kind}-{name or key}.ics", "iCalendar (*.ics)")
            if not target:
                return
        self.desk.export_ics(target, kind=kind, key=key)

    # -- look ------------------------------------------------------------------------------------------------

    def _busy(self, busy: bool) -> None:
        for w in (self.optimise_button, self.add_button, self.example_button):
            w.setEnabled(not busy and self.desk.available)
        self.optimise_button.setText("Optimising…" if busy and self.banner.text().startswith("Optimising") else "Optimise")

    def _set_banner(self, text: str, tone: str) -> None:
        self.banner.setText(text)
        self.banner.setProperty("tone", tone)
        repolish(self.banner)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.gantt.apply_theme(theme)
        self._build_legend()


def _off_times(tech: Any, windows: list[tuple[datetime, datetime]]) -> tuple[tuple[datetime, datetime], ...]:
    """When a technician is not available inside the opening windows: off shift, breaks, absences."""
    out: list[tuple[datetime, datetime]] = []
    for opens, closes in windows:
        midnight = opens.replace(hour=0, minute=0)
        working: list[tuple[datetime, datetime]] = []
        for shift in tech.shifts:
            if shift.weekday != opens.weekday():
                continue
            pieces = [(shift.starts_minute, shift.ends_minute)]
            for br in shift.breaks:
                pieces = [p for a, b in pieces for p in ((a, min(b, br.starts_minute)), (max(a, br.ends_minute), b)) if p[1] > p[0]]
            working += [(midnight + timedelta(minutes=a), midnight + timedelta(minutes=b)) for a, b in pieces]
        t = opens
        for a, b in sorted(working):
            if a > t:
                out.append((t, min(a, closes)))
            t = max(t, b)
        if t < closes:
            out.append((t, closes))
        for absence in tech.absences:
            a, b = max(absence.starts_at, opens), min(absence.ends_at, closes)
            if b > a:
                out.append((a, b))
    return tuple((a, b) for a, b in out if b > a)


__all__ = ["BY_BAY", "BY_TECHNICIAN", "ScheduleWorkspace"]
