"""An independent check of a slot-level plan: what every test and benchmark asserts before trusting a figure."""

from __future__ import annotations

from carvrooom_desktop.workshop.scheduling.compile import SlotProblem
from carvrooom_desktop.workshop.scheduling.objective import Solution


def violations(sp: SlotProblem, solution: Solution) -> list[str]:
    """Every broken rule (overlaps, breaks, releases, dependencies, pins, durations); empty when the plan holds."""
    out: list[str] = []
    bay_use: dict[int, list[tuple[int, int, str]]] = {}
    tech_use: dict[int, list[tuple[int, int, str]]] = {}
    for r, blocked in enumerate(sp.bay_blocked):
        bay_use.setdefault(r, []).extend((a, b, "blocked") for a, b in blocked)
    for r, blocked in enumerate(sp.tech_blocked):
        tech_use.setdefault(r, []).extend((a, b, "off") for a, b in blocked)
    for j, p in solution.items():
        sj = sp.jobs[j]
        name = sj.job.id
        durations = dict(sj.bays)
        if p.bay not in durations:
            out.append(f"{name}: bay {p.bay} cannot take it")
            continue
        if sj.techs and p.tech not in sj.techs or not sj.techs and p.tech is not None:
            out.append(f"{name}: technician {p.tech} is not one of {sj.techs}")
        if p.start < sj.release:
            out.append(f"{name}: starts {p.start} before its release {sj.release}")
        if p.end > sp.horizon:
            out.append(f"{name}: ends {p.end} after the horizon {sp.horizon}")
        if sj.deadline is not None and p.end > sj.deadline:
            out.append(f"{name}: ends {p.end} after its deadline {sj.deadline}")
        if sj.pin_start is not None and p.start != sj.pin_start:
            out.append(f"{name}: pinned at {sj.pin_start}, starts {p.start}")
        if sj.parts:
            pieces = p.pieces()
            if len(p.part_starts) != sj.parts or len(p.part_sizes) != sj.parts or pieces[0][0] != p.start:
                out.append(f"{name}: parts {p.part_starts}/{p.part_sizes} do not start the job at {p.start}")
            if sum(b - a for a, b in pieces) != durations[p.bay] or any(b - a > sj.part_max for a, b in pieces):
                out.append(f"{name}: parts {pieces} do not add up to {durations[p.bay]} slots of at most {sj.part_max}")
            for (a1, b1), (a2, _b2) in zip(pieces, pieces[1:]):
                if a2 < b1:
                    out.append(f"{name}: a part starts at {a2} before the one before it ends at {b1}")
            if p.end != pieces[-1][1]:
                out.append(f"{name}: ends {p.end}, its last part at {pieces[-1][1]}")
            tech_ranges = pieces
        else:
            if p.end - p.start != durations[p.bay]:
                out.append(f"{name}: lasts {p.end - p.start} slots on bay {p.bay}, needs {durations[p.bay]}")
            tech_ranges = [(p.start, p.end)]
        bay_use.setdefault(p.bay, []).append((p.start, p.end, name))
        if p.tech is not None:
            tech_use.setdefault(p.tech, []).extend((a, b, name) for a, b in tech_ranges)
        for q, gap in sj.preds:
            if q not in solution:
                out.append(f"{name}: done although {sp.jobs[q].job.id}, which it waits for, is not")
            elif p.start < solution[q].end + gap:
                out.append(f"{name}: starts {p.start} before {sp.jobs[q].job.id} ends {solution[q].end} + {gap}")
    for kind, use in (("bay", bay_use), ("technician", tech_use)):
        for r, ranges in use.items():
            ranges.sort()
            for (a1, b1, n1), (a2, b2, n2) in zip(ranges, ranges[1:]):
                if a2 < b1:
                    out.append(f"{kind} {r}: {n1} [{a1},{b1}) overlaps {n2} [{a2},{b2})")
    return out


__all__ = ["violations"]
