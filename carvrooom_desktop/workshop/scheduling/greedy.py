"""The dispatcher: a complete plan in milliseconds, CP-SAT's hint and its fallback answer.

List scheduling: pinned and urgent (do-not-drive) jobs first, then by earliest promise, then
shortest job (EDD, then SPT); a job is ready once the jobs it waits for are placed. Each job
goes to the (bay, technician) pair where it ends earliest, at the earliest start after its
release (parts ETA, drop-off) where both are free. With a previous plan (``keep_previous``)
the jobs keep their booking where it is still free, in their old order, before new jobs are
placed: the repair of a plan after a change, with few moves.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from carvrooom_desktop.workshop.scheduling.compile import SlotJob, SlotProblem
from carvrooom_desktop.workshop.scheduling.objective import Placement, Solution


SWITCH_SLOTS = 4  # a displaced job changes bay or technician only to finish at least an hour earlier


class Timeline:
    """Busy slot ranges of one bay or technician, sorted and disjoint."""

    __slots__ = ("starts", "ends")

    def __init__(self, blocked: Sequence[tuple[int, int]] = ()) -> None:
        self.starts: list[int] = [a for a, _ in blocked]
        self.ends: list[int] = [b for _, b in blocked]

    def first_fit(self, s: int, d: int) -> int:
        """The earliest start >= s of a free run of d slots."""
        i = bisect.bisect_right(self.ends, s)
        while i < len(self.starts) and self.starts[i] < s + d:
            s = max(s, self.ends[i])
            i += 1
        return s

    def next_busy(self, t: int, horizon: int) -> int:
        """Where the free stretch containing (or starting at) t ends."""
        i = bisect.bisect_right(self.ends, t)
        return self.starts[i] if i < len(self.starts) and self.starts[i] >= t else horizon if i >= len(self.starts) else t

    def first_conflict(self, a: int, b: int) -> int | None:
        """End of the first busy range overlapping [a, b), or None."""
        i = bisect.bisect_right(self.ends, a)
        if i < len(self.starts) and self.starts[i] < b:
            return self.ends[i]
        return None

    def is_free(self, a: int, b: int) -> bool:
        return self.first_conflict(a, b) is None

    def add(self, a: int, b: int) -> None:
        i = bisect.bisect_left(self.starts, a)
        self.starts.insert(i, a)
        self.ends.insert(i, b)

    def remove(self, a: int, b: int) -> None:
        i = bisect.bisect_left(self.starts, a)
        while self.starts[i] != a or self.ends[i] != b:
            i += 1
        del self.starts[i], self.ends[i]


def _fit(sp: SlotProblem, sj: SlotJob, bay: int, d: int, tech: int | None, s: int,
         bays: list[Timeline], techs: list[Timeline]) -> Placement | None:
    """Earliest placement of sj on (bay, tech) starting at >= s, within the horizon."""
    H = sp.horizon
    for _ in range(10_000):
        if s + d > H:
            return None
        if not sj.parts:
            s2 = bays[bay].first_fit(s, d)
            if tech is not None:
                s2 = techs[tech].first_fit(s2, d)
            if s2 == s and (tech is None or True) and bays[bay].is_free(s, s + d):
                return Placement(s, s + d, bay, tech, [s])
            s = s2
            continue
        # split job: work in the technician's free stretches, pausing at breaks; the bay held for the whole span
        assert tech is not None
        tl = techs[tech]
        starts: list[int] = []
        sizes: list[int] = []
        t, remaining = tl.first_fit(s, 1), d
        if t != s:
            s = t
            continue
        while remaining and len(starts) < sj.parts and t < H:
            t = tl.first_fit(t, 1)
            size = min(remaining, tl.next_busy(t, H) - t, sj.part_max)
            if size <= 0:
                break
            starts.append(t)
            sizes.append(size)
            remaining -= size
            t += size
        if remaining:
            s += 1  # too fragmented from here: try the next slot
            continue
        conflict = bays[bay].first_conflict(s, t)
        if conflict is None:
            return Placement(s, t, bay, tech, starts + [t] * (sj.parts - len(starts)), sizes + [0] * (sj.parts - len(sizes)))
        s = conflict
    return None


def _book(sj: SlotJob, p: Placement, bays: list[Timeline], techs: list[Timeline], remove: bool = False) -> None:
    (bays[p.bay].remove if remove else bays[p.bay].add)(p.start, p.end)
    if p.tech is not None:
        tl = techs[p.tech]
        for a, b in p.pieces():
            (tl.remove if remove else tl.add)(a, b)


def _exact(sp: SlotProblem, sj: SlotJob, bay: int, d: int, tech: int | None, s: int, bays: list[Timeline],
           techs: list[Timeline]) -> Placement | None:
    p = _fit(sp, sj, bay, d, tech, s, bays, techs)
    return p if p is not None and p.start == s else None


def place(sp: SlotProblem, sj: SlotJob, earliest: int, bays: list[Timeline], techs: list[Timeline],
          prefer: tuple[int, int, int | None] | None = None, spare_specialists: int = 0) -> Placement | None:
    """The best placement of one job given what is booked: its previous one if still free, else the earliest end.

    ``spare_specialists`` (slots): among the placements ending at most that much after the earliest,
    take the least versatile technician and bay, keeping specialists free for the work only they can do.
    """
    techs_options: list[int | None] = list(sj.techs) if sj.techs else [None]
    if prefer is not None:
        s0, b0, t0 = prefer
        d0 = next((d for b, d in sj.bays if b == b0), None)
        if d0 is not None and (t0 in techs_options) and s0 >= earliest:
            p = _exact(sp, sj, b0, d0, t0, s0, bays, techs)
            if p is not None:
                return p
        if sj.pin_start is None:
            # displaced: shift right from where it was (not into gaps the jobs after it still hold)
            later = [c for c in (_fit(sp, sj, b, d, t, max(earliest, s0), bays, techs) for b, d in sj.bays for t in techs_options)
                     if c is not None]
            if later:
                return min(later, key=lambda c: (c.end + (SWITCH_SLOTS if (c.bay, c.tech) != (b0, t0) else 0), c.start, c.bay))
    if sj.pin_start is not None:
        if sj.pin_start < earliest:
            return None
        options = [_exact(sp, sj, b, d, t, sj.pin_start, bays, techs) for b, d in sj.bays for t in techs_options]
    else:
        options = [_fit(sp, sj, b, d, t, earliest, bays, techs) for b, d in sj.bays for t in techs_options]
    cands = [c for c in options if c is not None]
    if not cands:
        return None
    if spare_specialists:
        best = min(c.end for c in cands)
        cands = [c for c in cands if c.end <= best + spare_specialists]
        return min(cands, key=lambda c: (_versatility(sp, c), c.end, c.start, c.bay, -1 if c.tech is None else c.tech))
    return min(cands, key=lambda c: (c.end, c.start, c.bay, -1 if c.tech is None else c.tech))


def _versatility(sp: SlotProblem, c: Placement) -> int:
    bay = sp.problem.bays[c.bay]
    skills = len(sp.problem.technicians[c.tech].skills) if c.tech is not None else 0
    return 4 * skills + len(bay.serves)


def dispatch(sp: SlotProblem, *, keep_previous: bool = False, spare_specialists: int = 0) -> tuple[Solution, dict[int, str]]:
    """A complete plan: placements, and for each job left out the reason (pin conflict, carry-over).

    ``spare_specialists=0`` is the plain dispatcher (EDD, then SPT, earliest end); a positive value
    is the variant ``place`` describes, one more starting point for CP-SAT.
    """
    bays = [Timeline(b) for b in sp.bay_blocked]
    techs = [Timeline(t) for t in sp.tech_blocked]
    solution: Solution = {}
    left: dict[int, str] = {}
    n = len(sp.jobs)
    INF = 1 << 30

    def key(sj: SlotJob) -> tuple[int, ...]:
        tier = 0 if sj.pin_start is not None else 1 if sj.urgent else 2 if sj.pinned else 3
        if keep_previous and tier == 3 and sj.prev is not None:
            return (3, 0, sj.prev[0], sj.index)
        due = sj.due if sj.due is not None else INF
        return (tier, 1, due, sj.min_duration, sj.index)

    order = sorted(sp.jobs, key=key)
    waiting = {sj.index: {p for p, _g in sj.preds} for sj in sp.jobs}
    done: set[int] = set()
    pending = list(order)
    while pending:
        pick = next((sj for sj in pending if waiting[sj.index] <= done), None)
        if pick is None:  # only jobs waiting for jobs left out
            for sj in pending:
                left[sj.index] = "waits for a job that could not be placed"
            break
        pending.remove(pick)
        done.add(pick.index)
        if any(p in left for p, _g in pick.preds):
            left[pick.index] = "waits for a job that went to the carry-over queue"
            continue
        earliest = max([pick.release] + [solution[p].end + g for p, g in pick.preds if p in solution])
        p = place(sp, pick, earliest, bays, techs, prefer=pick.prev if keep_previous else None,
                  spare_specialists=spare_specialists)
        if p is None:
            if pick.pin_start is not None:
                left[pick.index] = "pin conflict"
            else:
                left[pick.index] = "no free slot in the horizon (carry-over queue)"
            continue
        _book(pick, p, bays, techs)
        solution[pick.index] = p
    assert len(solution) + len(left) == n
    return solution, left


def compact(sp: SlotProblem, solution: Solution) -> Solution:
    """Every job as early as its own bay and technician allow, in start order (a left shift).

    No end moves later, so no lateness or day grows; jobs still at their previous booking stay
    put (moving them would count as a move). Used on CP-SAT's plans, whose order within a day
    is free when it does not change the objective.
    """
    bays = [Timeline(b) for b in sp.bay_blocked]
    techs = [Timeline(t) for t in sp.tech_blocked]
    for j, p in solution.items():  # everything stays booked; a job is lifted only while it is moved
        _book(sp.jobs[j], p, bays, techs)
    out: Solution = {}
    kept = {j for j, p in solution.items() if sp.jobs[j].prev is not None and (p.start, p.bay, p.tech) == sp.jobs[j].prev
            or sp.jobs[j].pin_start is not None}
    for j in sorted(solution, key=lambda j: (solution[j].start, j)):
        sj, p = sp.jobs[j], solution[j]
        if j in kept:
            out[j] = p
            continue
        earliest = max([sj.release] + [out[q].end + g for q, g in sj.preds if q in out]
                       + [solution[q].end + g for q, g in sj.preds if q not in out and q in solution])
        _book(sj, p, bays, techs, remove=True)
        d = next(d for b, d in sj.bays if b == p.bay)
        q = _fit(sp, sj, p.bay, d, p.tech, earliest, bays, techs)
        if q is None or q.end > p.end or q.start > p.start:
            q = p
        _book(sj, q, bays, techs)
        out[j] = q
    return out


__all__ = ["Timeline", "compact", "dispatch", "place"]
