"""The columns of the Diagnostics tables (trouble codes, readiness, freeze frame, mode 06)
and the small text helpers they share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ui.table_model import Column

_ACRONYMS = {"egr": "EGR", "vvt": "VVT", "nox": "NOx", "scr": "SCR", "nmhc": "NMHC", "pm": "PM", "a/c": "A/C", "o2": "O2"}


def monitor_title(name: str) -> str:
    """"egr/vvt" -> "EGR/VVT", "o2 sensor heater" -> "O2 sensor heater"."""
    words = [_ACRONYMS.get(w, "/".join(_ACRONYMS.get(p, p) for p in w.split("/"))) for w in name.split(" ")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def number(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.4g}" if abs(value) < 10 else f"{value:.2f}"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _readiness_tone(monitor: Any) -> str:
    state = str(monitor.state)
    return "good" if state == "complete" else ("warn" if state == "incomplete" else "")


def _test_tone(test: Any) -> str:
    return "" if test.passed else "bad"


def _test_limits(test: Any) -> str:
    verdict = "within" if test.passed else "OUTSIDE"
    return (f"{test.monitor}, {test.test} (MID {test.mid:02X}h, TID {test.tid:02X}h): {number(test.value)} {test.unit} "
            f"is {verdict} {number(test.minimum)} … {number(test.maximum)} {test.unit}").replace("  ", " ")


DTC_COLUMNS: tuple[Column[Any], ...] = (
    Column("Code", lambda d: d.code),
    Column("Kind", lambda d: str(d.kind)),
    Column("System", lambda d: str(d.system)),
    Column("Description", lambda d: d.description or "(no description known)"),
)
READINESS_COLUMNS: tuple[Column[Any], ...] = (
    Column("Monitor", lambda m: monitor_title(m.name)),
    Column("State", lambda m: str(m.state), tone=_readiness_tone),
    Column("Runs", lambda m: "continuously" if m.continuous else "per drive cycle"),
)
# Freeze frame rows are (name, value, unit) tuples.
FREEZE_COLUMNS: tuple[Column[Any], ...] = (
    Column("Signal", lambda r: r[0]),
    Column("Value", lambda r: number(r[1]), align_right=True),
    Column("Unit", lambda r: r[2]),
)
TEST_RESULT_COLUMN = 6
TEST_COLUMNS: tuple[Column[Any], ...] = (
    Column("Monitor", lambda t: t.monitor, tooltip=_test_limits),
    Column("Test", lambda t: t.test, tooltip=_test_limits),
    Column("Value", lambda t: number(t.value), align_right=True, tone=_test_tone),
    Column("Min", lambda t: number(t.minimum), align_right=True),
    Column("Max", lambda t: number(t.maximum), align_right=True),
    Column("Unit", lambda t: t.unit),
    Column("Result", lambda t: "✔ pass" if t.passed else "✖ FAIL", tone=_test_tone, tooltip=_test_limits),
)


def freeze_rows(frames: Iterable[Any]) -> list[tuple[str, Any, str]]:
    rows = []
    for frame in frames:
        for name, value in frame.values.items():
            rows.append((name, value, frame.units.get(name, "")))
    return rows



# "Not read" rows are (item, ECU, reason) tuples: scan reads that failed and live signals dropped from polling.
NOT_READ_COLUMNS: tuple[Column[Any], ...] = (
    Column("Not read", lambda r: r[0], tone=lambda _r: "warn"),
    Column("ECU", lambda r: r[1]),
    Column("Why", lambda r: r[2], tooltip=lambda r: r[2]),
)
# Raw PID rows are (ECU, PID, hex) tuples: advertised PIDs without a decoder.
RAW_PID_COLUMNS: tuple[Column[Any], ...] = (
    Column("ECU", lambda r: r[0]),
    Column("PID", lambda r: f"{r[1]:02X}h"),
    Column("Raw bytes", lambda r: r[2]),
)
