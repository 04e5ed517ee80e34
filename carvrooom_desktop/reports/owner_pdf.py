"""The owner's health report as a one-page PDF (ReportLab, imported when a report is made).

Byte-identical for the same data: ReportLab's invariant mode (fixed creation date and document id)
and no clock: the date printed is the visit's. Built on the canvas with a fixed grid so nothing
flows onto a second page; long lists are cut with "and N more".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from carvrooom_desktop.reports.owner_data import AMBER, GREEN, GREY, LIGHT_WORDS, RED, OwnerReport

COLOURS = {GREEN: "#2e9d57", AMBER: "#e8a317", RED: "#d64541", GREY: "#9aa3ad"}
INK, MUTED, RULE, BAND = "#1d2733", "#5c6873", "#d9dee3", "#1f3b57"
W, H = 595.27, 841.89  # A4 in points
M = 40.0
SUMMARY = {GREEN: "Your car is in good health.", AMBER: "Your car is fine to drive; some things need attention soon.",
           RED: "Something needs attention now: please book it in.", GREY: "We could not check enough to say."}


def render_owner_report(report: OwnerReport, path: str | Path) -> Path:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    out = Path(path)
    c = Canvas(str(out), pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(f"Vehicle health report {report.vin} {report.visit_date.isoformat()}")
    c.setAuthor(report.workshop.name)
    c.setSubject("Vehicle health report for the owner")
    p = _Page(c, HexColor)
    p.header(report)
    y = p.car(report, H - 122)
    y = p.overall(report, y - 10)
    y = p.systems(report, y - 14)
    y = p.found_and_done(report, y - 28)
    y = p.due(report, y - 14)
    p.trend(report, y - 14)
    p.footer(report)
    c.showPage()
    c.save()
    return out


class _Page:
    def __init__(self, canvas: Any, hex_colour: Any) -> None:
        self.c = canvas
        self.hex = hex_colour

    def colour(self, code: str, *, fill: bool = True) -> None:
        (self.c.setFillColor if fill else self.c.setStrokeColor)(self.hex(code))

    def text(self, x: float, y: float, s: str, size: float = 10, *, bold: bool = False, colour: str = INK, right: bool = False) -> None:
        self.c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        self.colour(colour)
        (self.c.drawRightString if right else self.c.drawString)(x, y, s)

    def wrapped(self, x: float, y: float, s: str, width: float, size: float = 9.5, *, leading: float = 12.0, colour: str = INK,
                max_lines: int = 3, bold: bool = False) -> float:
        from reportlab.lib.utils import simpleSplit

        lines = simpleSplit(s, "Helvetica-Bold" if bold else "Helvetica", size, width)
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = lines[-1].rstrip(" .,;") + "..."
        for line in lines:
            self.text(x, y, line, size, colour=colour, bold=bold)
            y -= leading
        return y

    def heading(self, x: float, y: float, s: str, width: float = W - 2 * M) -> float:
        self.text(x, y, s.upper(), 9, bold=True, colour=MUTED)
        self.colour(RULE, fill=False)
        self.c.setLineWidth(0.6)
        self.c.line(x, y - 4, x + width, y - 4)
        return y - 18

    # -- blocks -------------------------------------------------------------------------------------

    def header(self, r: OwnerReport) -> None:
        c = self.c
        self.colour(BAND)
        c.rect(0, H - 86, W, 86, stroke=0, fill=1)
        self.text(M, H - 40, r.workshop.name, 18, bold=True, colour="#ffffff")
        contact = "  |  ".join(s for s in (r.workshop.address, r.workshop.phone, r.workshop.email) if s)
        self.text(M, H - 60, contact, 9, colour="#d7e1ea")
        self.text(W - M, H - 40, "Vehicle health report", 14, bold=True, colour="#ffffff", right=True)
        self.text(W - M, H - 60, f"Visit of {r.visit_date.day} {r.visit_date:%B %Y}", 9, colour="#d7e1ea", right=True)

    def car(self, r: OwnerReport, y: float) -> float:
        self.text(M, y, r.car or "Your car", 16, bold=True)
        facts = [f"VIN {r.vin}"]
        if r.odometer_km is not None:
            facts.append(f"odometer {r.odometer_km:,.0f} km")
        if r.owner:
            facts.append(f"owner {r.owner}")
        self.text(M, y - 17, "   ".join(facts), 9.5, colour=MUTED)
        return y - 30

    def overall(self, r: OwnerReport, y: float) -> float:
        c = self.c
        box_h = 62
        self.colour("#f4f6f8")
        c.roundRect(M, y - box_h, W - 2 * M, box_h, 8, stroke=0, fill=1)
        cx, cy = M + 36, y - box_h / 2
        self.colour(COLOURS[r.light])
        c.circle(cx, cy, 23, stroke=0, fill=1)
        score = "-" if r.score is None else f"{r.score:.0f}"
        self.text(cx, cy - 6, "", 1)
        c.setFont("Helvetica-Bold", 17)
        self.colour("#ffffff")
        c.drawCentredString(cx, cy - 6, score)
        self.text(M + 72, y - 24, f"Overall: {LIGHT_WORDS[r.light]}", 14, bold=True)
        self.text(M + 72, y - 42, SUMMARY[r.light] + (f"  Health score {score} out of 100." if r.score is not None else ""), 10, colour=MUTED)
        return y - box_h

    def systems(self, r: OwnerReport, y: float) -> float:
        y = self.heading(M, y, "Each system at a glance")
        col_w, row_h = (W - 2 * M - 12) / 2, 50.0
        for i, s in enumerate(r.systems[:6]):
            col, row = i % 2, i // 2
            x, top = M + col * (col_w + 12), y - row * (row_h + 8)
            self.colour("#ffffff")
            self.colour(RULE, fill=False)
            self.c.setLineWidth(0.8)
            self.c.roundRect(x, top - row_h, col_w, row_h, 6, stroke=1, fill=0)
            self.colour(COLOURS[s.light])
            self.c.roundRect(x, top - row_h, 6, row_h, 3, stroke=0, fill=1)
            self.c.circle(x + 20, top - 15, 5, stroke=0, fill=1)
            self.text(x + 31, top - 19, s.system, 10.5, bold=True)
            self.text(x + col_w - 10, top - 19, s.words, 9, bold=True, colour=COLOURS[s.light], right=True)
            self.wrapped(x + 31, top - 33, s.detail, col_w - 42, 8.5, leading=10, colour=MUTED, max_lines=2)
        rows = (min(6, len(r.systems)) + 1) // 2
        return y - rows * (row_h + 8) + 8

    def _bullets(self, x: float, y: float, items: list[str], width: float, empty: str, limit: int) -> float:
        if not items:
            return self.wrapped(x, y, empty, width, 9.5, colour=MUTED) - 2
        for item in items[:limit]:
            self.colour(INK)
            self.c.circle(x + 3, y + 3, 1.6, stroke=0, fill=1)
            y = self.wrapped(x + 11, y, item, width - 11, 9.5, max_lines=2) - 3
        if len(items) > limit:
            self.text(x + 11, y, f"and {len(items) - limit} more", 9, colour=MUTED)
            y -= 14
        return y

    def found_and_done(self, r: OwnerReport, y: float) -> float:
        half = (W - 2 * M - 24) / 2
        left_x, right_x = M, M + half + 24
        ly = self.heading(left_x, y, "What we found", half)
        ly = self._bullets(left_x, ly, r.found, half, "Nothing that needs work.", 4)
        ly = self.heading(left_x, ly - 6, "What we did", half)
        ly = self._bullets(left_x, ly, r.done, half, "Inspection only: no work was needed.", 5)
        ry = self.heading(right_x, y, "Before and after", half)
        if r.before_after:
            self.text(right_x, ry, "", 1)
            self.text(right_x + 110, ry, "before", 8.5, bold=True, colour=MUTED)
            self.text(right_x + 185, ry, "after", 8.5, bold=True, colour=MUTED)
            ry -= 14
            for what, before, after in r.before_after[:4]:
                self.text(right_x, ry, what, 9.5, bold=True)
                self.text(right_x + 110, ry, before[:14], 9.5, colour=MUTED)
                self.text(right_x + 185, ry, after[:14], 9.5, colour=COLOURS[GREEN] if after != before else INK, bold=True)
                ry -= 15
        else:
            ry = self.wrapped(right_x, ry, "Nothing was measured before and after at this visit.", half, 9.5, colour=MUTED)
        ry = self.heading(right_x, ry - 8, "Trouble codes cleared", half)
        if r.cleared:
            for code, description, when in r.cleared[-5:]:
                self.text(right_x, ry, code, 9.5, bold=True)
                self.text(right_x + half, ry, when, 9, colour=MUTED, right=True)
                ry = self.wrapped(right_x + 46, ry, description, half - 120, 9, leading=11, max_lines=1) - 3
        else:
            ry = self.wrapped(right_x, ry, "No codes were cleared in the last year.", half, 9.5, colour=MUTED)
        return min(ly, ry)

    def due(self, r: OwnerReport, y: float) -> float:
        y = self.heading(M, y, "What is due next")
        if not r.due:
            return self.wrapped(M, y, "Nothing is due from what we know of your car.", W - 2 * M, 9.5, colour=MUTED)
        words = {"overdue": ("Overdue", RED), "due soon": ("Due soon", AMBER), "ok": ("Planned", GREEN)}
        for item, when, status in r.due[:6]:
            label, colour = words.get(status, (status, GREY))
            self.colour(COLOURS[colour])
            self.c.circle(M + 4, y + 3.2, 3.5, stroke=0, fill=1)
            self.text(M + 14, y, item, 9.5, bold=True)
            self.text(M + 150, y, when, 9.5)
            self.text(W - M, y, label, 9.5, bold=True, colour=COLOURS[colour], right=True)
            y -= 16
        return y

    def trend(self, r: OwnerReport, y: float) -> None:
        """Health at each visit of the last year: a small line with a dot per visit, in the traffic-light colours."""
        from carvrooom_desktop.reports.owner_data import light_of

        points = [(d, s) for d, s in r.history if s is not None]
        bottom = 80.0
        if len(points) < 2 or y - bottom < 70:
            return
        y = self.heading(M, y, "Health at each visit this year")
        top, left, right = y - 4, M + 28, W - M - 8
        height = min(110.0, top - bottom - 14)
        base = top - height
        self.colour(RULE, fill=False)
        self.c.setLineWidth(0.5)
        for level in (0, 50, 100):
            ly = base + height * level / 100
            self.c.line(left, ly, right, ly)
            self.text(left - 6, ly - 3, str(level), 7, colour=MUTED, right=True)
        first, last = points[0][0], points[-1][0]
        span = max(1, (last - first).days)
        xy = [(left + (right - left) * (d - first).days / span, base + height * s / 100, s) for d, s in points]
        self.colour(BAND, fill=False)
        self.c.setLineWidth(1.2)
        path = self.c.beginPath()
        path.moveTo(xy[0][0], xy[0][1])
        for x, yy, _s in xy[1:]:
            path.lineTo(x, yy)
        self.c.drawPath(path, stroke=1, fill=0)
        for x, yy, s in xy:
            self.colour(COLOURS[light_of(s)])
            self.c.circle(x, yy, 3.2, stroke=0, fill=1)
        self.text(left, base - 12, f"{first.day} {first:%b %Y}", 7.5, colour=MUTED)
        self.text(right, base - 12, f"{last.day} {last:%b %Y}", 7.5, colour=MUTED, right=True)

    def footer(self, r: OwnerReport) -> None:
        reach = " or ".join(s for s in (r.workshop.phone and f"call {r.workshop.phone}", r.workshop.email and f"write to {r.workshop.email}") if s)
        self.colour(RULE, fill=False)
        self.c.line(M, 64, W - M, 64)
        self.text(M, 48, f"Questions about this report? {reach[:1].upper() + reach[1:]}." if reach else "Questions about this report? Ask us.",
                  9.5, bold=True)
        self.text(M, 34, f"Made from {r.workshop.name}'s records of the visit on {r.visit_date.isoformat()} for VIN {r.vin}. "
                  "Traffic lights: green good, amber soon, red now.", 7.5, colour=MUTED)


__all__ = ["render_owner_report"]
