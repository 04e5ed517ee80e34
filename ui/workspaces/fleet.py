"""Fleet: every car the workshop looks after, its health over time, what is due, and live telematics.

A vehicle table with filters (make, model year, customer, site) and the fleet's KPIs on top; tabs
(ordered for the workstation's role by ``carvrooom_desktop.fleet.roles``) for the selected car
(health over time against the fleet's monthly mean, wear, due items and its history), maintenance
due soon / overdue, DTC frequency, comebacks, the workshop (bay utilisation, technician hours,
warranty cost per part category) and the telematics intake's live counters. The page only asks
through ``*_requested`` signals; :class:`FleetDesk` does the store and broker work off the GUI thread.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from carvrooom_desktop.fleet.queries import FleetFilter
from carvrooom_desktop.fleet.roles import sections_for
from carvrooom_desktop.fleet.systems import plain_name
from ui.table_model import Column, RowTableModel
from ui.theme import Theme
from ui.widgets.common import card, page_header, section_title, table_view
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from carvrooom_desktop.fleet.history import VehicleHistory
    from carvrooom_desktop.fleet.queries import FleetVehicle, FleetView
    from carvrooom_desktop.telematics.stats import IntakeSnapshot


def _score(s: float | None) -> str:
    return "–" if s is None else f"{s:.0f}"


def _score_tone(s: float | None) -> str:
    return "" if s is None else "good" if s >= 80 else "warn" if s >= 50 else "bad"


def _trend(v: FleetVehicle) -> str:
    """The last visits' scores as a tiny bar chart (a column of text, no plot per row)."""
    bars = "▁▂▃▄▅▆▇█"
    scores = [s for _d, s in v.history[-8:] if s is not None]
    return "".join(bars[min(7, int(s / 100 * 7.99))] for s in scores)


DUE_TONE = {"overdue": "bad", "due soon": "warn", "ok": ""}
VEHICLE_COLUMNS: tuple[Column[Any], ...] = (
    Column("VIN", lambda v: v.vin),
    Column("Car", lambda v: v.label),
    Column("Customer", lambda v: v.customer),
    Column("Site", lambda v: v.site),
    Column("Health", lambda v: _score(v.health_score), align_right=True, tone=lambda v: _score_tone(v.health_score),
           tooltip=lambda v: "as found on arrival at the newest visit" + ("; open: " + "; ".join(f["summary"] for f in v.open_findings)
                                                                          if v.open_findings else "")),
    Column("Trend", _trend, tooltip=lambda v: ", ".join(f"{d:%d %b}: {_score(s)}" for d, s in v.history[-8:])),
    Column("Open codes", lambda v: " ".join(v.open_codes) or "–", tone=lambda v: "bad" if v.open_codes else ""),
    Column("Maintenance", lambda v: v.worst_due, tone=lambda v: DUE_TONE.get(v.worst_due, ""),
           tooltip=lambda v: f"{v.daily_km:.0f} km a day; " + "; ".join(f"{d.title} {d.status}" for d in v.due if d.status != "ok")),
)
DUE_COLUMNS: tuple[Column[Any], ...] = (
    Column("Status", lambda d: d.status, tone=lambda d: DUE_TONE.get(d.status, "")),
    Column("VIN", lambda d: d.vin),
    Column("Item", lambda d: d.title),
    Column("Due", lambda d: d.due_date.isoformat() if d.due_date else "–"),
    Column("Days", lambda d: "–" if d.days_left is None else str(d.days_left), align_right=True),
    Column("km left", lambda d: "–" if d.km_left is None else f"{d.km_left:,.0f}", align_right=True),
)
DTC_COLUMNS: tuple[Column[Any], ...] = (
    Column("Code", lambda d: d.code),
    Column("Seen", lambda d: f"{d.occurrences:,}", align_right=True),
    Column("Cars", lambda d: f"{d.vehicles:,}", align_right=True),
    Column("Description", lambda d: _describe(d.code)),
)
COMEBACK_COLUMNS: tuple[Column[Any], ...] = (
    Column("VIN", lambda c: c.vin),
    Column("System", lambda c: plain_name(c.system)),
    Column("Repaired", lambda c: c.repaired_on.isoformat()),
    Column("Back", lambda c: c.back_on.isoformat()),
    Column("Days", lambda c: str(c.days), align_right=True, tone=lambda c: "bad" if c.days <= 7 else "warn"),
)
HOURS_COLUMNS: tuple[Column[Any], ...] = (
    Column("Name", lambda r: r.name),
    Column("Hours", lambda r: f"{r.hours:,.0f}", align_right=True),
    Column("Jobs", lambda r: f"{r.jobs:,}", align_right=True),
    Column("Use", lambda r: "–" if r.utilisation is None else f"{r.utilisation:.0%}", align_right=True),
)
COST_COLUMNS: tuple[Column[Any], ...] = (
    Column("Part category", lambda p: p.part_category.replace("_", " ")),
    Column("Claims", lambda p: f"{p.claims:,}", align_right=True),
    Column("Cost", lambda p: f"{p.amount_cents / 100:,.2f}", align_right=True),
)
HISTORY_COLUMNS: tuple[Column[Any], ...] = (
    Column("When", lambda e: e.when.isoformat()),
    Column("What", lambda e: e.kind),
    Column("Summary", lambda e: e.summary, tooltip=lambda e: e.summary),
)
REJECT_COLUMNS: tuple[Column[Any], ...] = (
    Column("Reason", lambda r: r[0].replace("_", " "), tone=lambda r: "bad"),
    Column("Detail", lambda r: r[1], tooltip=lambda r: r[2]),
)
TAB_TITLES = {"vehicles": "Vehicle", "due": "Due", "dtc_frequency": "Codes", "comebacks": "Comebacks", "bays": "Workshop",
              "technicians": "Workshop", "warranty_cost": "Workshop", "telematics": "Telematics"}
KPI_LABELS = (("vehicles", "Cars"), ("mean_health", "Mean health"), ("overdue", "Overdue"), ("due_soon", "Due soon"),
              ("open_codes", "Open codes"), ("comebacks", "Comebacks"), ("technician_hours", "Technician h"),
              ("warranty_cost", "Warranty cost"))


def _describe(code: str) -> str:
    from drivers.obd.dtc_codes import describe

    return describe(code).description


class FleetDesk(QObject):
    """The Fleet page's model: fleet queries and a car's history on a worker thread, and the telematics intake."""

    view_loaded = Signal(object)  # FleetView
    history_loaded = Signal(object)  # VehicleHistory
    choices_loaded = Signal(object)  # dict of filter choices
    failed = Signal(str)
    telematics_changed = Signal(object)  # IntakeSnapshot

    def __init__(self, store: Any | None, *, unavailable: str = "", today: date | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = getattr(store, "engine", None)
        self.today = today  # None: the fleet as of today (a test or a demo fixes the day its data ends on)
        self.unavailable = unavailable or "the store could not be opened"
        self.runner = TaskRunner(self, max_threads=1)
        self.intake: Any = None
        self._timer = QTimer(self)
        self._timer.setInterval(500)
        self._timer.timeout.connect(self._poll)

    def refresh(self, flt: FleetFilter) -> None:
        if self.engine is None:
            self.failed.emit(self.unavailable)
            return
        from carvrooom_desktop.fleet.queries import filter_choices, load_fleet

        engine = self.engine
        self.runner.submit(lambda: filter_choices(engine), self.choices_loaded.emit, lambda e: self.failed.emit(str(e)), name="fleet choices")
        self.runner.submit(lambda: load_fleet(engine, flt, self.today), self.view_loaded.emit, lambda e: self.failed.emit(str(e)), name="fleet")

    def open_vehicle(self, vin: str) -> None:
        if self.engine is None:
            return
        from carvrooom_desktop.fleet.history import vehicle_history

        engine = self.engine
        self.runner.submit(lambda: vehicle_history(engine, vin), self.history_loaded.emit, lambda e: self.failed.emit(str(e)), name="history")

    def listen(self, broker: str) -> None:
        if self.engine is None:
            self.failed.emit(self.unavailable)
            return
        from carvrooom_desktop.errors import CarVrooomError
        from carvrooom_desktop.telematics.intake import TelematicsIntake

        self.stop_listening()
        try:
            intake = TelematicsIntake(self.engine, broker, client_id="carvrooom-fleet-page")
            intake.start()
        except CarVrooomError as e:
            self.failed.emit(str(e))
            return
        self.intake = intake
        self._timer.start()

    def stop_listening(self) -> None:
        intake, self.intake = self.intake, None
        self._timer.stop()
        if intake is not None:
            intake.stop()
            self.telematics_changed.emit(intake.snapshot())

    def _poll(self) -> None:
        if self.intake is not None:
            self.telematics_changed.emit(self.intake.snapshot())

    def wait(self) -> None:
        self.stop_listening()
        self.runner.wait()


class FleetWorkspace(QWidget):
    refresh_requested = Signal(object)  # FleetFilter
    vehicle_requested = Signal(str)  # VIN
    listen_requested = Signal(str)  # broker URL
    stop_listening_requested = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None, *, role: Callable[[], str] = lambda: "fleet manager",
                 desk: FleetDesk | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Workspace")
        self._theme = theme
        self._view: FleetView | None = None
        self._role = role
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 12)
        layout.setSpacing(10)
        top = QHBoxLayout()
        top.addWidget(page_header("Fleet", "Every car the workshop looks after: health over time, open codes, what is due, "
                                  "work that came back, the workshop's hours and warranty cost, and live telematics."), 1)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("PrimaryButton")
        self.refresh_button.clicked.connect(self.request_refresh)
        top.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        layout.addWidget(self._filters())
        layout.addWidget(self._kpis())
        self.message = QLabel("")
        self.message.setObjectName("Muted")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._vehicle_panel())
        self.tabs = QTabWidget()
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([900, 600])
        layout.addWidget(split, 1)
        self._build_tabs(theme)
        if desk is not None:
            self.bind(desk)

    # -- construction ---------------------------------------------------------------------------------

    def _filters(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.filters: dict[str, QComboBox] = {}
        for key, label in (("make", "Make"), ("year", "Model year"), ("customer", "Customer"), ("site", "Site")):
            row.addWidget(QLabel(label))
            combo = QComboBox()
            combo.addItem("All", None)
            combo.setMinimumWidth(120)
            combo.currentIndexChanged.connect(lambda _i: self.request_refresh())
            self.filters[key] = combo
            row.addWidget(combo)
        row.addStretch(1)
        self.role_label = QLabel("")
        self.role_label.setObjectName("Muted")
        row.addWidget(self.role_label)
        return box

    def _kpis(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.kpi_values: dict[str, QLabel] = {}
        for key, label in KPI_LABELS:
            frame, body = card(spacing=0)
            value = QLabel("–")
            value.setObjectName("KpiValue")
            value.setStyleSheet("font-size: 18px; font-weight: 600;")
            caption = QLabel(label)
            caption.setObjectName("Muted")
            body.addWidget(value)
            body.addWidget(caption)
            self.kpi_values[key] = value
            row.addWidget(frame, 1)
        return box

    def _vehicle_panel(self) -> QWidget:
        frame, body = card()
        body.addWidget(section_title("Vehicles"))
        self.vehicle_model: RowTableModel = RowTableModel(VEHICLE_COLUMNS, self)
        self.vehicle_table = table_view(self.vehicle_model)
        self.vehicle_table.selectionModel().currentRowChanged.connect(self._vehicle_selected)
        body.addWidget(self.vehicle_table, 1)
        return frame

    def _table_tab(self, title: str, columns: Sequence[Column[Any]], stretch: int = -1) -> tuple[QWidget, RowTableModel]:
        frame, body = card()
        body.addWidget(section_title(title))
        model: RowTableModel = RowTableModel(columns, self)
        body.addWidget(table_view(model, stretch_column=stretch), 1)
        return frame, model

    def _build_tabs(self, theme: Theme) -> None:
        pages: dict[str, QWidget] = {}
        pages["vehicles"] = self._car_tab(theme)
        pages["due"], self.due_model = self._table_tab("Maintenance overdue and due soon (from each car's daily distance)", DUE_COLUMNS, 2)
        pages["dtc_frequency"], self.dtc_model = self._table_tab("Trouble codes across the fleet", DTC_COLUMNS, 3)
        pages["comebacks"], self.comeback_model = self._table_tab("Back within 30 days of a repair", COMEBACK_COLUMNS, 1)
        pages["bays"] = self._workshop_tab()
        pages["telematics"] = self._telematics_tab()
        self._pages = pages
        self.set_role(self._role())

    def _car_tab(self, theme: Theme) -> QWidget:
        import pyqtgraph as pg

        frame, body = card()
        self.car_title = section_title("Select a car")
        body.addWidget(self.car_title)
        self.plot = pg.PlotWidget()
        self.plot.setMinimumHeight(160)
        self.plot.setYRange(0, 105)
        self.plot.setLabel("left", "health")
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.plot.setAxisItems({"bottom": pg.DateAxisItem()})
        body.addWidget(self.plot, 2)
        self.car_facts = QLabel("")
        self.car_facts.setWordWrap(True)
        body.addWidget(self.car_facts)
        self.history_model: RowTableModel = RowTableModel(HISTORY_COLUMNS, self)
        body.addWidget(table_view(self.history_model, stretch_column=2), 3)
        self.apply_theme(theme)
        return frame

    def _workshop_tab(self) -> QWidget:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        bays, self.bay_model = self._table_tab("Bays: booked hours and use of open hours", HOURS_COLUMNS, 0)
        techs, self.tech_model = self._table_tab("Technicians: booked hours", HOURS_COLUMNS[:3], 0)
        costs, self.cost_model = self._table_tab("Warranty cost per part category", COST_COLUMNS, 0)
        grid.addWidget(bays, 0, 0)
        grid.addWidget(techs, 0, 1)
        grid.addWidget(costs, 1, 0, 1, 2)
        return box

    def _telematics_tab(self) -> QWidget:
        frame, body = card()
        body.addWidget(section_title("Telematics over MQTT"))
        row = QHBoxLayout()
        self.broker_edit = QLineEdit("mqtt://127.0.0.1:1883")
        self.listen_button = QPushButton("Listen")
        self.listen_button.setCheckable(True)
        self.listen_button.toggled.connect(self._listen_toggled)
        row.addWidget(self.broker_edit, 1)
        row.addWidget(self.listen_button)
        body.addLayout(row)
        self.telematics_label = QLabel("Not listening. Cars publish to carvrooom/v1/WORKSHOP/VIN/data (try: carvrooom simulate --mqtt).")
        self.telematics_label.setWordWrap(True)
        self.telematics_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body.addWidget(self.telematics_label)
        body.addWidget(section_title("Refused, with the reason"))
        self.reject_model: RowTableModel = RowTableModel(REJECT_COLUMNS, self)
        body.addWidget(table_view(self.reject_model, stretch_column=1), 1)
        return frame

    # -- binding ----------------------------------------------------------------------------------------

    def bind(self, desk: FleetDesk) -> None:
        self.refresh_requested.connect(desk.refresh)
        self.vehicle_requested.connect(desk.open_vehicle)
        self.listen_requested.connect(desk.listen)
        self.stop_listening_requested.connect(desk.stop_listening)
        desk.view_loaded.connect(self.show_view)
        desk.history_loaded.connect(self.show_history)
        desk.choices_loaded.connect(self.set_choices)
        desk.failed.connect(self.show_problem)
        desk.telematics_changed.connect(self.show_telematics)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        if hasattr(self, "plot"):
            self.plot.setBackground(theme.plot_background)

    def set_role(self, role: str) -> None:
        self.role_label.setText(f"View for: {role}")
        current = self.tabs.currentWidget()
        self.tabs.clear()
        seen: set[str] = set()
        for section in [*sections_for(role), *self._pages]:
            title = TAB_TITLES.get(section)
            page = self._pages.get("bays" if title == "Workshop" else section)
            if title is None or page is None or title in seen:
                continue
            seen.add(title)
            self.tabs.addTab(page, title)
        if current is not None and self.tabs.indexOf(current) >= 0:
            self.tabs.setCurrentWidget(current)

    def current_filter(self) -> FleetFilter:
        values = {k: c.currentData() for k, c in self.filters.items()}
        return FleetFilter(values["make"], values["year"], values["customer"], values["site"])

    def request_refresh(self) -> None:
        self.message.setText("Loading the fleet…")
        self.refresh_requested.emit(self.current_filter())

    # -- showing -----------------------------------------------------------------------------------------

    def set_choices(self, choices: dict[str, list[Any]]) -> None:
        for key, combo in self.filters.items():
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("All", None)
            for value in choices.get(key, []):
                combo.addItem(str(value), value)
            index = combo.findData(current)
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)

    def show_problem(self, text: str) -> None:
        self.message.setText(text)
        if "MQTT broker" in text and self.listen_button.isChecked():  # the intake did not start
            self.listen_button.blockSignals(True)
            self.listen_button.setChecked(False)
            self.listen_button.setText("Listen")
            self.broker_edit.setEnabled(True)
            self.listen_button.blockSignals(False)
            self.telematics_label.setText(text)

    def show_view(self, view: FleetView) -> None:
        self._view = view
        kpis = view.kpis()
        for key, label in self.kpi_values.items():
            value = kpis.get(key)
            label.setText("–" if value is None else f"{value:,.0f}" if key == "warranty_cost" else f"{value:,}"
                          if isinstance(value, int) else f"{value:,.1f}")
        self.message.setText(f"{kpis['vehicles']} cars, {kpis['visits']:,} visits up to {view.today.isoformat()}.")
        self.vehicle_model.set_rows(sorted(view.vehicles, key=lambda v: (v.health_score if v.health_score is not None else 101, v.vin)))
        self.due_model.set_rows([*view.due("overdue"), *view.due("due soon")])
        self.dtc_model.set_rows(view.dtc_frequency)
        self.comeback_model.set_rows(view.comebacks)
        self.bay_model.set_rows(view.bays)
        self.tech_model.set_rows(view.technicians)
        self.cost_model.set_rows(view.warranty_cost)
        if self.vehicle_model.rowCount() and not self.vehicle_table.currentIndex().isValid():
            self.vehicle_table.selectRow(0)

    def _vehicle_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            car = self.vehicle_model.row_at(current.row())
            self._show_car(car)
            self.vehicle_requested.emit(car.vin)

    def _show_car(self, car: FleetVehicle) -> None:
        from datetime import datetime, time

        import pyqtgraph as pg

        self.car_title.setText(f"{car.label}  {car.vin}  ·  {car.customer}, {car.site}")
        self.plot.clear()
        stamp = lambda d: datetime.combine(d, time(12)).timestamp()  # noqa: E731
        if self._view is not None:  # the fleet's mean per month, for comparison
            months: dict[tuple[int, int], list[float]] = defaultdict(list)
            for v in self._view.vehicles:
                for d, s in v.history:
                    if s is not None:
                        months[(d.year, d.month)].append(s)
            keys = sorted(months)
            if keys:
                xs = [stamp(date(y, m, 15)) for y, m in keys]
                self.plot.plot(xs, [sum(months[k]) / len(months[k]) for k in keys],
                               pen=pg.mkPen(self._theme.muted, width=1.5, style=Qt.PenStyle.DashLine), name="fleet mean")
        points = [(stamp(d), s) for d, s in car.history if s is not None]
        if points:
            colours = [self._theme.good[2] if s >= 80 else self._theme.warn[2] if s >= 50 else self._theme.bad[2] for _x, s in points]
            self.plot.plot([x for x, _ in points], [s for _, s in points], pen=pg.mkPen(self._theme.accent, width=2),
                           symbol="o", symbolSize=8, symbolBrush=colours, symbolPen=None)
        wear = "; ".join(f"{w.title}: {w.measured if w.measured is not None else '–'} mm, "
                         + (f"about {w.km_left:,.0f} km left" if w.km_left is not None else w.reason) for w in car.wear)
        due = ", ".join(f"{d.title} {d.status} ({d.due_date:%d %b %Y})" for d in car.due if d.due_date and d.status != "ok")
        findings = "; ".join(f["summary"] for f in car.open_findings[:2])
        self.car_facts.setText("  ".join(p for p in (
            f"Health {_score(car.health_score)}/100.", f"Open codes: {' '.join(car.open_codes) or 'none'}.",
            f"Findings: {findings}." if findings else "", f"Wear: {wear}." if wear else "", f"Due: {due}." if due else "Nothing due soon.",
        ) if p))

    def show_history(self, history: VehicleHistory) -> None:
        self.history_model.set_rows(history.entries)

    def _listen_toggled(self, on: bool) -> None:
        self.broker_edit.setEnabled(not on)
        self.listen_button.setText("Stop" if on else "Listen")
        if on:
            self.telematics_label.setText(f"Connecting to {self.broker_edit.text()}…")
            self.listen_requested.emit(self.broker_edit.text().strip())
        else:
            self.stop_listening_requested.emit()

    def show_telematics(self, snap: IntakeSnapshot) -> None:
        refused = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(snap.rejected.items())) or "none"
        latency = f"; publish to store p99 {snap.latency_p99_s * 1000:.0f} ms" if snap.latency_p99_s is not None else ""
        self.telematics_label.setText(
            f"{'Connected' if snap.connected else 'Not connected'}. {len(snap.online)} car(s) online.  "
            f"Received {snap.received:,}, stored {snap.stored:,}; duplicates dropped {snap.duplicates:,}; "
            f"gaps {snap.gaps:,} ({snap.missing:,} missing); sequence jumped back {snap.rewinds:,}{latency}.  Refused: {refused}.")
        self.reject_model.set_rows(list(reversed(snap.last_rejects)))


__all__ = ["FleetDesk", "FleetWorkspace"]
