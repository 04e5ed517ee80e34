"""The time axis of a plan: the workshop's opening hours cut into 15-minute slots.

Closed hours are cut out of the axis, so a slot index counts opening time only: a job still
running at closing time carries on at the next opening (the car stays on the lift overnight)
without any break interval for the night. A horizon of a week is ~200 slots instead of
~10,000 minutes (NOTES.md: long minute horizons explode in CP-SAT). Slots are aligned on each
opening window's start; a plan that starts in the middle of a window starts at the next slot.
Lateness is therefore measured in opening time: a job promised at 17:00 and done at 08:15 the
next morning is one slot late.
"""

from __future__ import annotations

import bisect
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from carvrooom_desktop.workshop.scheduling.domain import SLOT_MINUTES, OpeningHours

SLOT = timedelta(minutes=SLOT_MINUTES)


def workshop_tz(name: str, start: datetime) -> tzinfo:
    """The IANA zone ``name``, else the fixed offset of ``start``."""
    if name:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(f"unknown time zone {name!r}") from e
    offset = start.utcoffset()
    return timezone(offset) if offset is not None else UTC


def _at(day: date, minute: int, tz: tzinfo) -> datetime:
    if minute >= 1440:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz) + timedelta(minutes=minute - 1440)
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz)


class SlotAxis:
    """Slot ``k`` is [start(k), start(k) + 15 min); boundary ``k`` is where slot ``k`` starts (``end(k)``: where slot k-1 ends)."""

    def __init__(self, start: datetime, days: int, opening_hours: tuple[OpeningHours, ...] = (), tz: tzinfo | None = None) -> None:
        if start.tzinfo is None:
            raise ValueError("the plan's start needs a time zone (e.g. 2026-12-07T08:00:00+01:00)")
        self.tz = tz or start.tzinfo
        self.start = start
        self.days = days
        starts: list[datetime] = []
        windows = self._windows(start, days, opening_hours)
        for w_open, w_close in windows:
            t = w_open
            if t < start:  # a window already running: the next slot boundary of its grid
                steps = -(-(start - w_open) // SLOT)
                t = w_open + steps * SLOT
            while t + SLOT <= w_close:
                starts.append(t)
                t += SLOT
        self._starts = starts
        self._stamps = [s.timestamp() for s in starts]
        self._end_stamps = [s + SLOT_MINUTES * 60 for s in self._stamps]
        self.windows = windows

    def _windows(self, start: datetime, days: int, hours: tuple[OpeningHours, ...]) -> list[tuple[datetime, datetime]]:
        """(opening time, closing time cut at the horizon's end) of every window that ends after ``start``."""
        end = start + timedelta(days=days)
        if not hours:
            return [(start, end)]
        local = start.astimezone(self.tz).date()
        out: list[tuple[datetime, datetime]] = []
        for d in range(-1, days + 1):
            day = local + timedelta(days=d)
            merged: list[list[int]] = []
            for a, b in sorted((h.opens_minute, h.closes_minute) for h in hours if h.weekday == day.weekday()):
                if merged and a <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], b)
                else:
                    merged.append([a, b])
            for a, b in merged:
                w_open, w_close = _at(day, a, self.tz), min(_at(day, b, self.tz), end)
                if w_close > max(w_open, start):
                    out.append((w_open, w_close))
        return out

    # -- sizes and conversions ----------------------------------------------------------------

    @property
    def size(self) -> int:
        return len(self._starts)

    def start_of(self, k: int) -> datetime:
        return self._starts[k]

    def end_of(self, boundary: int) -> datetime:
        """The wall-clock time at which work ending at boundary ``boundary`` (after slot boundary-1) ends."""
        if boundary <= 0:
            return self._starts[0] if self._starts else self.start
        return self._starts[boundary - 1] + SLOT

    def first_slot_from(self, when: datetime) -> int:
        """The first slot starting at or after ``when`` (``size`` if none): a release time."""
        return bisect.bisect_left(self._stamps, when.timestamp())

    def slots_ended_by(self, when: datetime) -> int:
        """How many slots end at or before ``when``: the boundary a job must end by to meet a promise."""
        return bisect.bisect_right(self._end_stamps, when.timestamp())

    def slots_overlapping(self, a: datetime, b: datetime) -> tuple[int, int]:
        """Slots [i, j) that overlap [a, b): what an absence or an out-of-service period blocks."""
        i = bisect.bisect_right(self._end_stamps, a.timestamp())
        j = bisect.bisect_left(self._stamps, b.timestamp())
        return i, max(i, j)

    def local(self, k: int) -> datetime:
        return self._starts[k].astimezone(self.tz)

    def slots_per_day(self) -> int:
        return max(1, round(self.size / max(1, self.days)))

    def segments(self, s: int, e: int) -> list[tuple[datetime, datetime]]:
        """Wall-clock pieces of the slot range [s, e): one per opening window it touches."""
        out: list[tuple[datetime, datetime]] = []
        k = s
        while k < e:
            a = self._starts[k]
            j = k + 1
            while j < e and self._stamps[j] == self._stamps[j - 1] + SLOT_MINUTES * 60:
                j += 1
            out.append((a, self._starts[j - 1] + SLOT))
            k = j
        return out

    def day_starts(self) -> list[int]:
        """Slot indices where a new working day begins (the first slot of each day but the first)."""
        out = []
        for k in range(1, self.size):
            if self.local(k).date() != self.local(k - 1).date():
                out.append(k)
        return out

    def day_of_end(self, boundary: int, day_starts: list[int] | None = None) -> int:
        """Working-day index (0 = the plan's first day) of work that ends at ``boundary``."""
        return bisect.bisect_left(day_starts if day_starts is not None else self.day_starts(), boundary)
