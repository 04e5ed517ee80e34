"""iCalendar export: CRLF, folding at 75 octets, escaping, UID and DTSTAMP; parsed back."""

from __future__ import annotations

from datetime import UTC, datetime

from carvrooom_desktop.workshop.scheduling import load_problem, solve
from carvrooom_desktop.workshop.scheduling.ics import calendar, escape, fold, read_events, unescape, write_calendars
from carvrooom_desktop.workshop.scheduling.problem import SCHEMA_PATH

STAMP = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def test_fold_and_escape():
    line = "SUMMARY:" + "é" * 60  # 8 + 120 octets
    folded = fold(line)
    pieces = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in pieces) and all(p.startswith(" ") for p in pieces[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(pieces)) == line  # no character split
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne" and unescape(escape("a,b;c\\d\ne")) == "a,b;c\\d\ne"


def test_calendars_per_technician_and_bay_parse_back(tmp_path):
    problem = load_problem(SCHEMA_PATH.parent / "example-week.json")
    plan = solve(problem, time_limit_s=3, deterministic=True)
    text = calendar(plan, problem, stamp=STAMP, name="All bays, Müller & Sons; workshop")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:") and text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "X-WR-CALNAME:All bays\\, Müller & Sons\\; workshop" in text.replace("\r\n ", "")
    events = read_events(text)
    assert len(events) == len(plan.bookings)
    by_uid = {e["UID"]: e for e in events}
    assert len(by_uid) == len(events)  # unique
    for b in plan.bookings:
        e = next(e for e in events if e["DTSTART"] == b.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
                 and e["DTEND"] == b.ends_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") and b.job_id in e["SUMMARY"])
        assert e["DTSTAMP"] == "20261201T093000Z" and e["STATUS"] == "TENTATIVE"
    assert any("Job: RO-1003A (wheel alignment)\nBay: Alignment" in e["DESCRIPTION"] for e in events)
    assert calendar(plan, problem, stamp=STAMP) == calendar(plan, problem, stamp=STAMP)  # stable UIDs
    paths = write_calendars(plan, problem, tmp_path, stamp=STAMP)
    names = {p.name for p in paths}
    assert {"technician-Ana.ics", "technician-Ben.ics", "bay-Lift_1.ics", "bay-Alignment.ics"} <= names
    ana = read_events((tmp_path / "technician-Ana.ics").read_bytes().decode())
    assert len(ana) == sum(1 for b in plan.bookings if b.technician_id == "ana") > 0
