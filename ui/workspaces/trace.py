"""CAN trace: every frame on the bus (or in a recording), decoded inline, with per-id statistics and transmit.

A 10 Hz timer drains the frame feed in one batch into the table model and the bus
statistics; no Qt signal per frame. Transmitting needs the workstation role's
permission (checked in :func:`ui.trace_feed.check_may_transmit`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from carvrooom_desktop.domain import FrameArrays
from carvrooom_desktop.errors import PermissionDenied
from drivers.can.statistics import BusStatistics
from ui.table_model import Column, RowTableModel
from ui.trace_feed import TransmitSpec, check_may_transmit
from ui.trace_model import FIXED, SCROLLING, TraceTableModel
from ui.widgets.common import card, page_header, section_title, table_view

log = logging.getLogger(__name__)

TICK_MS = 100
STATS_EVERY = 5  # ticks between refreshes of the statistics table
NOMINAL_BITRATE = 500_000


def _interval(value: float | None) -> str:
    return "–" if value is None else f"{value * 1000:.1f}"


STAT_COLUMNS: tuple[Column[Any], ...] = (
    Column("ID", lambda s: f"{s.arbitration_id:08X}" if s.is_extended else f"{s.arbitration_id:03X}"),
    Column("Count", lambda s: f"{s.count:,}", align_right=True),
    Column("/s", lambda s: f"{s.frames_per_second:.0f}", align_right=True),
    Column("ms min / mean / max", lambda s: " / ".join(_interval(v) for v in (s.min_interval, s.mean_interval, s.max_interval)),
           align_right=True),
)


class TraceWorkspace(QWidget):
    live_requested = Signal()  # back to the connected car's bus after looking at a recording

    def __init__(self, role: Callable[[], str] = lambda: "technician", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Workspace")
        self._role = role
        self.feed: Any = None
        self._ticks = 0
        self.statistics = BusStatistics(NOMINAL_BITRATE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 12)
        layout.setSpacing(8)

        top = QHBoxLayout()
        self.header = page_header("CAN trace", "Not connected: connect to a CAN source, or open a recording in the trace.")
        self.subtitle = cast(QLabel, self.header.findChild(QLabel, "PageSubtitle"))  # page_header made it (a subtitle was given)
        top.addWidget(self.header, 1)
        self.mode_combo = QComboBox()
        self.mode_combo.addItem("Scrolling", SCROLLING)
        self.mode_combo.addItem("Fixed (one row per id)", FIXED)
        self.mode_combo.currentIndexChanged.connect(lambda _i: self._set_mode(self.mode_combo.currentData()))
        self.pause_check = QCheckBox("Pause")
        self.pause_check.setToolTip("Stop adding frames to the table (the bus statistics go on)")
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(self.clear)
        self.live_button = QPushButton("Live bus")
        self.live_button.setToolTip("Trace the connected car's bus again")
        self.live_button.clicked.connect(self.live_requested)
        self.live_button.setVisible(False)
        for widget in (self.mode_combo, self.pause_check, self.clear_button, self.live_button):
            top.addWidget(widget)
        layout.addLayout(top)

        filters = QHBoxLayout()
        self.id_filter = QLineEdit()
        self.id_filter.setPlaceholderText("IDs, e.g. 7E8, 100-1FF")
        self.text_filter = QLineEdit()
        self.text_filter.setPlaceholderText("Message or signal name, e.g. ENGINE or throttle")
        for edit in (self.id_filter, self.text_filter):
            edit.setClearButtonEnabled(True)
            edit.returnPressed.connect(self.apply_filters)
            edit.editingFinished.connect(self.apply_filters)
        self.follow_check = QCheckBox("Follow newest")
        self.follow_check.setChecked(True)
        self.filter_message = QLabel("")
        self.filter_message.setObjectName("Muted")
        filters.addWidget(QLabel("Filter"))
        filters.addWidget(self.id_filter, 1)
        filters.addWidget(self.text_filter, 2)
        filters.addWidget(self.follow_check)
        layout.addLayout(filters)
        layout.addWidget(self.filter_message)

        self.model = TraceTableModel(self)
        self.table = table_view(self.model)
        self.table.setSelectionMode(self.table.SelectionMode.ExtendedSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)  # contents-sizing would format every row
        for column, width in enumerate((80, 64, 90, 72, 62, 36, 180, 56)):  # the last column stretches
            self.table.setColumnWidth(column, width)
        header.setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(22)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        self.bus_load_label = section_title("Bus load: –")
        side_layout.addWidget(self.bus_load_label)
        self.totals_label = QLabel("")
        self.totals_label.setObjectName("Muted")
        side_layout.addWidget(self.totals_label)
        self.stats_model: RowTableModel = RowTableModel(STAT_COLUMNS, self)
        self.stats_table = table_view(self.stats_model)
        side_layout.addWidget(self.stats_table, 1)
        side_layout.addWidget(self._transmit_card())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([800, 300])
        self.table.setColumnHidden(6, True)  # counts belong to the fixed mode
        layout.addWidget(splitter, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self._update_transmit()

    def _transmit_card(self) -> QWidget:
        frame, body = card()
        body.addWidget(section_title("Transmit"))
        form = QFormLayout()
        self.tx_id = QLineEdit("7DF")
        self.tx_extended = QCheckBox("29-bit id")
        self.tx_data = QLineEdit("02 01 0C 00 00 00 00 00")
        self.tx_period = QSpinBox()
        self.tx_period.setRange(0, 60_000)
        self.tx_period.setSuffix(" ms")
        self.tx_period.setSpecialValueText("once")
        row = QHBoxLayout()
        row.addWidget(self.tx_id, 1)
        row.addWidget(self.tx_extended)
        form.addRow("ID (hex)", row)
        form.addRow("Data (hex)", self.tx_data)
        form.addRow("Period", self.tx_period)
        body.addLayout(form)
        buttons = QHBoxLayout()
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("PrimaryButton")
        self.send_button.clicked.connect(self.transmit)
        self.stop_tx_button = QPushButton("Stop periodic")
        self.stop_tx_button.clicked.connect(self.stop_periodic)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_tx_button)
        buttons.addStretch(1)
        body.addLayout(buttons)
        self.tx_message = QLabel("")
        self.tx_message.setObjectName("Muted")
        self.tx_message.setWordWrap(True)
        body.addWidget(self.tx_message)
        return frame

    # -- sources -----------------------------------------------------------------------------

    def set_feed(self, feed: Any, decoder: Any = None, problem: str = "") -> None:
        """Trace a live bus (or nothing: ``feed`` None, with ``problem`` saying why)."""
        if self.feed is not None and self.feed is not feed:
            self.feed.close()
        self.feed = feed
        self.clear()
        if decoder is not None or feed is None:
            self.model.set_decoder(decoder)
        if feed is None:
            self.subtitle.setText(problem or "Not connected: connect to a CAN source, or open a recording in the trace.")
        else:
            self.subtitle.setText(f"Live: {feed.label}. " + ("Decoded with the car's signal database." if decoder is not None
                                                             else "No signal database: frames are shown raw."))
        if feed is not None:
            self.live_button.setVisible(False)
        self._update_transmit()
        self._sync_timer()

    def show_frames(self, frames: FrameArrays, title: str, decoder: Any = None) -> None:
        """Trace stored frames (a recording or an imported log): the live feed is let go."""
        self.set_feed(None)
        self.live_button.setVisible(True)
        self.model.set_decoder(decoder)
        self.statistics = BusStatistics(NOMINAL_BITRATE)
        self.statistics.update(frames)
        self.model.add_frames(frames)
        self.subtitle.setText(f"{title}: {len(frames):,} frames" + (", decoded." if decoder is not None else ", raw."))
        self._refresh_statistics()

    def set_decoder(self, decoder: Any) -> None:
        self.model.set_decoder(decoder)

    def clear(self) -> None:
        self.model.clear()
        self.statistics = BusStatistics(NOMINAL_BITRATE)
        self._refresh_statistics()

    # -- the clock -----------------------------------------------------------------------------

    def tick(self) -> None:
        feed = self.feed
        if feed is None:
            return
        try:
            batch = feed.take()
        except Exception as e:  # noqa: BLE001 - a vanished bus must not kill the GUI timer
            log.warning("trace feed failed: %s", e)
            self.subtitle.setText(f"The trace stopped reading the bus: {e}")
            self.timer.stop()
            return
        if len(batch):
            self.statistics.update(batch)
            if not self.pause_check.isChecked():
                self.model.add_frames(batch)
                if self.follow_check.isChecked() and self.model.mode == SCROLLING:
                    self.table.scrollToBottom()
        self._ticks += 1
        if self._ticks % STATS_EVERY == 0:
            self._refresh_statistics()

    def _refresh_statistics(self) -> None:
        snap = self.statistics.snapshot()
        load = snap.bus_load_percent
        self.bus_load_label.setText(f"Bus load: {load:.1f} % of 500 kbit/s" if load is not None else "Bus load: –")
        self.totals_label.setText(f"{snap.total_frames:,} frames, {snap.frames_per_second:,.0f}/s, "
                                  f"{len(snap.ids)} ids, {snap.error_frames} error frames")
        self.stats_model.set_rows(list(snap.ids))

    def _sync_timer(self) -> None:
        run = self.feed is not None and self.isVisible()
        if run and not self.timer.isActive():
            self.timer.start()
        elif not run and self.timer.isActive():
            self.timer.stop()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._sync_timer()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if self.feed is not None:
            self.feed.take()  # frames seen while hidden are counted, not shown: the table stays current
        self._sync_timer()

    # -- filters and modes ----------------------------------------------------------------------

    def _set_mode(self, mode: str) -> None:
        self.model.set_mode(mode)
        self.table.setColumnHidden(6, mode != FIXED)

    def apply_filters(self) -> None:
        try:
            self.model.set_filters(self.id_filter.text(), self.text_filter.text())
        except ValueError as e:
            self.filter_message.setText(str(e))
            return
        self.filter_message.setText("")

    # -- transmit --------------------------------------------------------------------------------

    def _update_transmit(self) -> None:
        can_send = self.feed is not None and hasattr(self.feed, "send")
        self.send_button.setEnabled(can_send)
        self.stop_tx_button.setEnabled(can_send and getattr(self.feed, "periodic_count", 0) > 0)
        if not can_send:
            self.send_button.setToolTip("Connect to a CAN source to transmit")

    def transmit(self) -> None:
        try:
            check_may_transmit(self._role(), getattr(self.feed, "session", None))
            spec = TransmitSpec.parse(self.tx_id.text(), self.tx_data.text(), extended=self.tx_extended.isChecked(),
                                      period_ms=self.tx_period.value())
            if self.feed is None:
                raise ValueError("not connected to a CAN bus")
            self.feed.send(spec)
        except (PermissionDenied, ValueError, OSError) as e:
            self.tx_message.setText(f"Not sent: {e}")
            return
        except Exception as e:  # noqa: BLE001 - python-can raises CanError subclasses; show them, keep going
            self.tx_message.setText(f"Not sent: {type(e).__name__}: {e}")
            return
        what = f"0x{spec.arbitration_id:X} [{spec.data.hex(' ').upper()}]"
        self.tx_message.setText(f"Sending {what} every {spec.period_s * 1000:g} ms" if spec.period_s else f"Sent {what}")
        self._update_transmit()

    def stop_periodic(self) -> None:
        stop = getattr(self.feed, "stop_periodic", None)
        if stop is not None:
            self.tx_message.setText(f"Stopped {stop()} periodic frame(s)")
        self._update_transmit()
