"""Per-car sequence numbers: duplicates dropped, gaps counted, a sequence that jumps back counted.

QoS 1 delivers at least once, so a message can come twice (a redelivery after a reconnect);
a car that restarts without a birth message starts counting again. The tracker keeps the
timestamps of the newest ``WINDOW`` sequence numbers: the same number with the same timestamp is
a duplicate; the same number with another timestamp, or one far behind, is the sequence jumping
back (accepted, counted, counting restarts there); a number ahead of the next one is a gap (the
missing count is kept); one a little behind that was not seen is a late arrival filling a gap.
"""

from __future__ import annotations

import enum
from collections import OrderedDict
from dataclasses import dataclass

WINDOW = 8192
REORDER = 256  # how far behind a late arrival may be before it counts as the sequence jumping back


class Verdict(enum.StrEnum):
    NEXT = "next"
    GAP = "gap"
    LATE = "late"
    DUPLICATE = "duplicate"
    REWIND = "rewind"


@dataclass(frozen=True, slots=True)
class SeqResult:
    verdict: Verdict
    missing: int = 0  # GAP: how many numbers were skipped

    @property
    def keep(self) -> bool:
        return self.verdict is not Verdict.DUPLICATE


class SequenceTracker:
    def __init__(self) -> None:
        self.last: int | None = None
        self._seen: OrderedDict[int, float | None] = OrderedDict()
        self.open_gaps = 0  # numbers still missing

    def _remember(self, seq: int, ts: float | None) -> None:
        self._seen[seq] = ts
        self._seen.move_to_end(seq)
        while len(self._seen) > WINDOW:
            self._seen.popitem(last=False)

    def birth(self, seq: int, ts: float | None) -> None:
        """The car came online: counting starts again at ``seq``."""
        self.last, self.open_gaps = seq, 0
        self._seen.clear()
        self._remember(seq, ts)

    def accept(self, seq: int, ts: float | None) -> SeqResult:
        last = self.last
        if last is None:
            self.birth(seq, ts)
            return SeqResult(Verdict.NEXT)
        if seq in self._seen:
            if self._seen[seq] == ts:
                return SeqResult(Verdict.DUPLICATE)
            self.birth(seq, ts)  # same number, another message: the car counts again from here
            return SeqResult(Verdict.REWIND)
        if seq == last + 1:
            self.last = seq
            self._remember(seq, ts)
            return SeqResult(Verdict.NEXT)
        if seq > last + 1:
            self.last = seq
            self.open_gaps += seq - last - 1
            self._remember(seq, ts)
            return SeqResult(Verdict.GAP, seq - last - 1)
        if last - seq <= REORDER:
            self.open_gaps = max(0, self.open_gaps - 1)
            self._remember(seq, ts)
            return SeqResult(Verdict.LATE)
        self.birth(seq, ts)
        return SeqResult(Verdict.REWIND)


__all__ = ["REORDER", "WINDOW", "SeqResult", "SequenceTracker", "Verdict"]
