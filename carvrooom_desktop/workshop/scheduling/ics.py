"""iCalendar (RFC 5545) export of a plan: one calendar per technician and per bay.

Times are written in UTC (``...Z``), so no VTIMEZONE is needed and every calendar client shows
them in its own zone. Text is escaped (backslash, semicolon, comma, newline), lines end in CRLF
and are folded at 75 octets without splitting a UTF-8 character. Each event's UID is stable for
the same job part on the same bay, so re-importing an updated plan replaces events instead of
doubling them; DTSTAMP is when the file was written.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

from carvrooom_desktop.workshop.scheduling.domain import Booking, Plan, Problem

PRODID = "-//CarVrooom//CarVrooom Desktop schedule//EN"


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\n").replace("\n", "\\n")


def unescape(text: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def fold(line: str) -> str:
    """Fold one content line at 75 octets (continuation lines start with a space)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    pieces, start, limit = [], 0, 75
    while start < len(data):
        end = min(len(data), start + limit)
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # never inside a UTF-8 sequence
            end -= 1
        pieces.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # the leading space counts
    return "\r\n ".join(pieces)


def _utc(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def uid(booking: Booking) -> str:
    key = f"{booking.job_id}|{booking.part}|{booking.bay_id}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:20] + "@carvrooom"


def calendar(plan: Plan, problem: Problem, *, technician_id: str | None = None, bay_id: str | None = None,
             stamp: datetime | None = None, name: str = "") -> str:
    """The iCalendar text of the plan's bookings (all, or one technician's / one bay's)."""
    stamp = stamp or datetime.now(UTC)
    jobs = {j.id: j for j in problem.jobs}
    bays = {b.id: b.name for b in problem.bays}
    techs = {t.id: t.name for t in problem.technicians}
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    if name:
        lines.append(f"X-WR-CALNAME:{escape(name)}")
    for b in plan.bookings:
        if technician_id is not None and b.technician_id != technician_id or bay_id is not None and b.bay_id != bay_id:
            continue
        job = jobs.get(b.job_id)
        title = job.label if job else b.job_id
        part = f" (part {b.part + 1} of {b.parts})" if b.parts > 1 else ""
        who = techs.get(b.technician_id, "") if b.technician_id else ""
        details = [f"Job: {title}", f"Bay: {bays.get(b.bay_id, b.bay_id)}"]
        if who:
            details.append(f"Technician: {who}")
        if job is not None:
            details.append(f"Labour: {job.minutes / 60:g} h; skill: {job.skill or '-'}")
            if job.vin:
                details.append(f"VIN: {job.vin}")
            if job.promised_at:
                details.append(f"Promised: {job.promised_at.isoformat(timespec='minutes')}")
            if job.customer_waiting:
                details.append("Customer waiting")
        lines += [
            "BEGIN:VEVENT", f"UID:{uid(b)}", f"DTSTAMP:{_utc(stamp)}", f"DTSTART:{_utc(b.starts_at)}", f"DTEND:{_utc(b.ends_at)}",
            f"SUMMARY:{escape(title + part + (' - ' + who if who and technician_id is None else ''))}",
            f"LOCATION:{escape(bays.get(b.bay_id, b.bay_id))}", f"DESCRIPTION:{escape(chr(10).join(details))}",
            f"STATUS:{'CONFIRMED' if b.state in ('confirmed', 'in_progress', 'done') else 'TENTATIVE'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "calendar"


def write_calendars(plan: Plan, problem: Problem, directory: str | Path, *, stamp: datetime | None = None) -> list[Path]:
    """``technician-<name>.ics`` and ``bay-<name>.ics`` for everyone and every bay with bookings."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for t in problem.technicians:
        if any(b.technician_id == t.id for b in plan.bookings):
            path = directory / f"technician-{_safe(t.name)}.ics"
            path.write_bytes(calendar(plan, problem, technician_id=t.id, stamp=stamp, name=f"{t.name} - workshop").encode("utf-8"))
            written.append(path)
    for bay in problem.bays:
        if any(b.bay_id == bay.id for b in plan.bookings):
            path = directory / f"bay-{_safe(bay.name)}.ics"
            path.write_bytes(calendar(plan, problem, bay_id=bay.id, stamp=stamp, name=f"{bay.name} - bookings").encode("utf-8"))
            written.append(path)
    return written


def read_events(text: str) -> list[dict[str, str]]:
    """The VEVENTs of an iCalendar text as {property: unescaped value} (unfolded; parameters dropped)."""
    unfolded = re.sub(r"\r\n[ \t]", "", text)
    events: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in unfolded.split("\r\n"):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT" and current is not None:
            events.append(current)
            current = None
        elif current is not None and ":" in line:
            key, value = line.split(":", 1)
            current[key.split(";", 1)[0]] = unescape(value)
    return events


__all__ = ["calendar", "escape", "fold", "read_events", "uid", "unescape", "write_calendars"]
