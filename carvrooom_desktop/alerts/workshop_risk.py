"""Bookings at risk on the planning board: a booked job planned to end after its promise.

The board (``workshop/board.py``) already words these as warnings for the Schedule page; the
alert rule needs them as data (job id, label, planned end, promise), so they are read here from
the same ``Board`` with the same test (``Board.end_of(job) > job.promised_at``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from carvrooom_desktop.storage.workshop import WorkshopRepository
    from carvrooom_desktop.workshop.board import Board


def at_risk_jobs(board: Board) -> list[dict[str, Any]]:
    out = []
    for job_id in sorted({b.job_id for b in board.live()}):
        job = board.jobs.get(job_id)
        if job is None or job.promised_at is None or job.state in ("done", "cancelled"):
            continue
        end = board.end_of(job_id)
        if end > job.promised_at:
            out.append({"job_id": job_id, "label": job.label, "vin": job.vin, "planned_end": end.isoformat(),
                        "promised_at": job.promised_at.isoformat(),
                        "late_minutes": round((end - job.promised_at).total_seconds() / 60, 1)})
    return out


def load_today_board(repo: WorkshopRepository, now: datetime, days: int = 7) -> Board:
    """The board from today's midnight (workshop time) for ``days``: what the alert check reads."""
    from carvrooom_desktop.workshop.board import load_board

    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return load_board(repo, now=now, window_start=start, days=days)


__all__ = ["at_risk_jobs", "load_today_board"]
