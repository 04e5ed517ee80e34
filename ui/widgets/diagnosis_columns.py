"""Columns of the AI Diagnosis tables (causes, evidence, tests) over the agents' pydantic rows."""

from __future__ import annotations

from typing import Any

from ui.table_model import Column


class RankedCause:
    """A cause with its rank (the table's first column); reads through to the cause."""

    def __init__(self, rank: int, cause: Any) -> None:
        self.rank = rank
        self.cause = cause

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cause, name)


def _confidence_tone(c: Any) -> str:
    return "bad" if c.confidence >= 0.6 else "warn" if c.confidence >= 0.3 else ""


def _time_range(e: Any) -> str:
    if e.t_start is None or e.t_end is None:
        return ""
    return f"{e.t_start:.1f} – {e.t_end:.1f} s"


CAUSE_COLUMNS: tuple[Column[Any], ...] = (
    Column("#", lambda c: str(c.rank), align_right=True),
    Column("Confidence", lambda c: f"{c.confidence:.0%}", align_right=True, tone=_confidence_tone),
    Column("Probable cause", lambda c: c.title, tooltip=lambda c: c.explanation),
    Column("System", lambda c: c.system),
    Column("Evidence", lambda c: str(len(c.evidence)), align_right=True,
           tooltip=lambda c: "\n".join(f"{e.kind}: {e.ref}" for e in c.evidence)),
)

EVIDENCE_COLUMNS: tuple[Column[Any], ...] = (
    Column("Kind", lambda e: e.kind.replace("_", " ")),
    Column("Reference", lambda e: e.ref),
    Column("Signal / time range", lambda e: f"{e.signal}  {_time_range(e)}".strip() if e.signal else "",
           tooltip=lambda e: "Click to show this signal and time range in the plot" if e.signal else ""),
    Column("Detail", lambda e: e.detail, tooltip=lambda e: e.detail),
)

TEST_COLUMNS: tuple[Column[Any], ...] = (
    Column("Test to run next", lambda t: t.title, tooltip=lambda t: t.title),
    Column("Expected reading", lambda t: t.expected, tooltip=lambda t: t.expected),
    Column("Tool", lambda t: t.tool),
)
