"""The Warranty page: the clerk's claims list with flags, the claim editor, checks, similar claims and the evidence pack.

Everything blocking (checks, the ChromaDB index, the PDF) runs on the page's own worker thread
through ``carvrooom_desktop.warranty.desk.WarrantyDesk``; the page only shows what comes back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from carvrooom_desktop.warranty.claim import PART_CATEGORIES, ClaimStatus, cents
from carvrooom_desktop.warranty.desk import LIST_LIMIT, ClaimLine, SimilarLine, WarrantyDesk
from ui.session_controller import describe_error
from ui.table_model import Column, RowTableModel
from ui.widgets.common import card, page_header, repolish, section_title, table_view
from ui.workers import TaskRunner

log = logging.getLogger(__name__)

CLAIM_COLUMNS: tuple[Column[ClaimLine], ...] = (  # what a clerk sorts by first: the flags, then the claim
    Column("Claim", lambda r: r.claim.claim_id, tooltip=lambda r: f"{r.claim.vin} · dealer {r.claim.dealer_id or '–'}"),
    Column("Status", lambda r: r.claim.status.value),
    Column("Date", lambda r: r.claim.claim_date.isoformat()),
    Column("Part", lambda r: r.claim.part_category.replace("_", " ")),
    Column("Score", lambda r: f"{r.check.score:.2f}", align_right=True, tone=lambda r: "bad" if r.check.fired else ""),
    Column("Flags", lambda r: ", ".join(s.kind.replace("_", " ") for s in r.check.fired) or "–",
           tooltip=lambda r: "\n".join(s.advice for s in r.check.fired)),
    Column("Coverage", lambda r: "covered" if r.check.verdict.covered else r.check.verdict.reason.replace("_", " "),
           tone=lambda r: "" if r.check.verdict.covered else "warn", tooltip=lambda r: r.check.verdict.explanation),
    Column("Amount", lambda r: f"{r.claim.amount:,.2f}", align_right=True),
    Column("VIN", lambda r: r.claim.vin),
)
SIGNAL_COLUMNS: tuple[Column[Any], ...] = (
    Column("Check", lambda s: s.kind.replace("_", " ")),
    Column("Score", lambda s: f"{s.score:.2f}", align_right=True),
    Column("Result", lambda s: "FLAG" if s.fired else "passed", tone=lambda s: "bad" if s.fired else "good"),
    Column("What to do", lambda s: s.advice or "–", tooltip=lambda s: str(s.evidence)),
)
SIMILAR_COLUMNS: tuple[Column[SimilarLine], ...] = (
    Column("Claim", lambda r: r.claim.claim_id),
    Column("VIN", lambda r: r.claim.vin),
    Column("Part", lambda r: r.claim.part_category.replace("_", " ")),
    Column("Date", lambda r: r.claim.claim_date.isoformat()),
    Column("Similarity", lambda r: f"{r.similarity:.2f}", align_right=True),
    Column("Story", lambda r: r.claim.text, tooltip=lambda r: r.claim.text),
)
STATUS_FILTERS = ("all", "draft", "submitted", "approved", "rejected")


class WarrantyWorkspace(QWidget):
    def __init__(self, desk: WarrantyDesk | None, who: Callable[[], Any], parent: QWidget | None = None,
                 *, unavailable: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("Workspace")
        self.desk = desk
        self._who = who  # the signed-in actor, or the workstation role in demo mode
        self.runner = TaskRunner(self, max_threads=1)
        self.current: ClaimLine | None = None
        self._preview_for: Any = None  # the claim whose pack preview is shown
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 12)
        layout.setSpacing(10)
        top = QHBoxLayout()
        top.addWidget(page_header("Warranty", "Claims from recorded sessions: coverage verdict, fraud and error checks, "
                                  "similar past claims, and a verifiable evidence pack."), 1)
        self.new_button = QPushButton("New claim from recording…")
        self.new_button.setObjectName("PrimaryButton")
        self.new_button.clicked.connect(lambda: self.open_new_claim())
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        for b in (self.new_button, self.refresh_button):
            top.addWidget(b, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)

        filters = QHBoxLayout()
        self.status_filter = QComboBox()
        self.status_filter.addItems(STATUS_FILTERS)
        self.status_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.search = QLineEdit()
        self.search.setPlaceholderText("Claim number, VIN, part or dealer")
        self.search.returnPressed.connect(self.refresh)
        filters.addWidget(QLabel("Status"))
        filters.addWidget(self.status_filter)
        filters.addWidget(self.search, 1)
        self.message = QLabel("")
        self.message.setObjectName("StateMessage")
        self.message.setWordWrap(True)
        filters.addWidget(self.message, 2)
        layout.addLayout(filters)

        split = QSplitter(Qt.Orientation.Horizontal)
        left, left_body = card()
        left_body.addWidget(section_title("Claims"))
        self.claims_model: RowTableModel[ClaimLine] = RowTableModel(CLAIM_COLUMNS, self)
        self.claims_table = table_view(self.claims_model, stretch_column=5)
        self.claims_table.selectionModel().selectionChanged.connect(lambda *_: self._selected())
        left_body.addWidget(self.claims_table, 1)
        split.addWidget(left)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._claim_tab(), "Claim")
        self.tabs.addTab(self._checks_tab(), "Checks")
        self.tabs.addTab(self._similar_tab(), "Similar claims")
        self.tabs.addTab(self._evidence_tab(), "Evidence pack")
        self.tabs.currentChanged.connect(lambda _i: self._tab_shown())
        split.addWidget(self.tabs)
        split.setSizes([700, 520])
        layout.addWidget(split, 1)
        self._show(None)
        if desk is None:
            self.say(f"Warranty needs the store: {unavailable or 'it could not be opened'}", "bad")
            self.new_button.setEnabled(False)
        else:
            QTimer.singleShot(0, self.refresh)

    # -- tabs ----------------------------------------------------------------------------------

    def _claim_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.title_label = QLabel("")
        self.title_label.setObjectName("SectionTitle")
        form.addRow(self.title_label)
        self.complaint = QPlainTextEdit()
        self.cause = QPlainTextEdit()
        self.correction = QPlainTextEdit()
        for edit in (self.complaint, self.cause, self.correction):
            edit.setMaximumHeight(54)
        self.part_number = QLineEdit()
        self.part_category = QComboBox()
        self.part_category.addItems(PART_CATEGORIES)
        self.labour_op = QLineEdit()
        self.amount = QLineEdit()
        self.in_service = QLineEdit()
        self.in_service.setPlaceholderText("YYYY-MM-DD")
        self.facts = QLabel("")
        self.facts.setObjectName("Muted")
        self.facts.setWordWrap(True)
        for label, widget in (("Complaint", self.complaint), ("Cause", self.cause), ("Correction", self.correction),
                              ("Part number", self.part_number), ("Part category", self.part_category),
                              ("Labour operation", self.labour_op), ("Amount", self.amount), ("In service since", self.in_service),
                              ("From the car", self.facts)):
            form.addRow(label, widget)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("Save draft")
        self.save_button.clicked.connect(self.save)
        self.submit_button = QPushButton("Submit")
        self.submit_button.clicked.connect(lambda: self.move_claim(ClaimStatus.SUBMITTED))
        self.approve_button = QPushButton("Approve")
        self.approve_button.clicked.connect(lambda: self.move_claim(ClaimStatus.APPROVED))
        self.reject_button = QPushButton("Reject")
        self.reject_button.clicked.connect(lambda: self.move_claim(ClaimStatus.REJECTED))
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note for the decision")
        for b in (self.save_button, self.submit_button, self.approve_button, self.reject_button):
            buttons.addWidget(b)
        buttons.addWidget(self.note, 1)
        form.addRow(buttons)
        return page

    def _checks_tab(self) -> QWidget:
        page = QWidget()
        body = QVBoxLayout(page)
        self.verdict_label = QLabel("")
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setObjectName("StateMessage")
        body.addWidget(self.verdict_label)
        self.advice_label = QLabel("")
        self.advice_label.setWordWrap(True)
        self.advice_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body.addWidget(self.advice_label)
        self.signals_model: RowTableModel[Any] = RowTableModel(SIGNAL_COLUMNS, self)
        self.signals_table = table_view(self.signals_model, stretch_column=3)
        self.signals_table.setWordWrap(True)
        body.addWidget(self.signals_table, 1)
        return page

    def _similar_tab(self) -> QWidget:
        page = QWidget()
        body = QVBoxLayout(page)
        self.similar_label = QLabel("Other cars' claims that tell the same story, found by meaning (ChromaDB).")
        self.similar_label.setObjectName("Muted")
        self.similar_label.setWordWrap(True)
        body.addWidget(self.similar_label)
        self.similar_model: RowTableModel[SimilarLine] = RowTableModel(SIMILAR_COLUMNS, self)
        body.addWidget(table_view(self.similar_model, stretch_column=5), 1)
        return page

    def _evidence_tab(self) -> QWidget:
        import pyqtgraph as pg  # the page's only plotting: imported when the Warranty page is first shown

        page = QWidget()
        body = QVBoxLayout(page)
        self.pack_label = QLabel("")
        self.pack_label.setWordWrap(True)
        self.pack_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pack_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        body.addWidget(self.pack_label)
        self.preview = pg.GraphicsLayoutWidget()
        self.preview.setBackground("w")
        body.addWidget(self.preview, 1)
        row = QHBoxLayout()
        self.export_button = QPushButton("Export evidence pack…")
        self.export_button.setObjectName("PrimaryButton")
        self.export_button.clicked.connect(self._choose_export)
        row.addWidget(self.export_button)
        row.addStretch(1)
        body.addLayout(row)
        self.verify_label = QLabel("")
        self.verify_label.setWordWrap(True)
        self.verify_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body.addWidget(self.verify_label)
        return page

    def load_preview(self) -> None:
        """The pack as it would be written: its contents in words and its plots, drawn from the same samples."""
        if self.desk is None or self.current is None:
            return
        desk, claim = self.desk, self.current.claim
        self.pack_label.setText("Preparing the pack preview…")
        self._preview_for = claim.id

        def done(pack: Any) -> None:
            if self.current is None or self.current.claim.id != claim.id:
                return  # another claim was selected meanwhile
            c = pack.contents
            sections = ["cover", "claim (complaint, cause, correction)", "coverage verdict and its rule",
                        _codes(len((c.scan or {}).get("dtcs", [])) or len(claim.dtcs)),
                        f"{len(c.plots)} plots", f"{len(c.findings)} health findings",
                        "the diagnosis" if c.diagnosis else "no diagnosis stored", f"{len(c.check.signals)} fraud and error checks",
                        f"a manifest of {len(pack.manifest['items'])} items"]
            text = (f"{len(pack.pdf):,} bytes · " + "; ".join(sections) + ". Manifest SHA-256 "
                    f"{pack.manifest['manifest_sha256'][:16]}…")
            text += "".join(f"\nNote: {n}" for n in c.notes)
            self.pack_label.setText(text)
            self._draw_preview(c.plots)

        self._run("Preparing the evidence pack", lambda: desk.pack(claim), done)

    def _draw_preview(self, plots: Any) -> None:
        import pyqtgraph as pg

        self.preview.clear()
        for i, p in enumerate(plots):
            item = self.preview.addPlot(row=i // 2, col=i % 2, title=f"{p.signal.replace('_', ' ')} ({p.unit})" if p.unit
                                        else p.signal.replace("_", " "))
            item.showGrid(x=True, y=True, alpha=0.2)
            item.setMouseEnabled(x=False, y=False)
            item.hideButtons()
            if p.highlight is not None:
                item.addItem(pg.LinearRegionItem(values=p.highlight, movable=False, brush=(250, 220, 210, 120)))
            if p.threshold is not None:
                item.addItem(pg.InfiniteLine(pos=p.threshold, angle=0, pen=pg.mkPen((200, 60, 40), style=Qt.PenStyle.DashLine)))
            item.plot(p.t, p.y, pen=pg.mkPen((28, 97, 176), width=1))
            item.getViewBox().enableAutoRange()

    # -- loading -------------------------------------------------------------------------------

    def say(self, text: str, tone: str = "") -> None:
        self.message.setText(text)
        self.message.setProperty("tone", tone)
        repolish(self.message)

    def _run(self, what: str, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        def failed(exc: BaseException) -> None:
            log.info("%s failed: %s", what, exc)
            self.say(f"{what} failed: {describe_error(exc)}", "bad")

        self.runner.submit(work, done, failed, name=what)

    def refresh(self) -> None:
        if self.desk is None:
            return
        desk = self.desk
        status = self.status_filter.currentText()
        status = "" if status == "all" else status
        text = self.search.text()
        keep = self.current.claim.id if self.current else None

        def done(lines: list[ClaimLine]) -> None:
            self.claims_model.set_rows(lines)
            flagged = sum(1 for line in lines if line.check.fired)
            self.say(f"{len(lines):,} claims, {flagged:,} flagged" + (" (the newest shown)" if len(lines) >= LIST_LIMIT else ""),
                     "warn" if flagged else "good")
            self._select(keep)

        self._run("Reading the claims", lambda: desk.lines(status, text), done)

    def _select(self, claim_pk: Any) -> None:
        for row, line in enumerate(self.claims_model.rows()):
            if claim_pk is None or line.claim.id == claim_pk:
                self.claims_table.selectRow(row)
                return

    def _selected(self) -> None:
        rows = self.claims_table.selectionModel().selectedRows()
        self._show(self.claims_model.row_at(rows[0].row()) if rows else None)

    def _show(self, line: ClaimLine | None) -> None:
        self.current = line
        for w in (self.save_button, self.submit_button, self.approve_button, self.reject_button, self.export_button):
            w.setEnabled(line is not None)
        self.similar_model.set_rows([])
        self.verify_label.setText("")
        if line is None:
            self.title_label.setText("Select a claim")
            self.verdict_label.setText("")
            self.advice_label.setText("")
            self.signals_model.set_rows([])
            self.pack_label.setText("")
            self.preview.clear()
            return
        c = line.claim
        self.title_label.setText(f"{c.claim_id} · {c.status.value} · {c.vin}")
        self.complaint.setPlainText(c.complaint)
        self.cause.setPlainText(c.cause)
        self.correction.setPlainText(c.correction)
        self.part_number.setText(c.part_number)
        self.part_category.setCurrentText(c.part_category)
        self.labour_op.setText(c.labour_op)
        self.amount.setText(f"{c.amount:.2f}")
        self.in_service.setText(c.in_service_date.isoformat() if c.in_service_date else "")
        km = "–" if c.odometer_km is None else f"{c.odometer_km:,.0f} km"
        self.facts.setText(f"Odometer {km}; codes {' '.join(c.dtcs) or 'none'}; recording data SHA-256 "
                           f"{c.recording_sha256[:16] + '…' if c.recording_sha256 else 'none'}")
        draft = c.status is ClaimStatus.DRAFT
        for text_edit in (self.complaint, self.cause, self.correction):
            text_edit.setReadOnly(not draft)
        for line_edit in (self.part_number, self.labour_op, self.amount, self.in_service):
            line_edit.setReadOnly(not draft)
        self.part_category.setEnabled(draft)
        self.save_button.setEnabled(draft)
        self.submit_button.setEnabled(draft)
        self.approve_button.setEnabled(c.status is ClaimStatus.SUBMITTED)
        self.reject_button.setEnabled(c.status is ClaimStatus.SUBMITTED)
        v = line.check.verdict
        self.verdict_label.setText(v.explanation[:1].upper() + v.explanation[1:] + (f" (rule {v.rule_id})" if v.rule_id else ""))
        self.verdict_label.setProperty("tone", "good" if v.covered else "warn")
        repolish(self.verdict_label)
        self.signals_model.set_rows(list(line.check.signals))
        fired = line.check.fired
        self.advice_label.setText("\n".join(f"• {s.kind.replace('_', ' ')}: {s.advice}" for s in fired) if fired
                                  else "No check raised a flag.")
        QTimer.singleShot(0, self.signals_table.resizeRowsToContents)  # after the columns took their widths
        if self._preview_for != c.id:
            self.pack_label.setText("")
            self.preview.clear()
            self._preview_for = None
        self._tab_shown()

    def _tab_shown(self) -> None:
        if self.current is None:
            return
        if self.tabs.currentIndex() == 2 and not self.similar_model.rows():
            self.load_similar()
        if self.tabs.currentIndex() == 3 and self._preview_for != self.current.claim.id:
            self.load_preview()

    def load_similar(self) -> None:
        if self.desk is None or self.current is None:
            return
        desk, claim = self.desk, self.current.claim
        self.similar_label.setText("Looking for similar claims…")

        def done(lines: list[SimilarLine]) -> None:
            self.similar_model.set_rows(lines)
            self.similar_label.setText(f"{len(lines)} claims on other cars tell a similar story." if lines
                                       else "No similar claims on other cars.")

        def failed(exc: BaseException) -> None:
            self.similar_label.setText(f"Similar claims are not available: {describe_error(exc)}")

        self.runner.submit(lambda: desk.similar(claim), done, failed, name="similar claims")

    # -- actions -------------------------------------------------------------------------------

    def save(self) -> None:
        if self.desk is None or self.current is None:
            return
        try:
            changes = {"complaint": self.complaint.toPlainText().strip(), "cause": self.cause.toPlainText().strip(),
                       "correction": self.correction.toPlainText().strip(), "part_number": self.part_number.text().strip(),
                       "part_category": self.part_category.currentText(), "labour_op": self.labour_op.text().strip(),
                       "amount_cents": cents(self.amount.text()),
                       "in_service_date": date.fromisoformat(self.in_service.text().strip()) if self.in_service.text().strip() else None}
        except ValueError as e:
            self.say(f"Not saved: {e}", "bad")
            return
        desk, claim = self.desk, self.current.claim
        self._run("Saving the claim", lambda: desk.save(claim, **changes), self._updated("saved"))

    def move_claim(self, target: ClaimStatus) -> None:
        if self.desk is None or self.current is None:
            return
        desk, claim, who, note = self.desk, self.current.claim, self._who(), self.note.text().strip()
        self._run(f"Moving the claim to {target.value}", lambda: desk.move(claim, target, who, note), self._updated(target.value))

    def _updated(self, what: str) -> Callable[[ClaimLine], None]:
        def done(line: ClaimLine) -> None:
            self.say(f"Claim {line.claim.claim_id} {what}.", "good")
            self.note.clear()
            self.current = line
            self.refresh()

        return done

    def _choose_export(self) -> None:
        if self.current is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export evidence pack", f"{self.current.claim.claim_id}.pdf", "PDF (*.pdf)")
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> None:
        if self.desk is None or self.current is None:
            return
        desk, claim = self.desk, self.current.claim
        self.verify_label.setText("Writing the pack…")

        def done(result: Any) -> None:
            pack, check = result
            lines = [f"Wrote {path}: {len(pack.pdf):,} bytes, {len(pack.contents.plots)} plots, "
                     f"{len(pack.manifest['items'])} items; manifest SHA-256 {pack.manifest['manifest_sha256'][:16]}…",
                     "Verified: seal, manifest, every item and the recording's data." if check.ok
                     else "NOT verified: " + "; ".join(check.problems)]
            lines += [f"Note: {n}" for n in pack.contents.notes]
            self.verify_label.setText("\n".join(lines))
            self.say(f"Evidence pack for {claim.claim_id} written and verified." if check.ok else "The pack did not verify.",
                     "good" if check.ok else "bad")

        self._run("Writing the evidence pack", lambda: desk.export_pack(claim, path), done)

    def open_new_claim(self, recording_id: Any = None) -> None:
        """The new-claim dialog (``recording_id`` chosen in it: the Recordings page's "Warranty claim…")."""
        if self.desk is None:
            return
        desk = self.desk
        self._run("Listing recordings", desk.recordings, lambda recordings: self._new_claim_dialog(recordings, recording_id))

    def _new_claim_dialog(self, recordings: list[Any], recording_id: Any = None) -> None:
        if not recordings:
            self.say("No recordings yet: record a session on the bench first.", "warn")
            return
        dialog = NewClaimDialog(recordings, self)
        if recording_id is not None and (index := dialog.recording.findData(recording_id)) >= 0:
            dialog.recording.setCurrentIndex(index)
        self.new_claim_dialog = dialog  # reachable while it is open (tests)
        dialog.accepted.connect(lambda: self.create_claim(*dialog.values()))
        dialog.open()  # window-modal without a nested event loop

    def create_claim(self, recording_id: Any, part_category: str, fields: dict[str, Any]) -> None:
        if self.desk is None:
            return
        desk = self.desk
        self._run("Making the claim", lambda: desk.new_from_recording(recording_id, part_category, **fields), self._updated("made"))

    def shutdown(self) -> None:
        self.runner.wait()
        if self.desk is not None:
            self.desk.close()


def _codes(n: int) -> str:
    return "no trouble codes" if n == 0 else f"{n} trouble code{'s' if n > 1 else ''} with the freeze frame"


class NewClaimDialog(QDialog):
    """A recording and the part: the rest (VIN, odometer, codes, freeze frame, data SHA-256) comes from the car."""

    def __init__(self, recordings: list[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New warranty claim")
        form = QFormLayout(self)
        self.recording = QComboBox()
        for r in recordings:
            self.recording.addItem(f"{r.started_at:%Y-%m-%d %H:%M} · {r.vin or 'no VIN'} · {r.notes[:40]}", r.id)
        self.part_category = QComboBox()
        self.part_category.addItems(PART_CATEGORIES)
        self.part_number = QLineEdit()
        self.labour_op = QLineEdit()
        self.cause = QLineEdit()
        self.correction = QLineEdit()
        self.amount = QLineEdit("0.00")
        self.in_service = QLineEdit()
        self.in_service.setPlaceholderText("YYYY-MM-DD")
        self.error = QLabel("")
        self.error.setObjectName("Muted")
        for label, w in (("Recording", self.recording), ("Part category", self.part_category), ("Part number", self.part_number),
                         ("Labour operation", self.labour_op), ("Cause", self.cause), ("Correction", self.correction),
                         ("Amount", self.amount), ("In service since", self.in_service)):
            form.addRow(label, w)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _accept(self) -> None:
        try:
            self.values()
        except ValueError as e:
            self.error.setText(str(e))
            return
        self.accept()

    def values(self) -> tuple[Any, str, dict[str, Any]]:
        text = self.in_service.text().strip()
        return (self.recording.currentData(), self.part_category.currentText(),
                {"part_number": self.part_number.text().strip(), "labour_op": self.labour_op.text().strip(),
                 "cause": self.cause.text().strip(), "correction": self.correction.text().strip(),
                 "amount_cents": cents(self.amount.text()), "in_service_date": date.fromisoformat(text) if text else None})


__all__ = ["NewClaimDialog", "WarrantyWorkspace"]
