"""The question asked before mode 04: which codes go, and what else is lost with them."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

TITLE = "Clear trouble codes"


def clear_codes_question(report: Any) -> tuple[str, str]:
    """(main text, details as HTML) for the confirmation, from the last ScanReport."""
    dtcs = list(getattr(report, "dtcs", ()) or ())
    vin = getattr(getattr(report, "vehicle", None), "vin", "") or "this car"
    if dtcs:
        items = "".join(
            f"<li><b>{html.escape(d.code)}</b> ({html.escape(str(d.kind))}) {html.escape(d.description or '')}</li>"
            for d in dtcs
        )
        codes = f"<p>Codes read from {html.escape(vin)}:</p><ul>{items}</ul>"
    else:
        codes = f"<p>No codes were read from {html.escape(vin)}; clearing still resets the ECU's diagnostic memory.</p>"
    permanent = any(str(d.kind) == "permanent" for d in dtcs)
    warning = (
        "<p><b>Clearing also erases the freeze frames and resets every readiness monitor.</b> "
        "Until the monitors have run again (usually several drive cycles) the car may fail an "
        "emissions inspection, and the evidence of the fault is gone. Save or print the scan first if it matters.</p>"
    )
    if permanent:
        warning += "<p>Permanent codes stay until the ECU sees the fault gone; no tool can clear them.</p>"
    return "Clear the trouble codes of this car?", codes + warning


def confirm_clear_codes(parent: QWidget, report: Any) -> bool:
    """Blocks until the technician answers; True only for an explicit "Clear codes"."""
    text, details = clear_codes_question(report)
    box = QMessageBox(QMessageBox.Icon.Warning, TITLE, text, parent=parent)
    box.setInformativeText(details)
    clear = box.addButton("Clear codes", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is clear
