"""A week Gantt on a QGraphicsView: rows (bays or technicians), one column per open day, bars you can drag.

The view knows rows, bars and opening windows, nothing of the scheduler. While a bar is dragged,
every 15-minute slot the pointer reaches is put to the page's ``drop_check`` (the core's move
checker): the ghost turns green or red and ``hover_checked`` says why. A feasible drop emits
``bar_dropped``; an infeasible one emits ``drop_refused`` with the reason and the bar stays where
it was (it only moves when the store has the new booking and the page redraws). ``drag_bar`` is
the same path without a mouse, for tests and keyboard use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsScene, QGraphicsView, QStyleOptionGraphicsItem, QWidget

from ui.theme import Theme

HEADER_W = 132  # the row titles
HEADER_H = 40  # day names and hours
ROW_H, ROW_H_MAX = 28, 56  # rows grow to fill the view, up to two lines of text
SNAP = timedelta(minutes=15)

# (fill, border, text) of a bar per state, light and dark. Done, in progress and late use the theme's tones.
_PLANNED = {"light": ("#ddf4ff", "#54aeff", "#0a3069"), "dark": ("#0c2d6b", "#388bfd", "#cae8ff")}
_PARTS = {"light": ("#fbefff", "#c297ff", "#512a97"), "dark": ("#2e1a4f", "#a371f7", "#e2c5ff")}


def state_colours(theme: Theme, state: str) -> tuple[str, str, str]:
    key = "dark" if theme.name == "dark" else "light"
    if state in ("planned", "tentative"):
        return _PLANNED[key]
    if state == "waiting parts":
        return _PARTS[key]
    tone = {"in progress": theme.good, "done": theme.idle, "late": theme.bad, "refused": theme.bad}.get(state, theme.idle)
    fg, bg, border = tone
    return bg, border, fg


@dataclass(frozen=True)
class GanttRow:
    key: str
    title: str
    subtitle: str = ""
    off: tuple[tuple[datetime, datetime], ...] = ()  # not available (off shift, break, absence, out of service): hatched


@dataclass(frozen=True)
class GanttBar:
    id: str
    group: str  # the job: parts of one job move together
    row: str
    starts_at: datetime
    ends_at: datetime
    label: str  # what the work is ("brake pads and discs")
    state: str
    tentative: bool = False
    tooltip: str = ""
    short: str = ""  # the repair-order number, shown first and kept when the bar is narrow


@dataclass(frozen=True)
class DropCheck:
    ok: bool
    reason: str = ""
    note: str = ""  # allowed, with a warning (a promise missed)


@dataclass(frozen=True)
class DayColumn:
    opens: datetime
    closes: datetime
    x: float  # scene x of the opening time
    note: str = ""  # e.g. "85 %" load
    tone: str = ""  # "", "warn", "bad"


class BarItem(QGraphicsRectItem):
    def __init__(self, bar: GanttBar, rect: QRectF, colours: tuple[str, str, str], font: QFont, bold: QFont) -> None:
        super().__init__(rect)
        self.bar = bar
        self._colours = colours
        self._font = font
        self._bold = bold
        self.setToolTip(bar.tooltip)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setZValue(2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        fill, border, text = self._colours
        r = self.rect().adjusted(0.5, 0.5, -0.5, -0.5)
        pen = QPen(QColor(border), 1.4)
        if self.bar.tentative:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(pen)
        painter.setBrush(QBrush(QColor(fill)))
        painter.drawRoundedRect(r, 3, 3)
        if self.bar.state == "refused":
            painter.setBrush(QBrush(QColor(border), Qt.BrushStyle.BDiagPattern))
            painter.drawRoundedRect(r, 3, 3)
        if r.width() < 14:
            return
        metrics = QFontMetrics(self._font)
        inner = r.adjusted(4, 1, -3, -1)
        width = int(inner.width())
        painter.setPen(QColor(text))
        short, label = self.bar.short, self.bar.label
        if short and inner.height() >= 2 * metrics.height() and metrics.horizontalAdvance(short) <= width:
            painter.setFont(self._bold)
            painter.drawText(inner, int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft), short)
            painter.setFont(self._font)
            painter.drawText(inner, int(Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft),
                             metrics.elidedText(label, Qt.TextElideMode.ElideRight, width))
            return
        painter.setFont(self._font)
        digits = "".join(ch for ch in short if ch.isdigit())[-4:]
        for candidate in (f"{short} {label}".strip(), short, digits):
            if candidate and metrics.horizontalAdvance(candidate) <= width:
                shown = candidate
                break
        else:
            shown = metrics.elidedText(f"{short} {label}".strip(), Qt.TextElideMode.ElideRight, width) if width > 40 else ""
        painter.drawText(inner, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), shown)


class GanttView(QGraphicsView):
    bar_dropped = Signal(object, str, object)  # bar, row key, new start (a feasible drop)
    drop_refused = Signal(object, str)  # bar, reason
    hover_checked = Signal(bool, str)  # during a drag: feasible?, reason or note
    bar_clicked = Signal(object)
    bar_menu_requested = Signal(object, object)  # bar, global QPoint (right click)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Gantt")
        self.setScene(QGraphicsScene(self))
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(160)
        self.theme = theme
        self.rows: list[GanttRow] = []
        self.bars: list[GanttBar] = []
        self.days: list[DayColumn] = []
        self._windows: list[tuple[datetime, datetime]] = []
        self._notes: dict[object, tuple[str, str]] = {}
        self.now: datetime | None = None
        self.px_per_hour = 14.0
        self.row_h = ROW_H
        self.drop_check: Callable[[GanttBar, str, datetime], DropCheck] = lambda bar, row, start: DropCheck(True)
        self._items: dict[str, BarItem] = {}
        self._drag: dict | None = None
        self._font = QFont(self.font())
        self._font.setPointSizeF(max(7.5, self._font.pointSizeF() - 1))
        self._small = QFont(self._font)
        self._small.setPointSizeF(max(7.0, self._font.pointSizeF() - 0.5))
        self._bold = QFont(self._font)
        self._bold.setBold(True)

    # -- content ---------------------------------------------------------------------------------------

    def set_content(self, windows: Sequence[tuple[datetime, datetime]], rows: Sequence[GanttRow], bars: Sequence[GanttBar],
                    now: datetime | None = None, day_notes: dict | None = None) -> None:
        """Open windows (one per shown day), rows, bars; ``day_notes``: {date: (text, tone)} for the day headers."""
        self._windows = list(windows)
        self.rows = list(rows)
        self.bars = list(bars)
        self.now = now
        self._notes = dict(day_notes or {})
        self._rebuild()

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._rebuild()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt
        super().resizeEvent(event)
        self._rebuild()

    def _rebuild(self) -> None:
        scene = self.scene()
        self._drag = None
        scene.clear()
        self._items.clear()
        t = self.theme
        self.setBackgroundBrush(QColor(t.base))
        hours = sum((b - a).total_seconds() / 3600 for a, b in self._windows) or 1.0
        width = max(400, self.viewport().width() - 2)
        self.px_per_hour = max(6.0, (width - HEADER_W - 4) / hours)
        free = self.viewport().height() - HEADER_H - 4
        self.row_h = int(min(ROW_H_MAX, max(ROW_H, free // max(1, len(self.rows)))))
        x = float(HEADER_W)
        self.days = []
        for a, b in self._windows:
            note, tone = self._notes.get(a.date(), ("", ""))
            self.days.append(DayColumn(a, b, x, note, tone))
            x += (b - a).total_seconds() / 3600 * self.px_per_hour
        right = x
        height = HEADER_H + self.row_h * len(self.rows)
        scene.setSceneRect(0, 0, max(right + 2, width), height + 2)
        grid, text, muted = QColor(t.border), QColor(t.text), QColor(t.muted)
        alt = QColor(t.alternate)
        for i, row in enumerate(self.rows):
            y = HEADER_H + i * self.row_h
            if i % 2:
                scene.addRect(QRectF(0, y, right, self.row_h), QPen(Qt.PenStyle.NoPen), QBrush(alt)).setZValue(-2)
            title = scene.addSimpleText(_elide(row.title, self._bold, HEADER_W - 10), self._bold)
            title.setBrush(text)
            block = title.boundingRect().height()
            sub = None
            if row.subtitle:
                sub = scene.addSimpleText(_elide(row.subtitle, self._small, HEADER_W - 10), self._small)
                sub.setBrush(muted)
                block += sub.boundingRect().height() - 2
            top = y + max(1.0, (self.row_h - block) / 2)  # title and subtitle as one block, centred in the row
            title.setPos(6, top)
            if sub is not None:
                sub.setPos(6, top + title.boundingRect().height() - 2)
            scene.addLine(0, y + self.row_h, right, y + self.row_h, QPen(grid, 0.6)).setZValue(-1)
            hatch = QBrush(QColor(t.muted), Qt.BrushStyle.BDiagPattern)
            for a, b in row.off:
                x0, x1 = self.x_of(a), self.x_of(b)
                if x1 - x0 >= 1:
                    shade = scene.addRect(QRectF(x0, y + 1, x1 - x0, self.row_h - 2), QPen(Qt.PenStyle.NoPen), hatch)
                    shade.setOpacity(0.35)
                    shade.setZValue(-1)
        for day in self.days:
            day_w = (day.closes - day.opens).total_seconds() / 3600 * self.px_per_hour
            colour = {"bad": t.bad[0], "warn": t.warn[0]}.get(day.tone, t.text)
            note = f"  {day.note}" if day.note else ""
            metrics = QFontMetrics(self._bold)
            shown = next((c for c in (f"{day.opens:%a %d %b}{note}", f"{day.opens:%a %d}{note}", f"{day.opens:%a}{note}")
                          if metrics.horizontalAdvance(c) <= day_w - 6), _elide(f"{day.opens:%a}", self._bold, day_w - 6))
            head = scene.addSimpleText(shown, self._bold)
            head.setBrush(QColor(colour))
            head.setPos(day.x + 4, 2)
            if day.tone:
                band = scene.addRect(QRectF(day.x, HEADER_H, day_w, height - HEADER_H), QPen(Qt.PenStyle.NoPen),
                                     QBrush(QColor(getattr(t, day.tone)[1])))
                band.setOpacity(0.45)
                band.setZValue(-3)
            scene.addLine(day.x, 0, day.x, height, QPen(QColor(t.muted), 1.0)).setZValue(-1)
            step = 1 if self.px_per_hour >= 24 else 2 if self.px_per_hour >= 12 else 3
            hour = day.opens.replace(minute=0) + (timedelta(hours=1) if day.opens.minute else timedelta())
            while hour < day.closes:
                hx = self.x_of(hour)
                if hour.hour % step == 0 and hx - day.x > 6 and day.x + day_w - hx > 14:
                    label = scene.addSimpleText(f"{hour:%H}", self._small)
                    label.setBrush(muted)
                    label.setPos(hx - label.boundingRect().width() / 2, HEADER_H - label.boundingRect().height() - 2)
                    scene.addLine(hx, HEADER_H, hx, height, QPen(grid, 0.4, Qt.PenStyle.DotLine)).setZValue(-1)
                hour += timedelta(hours=1)
        scene.addLine(right, 0, right, height, QPen(QColor(t.muted), 1.0))
        scene.addLine(0, HEADER_H, right, HEADER_H, QPen(QColor(t.muted), 1.0))
        row_index = {r.key: i for i, r in enumerate(self.rows)}
        for bar in self.bars:
            if bar.row not in row_index:
                continue
            rect = self.bar_rect_for(row_index[bar.row], bar.starts_at, bar.ends_at)
            if rect is None:
                continue
            item = BarItem(bar, rect, state_colours(t, bar.state), self._font, self._bold)
            scene.addItem(item)
            self._items[bar.id] = item
        if self.now is not None and self._windows and self._windows[0][0] <= self.now <= self._windows[-1][1]:
            nx = self.x_of(self.now)
            line = scene.addLine(nx, HEADER_H - 4, nx, height, QPen(QColor(t.bad[2]), 1.6))
            line.setZValue(3)

    # -- geometry --------------------------------------------------------------------------------------

    def x_of(self, t: datetime) -> float:
        """Scene x of a time (closed hours collapse onto the nearest edge)."""
        for day in self.days:
            if t < day.opens:
                return day.x
            if t <= day.closes:
                return day.x + (t - day.opens).total_seconds() / 3600 * self.px_per_hour
        last = self.days[-1] if self.days else None
        return last.x + (last.closes - last.opens).total_seconds() / 3600 * self.px_per_hour if last else float(HEADER_W)

    def time_at(self, x: float) -> datetime | None:
        """The time under scene x, rounded to 15 minutes."""
        for day in self.days:
            right = day.x + (day.closes - day.opens).total_seconds() / 3600 * self.px_per_hour
            if day.x <= x < right or day is self.days[-1] and x >= right:
                t = day.opens + timedelta(hours=(min(x, right) - day.x) / self.px_per_hour)
                return _snap(t)
        return None

    def row_at(self, y: float) -> str | None:
        i = int((y - HEADER_H) // self.row_h)
        return self.rows[i].key if 0 <= i < len(self.rows) and y >= HEADER_H else None

    def bar_rect_for(self, row: int, a: datetime, b: datetime) -> QRectF | None:
        x0, x1 = self.x_of(a), self.x_of(b)
        if x1 - x0 < 0.5:
            return None
        y = HEADER_H + row * self.row_h + 3
        return QRectF(x0, y, max(3.0, x1 - x0), self.row_h - 6)

    def item(self, bar_id: str) -> BarItem | None:
        return self._items.get(bar_id)

    def point_for(self, row_key: str, t: datetime) -> QPoint:
        """Viewport point over a row at a time (tests drive the mouse with it)."""
        i = next(k for k, r in enumerate(self.rows) if r.key == row_key)
        return self.mapFromScene(QPointF(self.x_of(t) + 1, HEADER_H + i * self.row_h + self.row_h / 2))

    # -- dragging ----------------------------------------------------------------------------------------

    def drag_bar(self, bar_id: str, row_key: str, start: datetime) -> DropCheck:
        """Drop bar ``bar_id`` on ``row_key`` at ``start``, as the mouse would (signals included)."""
        bar = next(b for b in self.bars if b.id == bar_id)
        return self._drop(bar, row_key, _snap(start))

    def _drop(self, bar: GanttBar, row_key: str, start: datetime) -> DropCheck:
        check = self.drop_check(bar, row_key, start)
        if check.ok:
            self.bar_dropped.emit(bar, row_key, start)
        else:
            self.drop_refused.emit(bar, check.reason)
        return check

    def contextMenuEvent(self, event) -> None:  # noqa: N802 - Qt
        item = self.itemAt(event.pos())
        if isinstance(item, BarItem):
            self.bar_menu_requested.emit(item.bar, event.globalPos())
            event.accept()
            return
        super().contextMenuEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt
        item = self.itemAt(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and isinstance(item, BarItem):
            scene_pos = self.mapToScene(event.position().toPoint())
            ghost = QGraphicsRectItem(item.rect())
            ghost.setZValue(5)
            ghost.setOpacity(0.75)
            ghost.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)
            ghost.hide()
            self.scene().addItem(ghost)
            self._drag = {"bar": item.bar, "dx": scene_pos.x() - item.rect().x(), "ghost": ghost, "at": None, "check": None,
                          "origin": (item.bar.row, _snap(item.bar.starts_at))}
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt
        drag = self._drag
        if drag is None:
            super().mouseMoveEvent(event)
            return
        pos = self.mapToScene(event.position().toPoint())
        row, start = self.row_at(pos.y()), self.time_at(pos.x() - drag["dx"])
        if row is None or start is None or (row, start) == drag["at"]:
            return
        drag["at"] = (row, start)
        bar = drag["bar"]
        i = next(k for k, r in enumerate(self.rows) if r.key == row)
        rect = self.bar_rect_for(i, start, start + (bar.ends_at - bar.starts_at)) or QRectF(self.x_of(start), 0, 4, self.row_h - 6)
        rect.moveTop(HEADER_H + i * self.row_h + 3)
        ghost = drag["ghost"]
        ghost.setRect(rect)
        if (row, start) == drag["origin"]:
            drag["check"] = None
            ghost.hide()
            return
        check = self.drop_check(bar, row, start)
        drag["check"] = check
        tone = self.theme.good if check.ok else self.theme.bad
        ghost.setPen(QPen(QColor(tone[2]), 2.0))
        ghost.setBrush(QBrush(QColor(tone[1])))
        ghost.show()
        self.hover_checked.emit(check.ok, check.note if check.ok else check.reason)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt
        drag = self._drag
        if drag is None:
            super().mouseReleaseEvent(event)
            return
        self._drag = None
        self.scene().removeItem(drag["ghost"])
        self.viewport().unsetCursor()
        if drag["at"] is None or drag["check"] is None:
            self.bar_clicked.emit(drag["bar"])
            return
        row, start = drag["at"]
        check = drag["check"]
        if check.ok:
            self.bar_dropped.emit(drag["bar"], row, start)
        else:
            self.drop_refused.emit(drag["bar"], check.reason)


def _snap(t: datetime) -> datetime:
    minutes = t.hour * 60 + t.minute + t.second / 60
    snapped = int(round(minutes / 15.0)) * 15
    return t.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(minutes=snapped)


def _elide(text: str, font: QFont, width: float) -> str:
    return QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, max(0, int(width)))


__all__ = ["BarItem", "DropCheck", "GanttBar", "GanttRow", "GanttView", "state_colours"]
