"""Maintenance items and when each is due next, forecast from the car's average daily distance.

An item is due at whichever comes first: its distance interval (reached at the car's average
daily distance) or its calendar interval. "Due soon" is within ``DUE_SOON_DAYS`` days;
"overdue" is past it (Fleetio's and Wialon's vocabulary).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

DUE_SOON_DAYS = 30
OK, DUE_SOON, OVERDUE = "ok", "due soon", "overdue"


@dataclass(frozen=True, slots=True)
class MaintenanceItem:
    name: str
    title: str
    interval_km: float | None
    interval_days: int | None


MAINTENANCE_ITEMS: tuple[MaintenanceItem, ...] = (
    MaintenanceItem("oil_service", "Oil and filter", 15_000.0, 365),
    MaintenanceItem("brake_fluid", "Brake fluid", None, 730),
    MaintenanceItem("air_filter", "Air filter", 30_000.0, 730),
    MaintenanceItem("spark_plugs", "Spark plugs", 60_000.0, None),
    MaintenanceItem("inspection", "Annual inspection", None, 365),
)
ITEMS = {i.name: i for i in MAINTENANCE_ITEMS}


@dataclass(frozen=True, slots=True)
class DueItem:
    vin: str
    item: str
    title: str
    due_date: date | None  # None: no interval applies
    due_km: float | None
    days_left: int | None
    km_left: float | None
    status: str  # ok | due soon | overdue

    def to_dict(self) -> dict[str, object]:
        return {"vin": self.vin, "item": self.item, "title": self.title,
                "due_date": self.due_date.isoformat() if self.due_date else None,
                "due_km": None if self.due_km is None else round(self.due_km), "days_left": self.days_left,
                "km_left": None if self.km_left is None else round(self.km_left), "status": self.status}


def forecast(vin: str, item: str, interval_km: float | None, interval_days: int | None, last_done: date | None,
             last_done_km: float | None, odometer_now: float | None, daily_km: float, today: date) -> DueItem:
    """When ``item`` is due next, seen from ``today`` with the car at ``odometer_now``."""
    title = ITEMS[item].title if item in ITEMS else item.replace("_", " ")
    dates: list[date] = []
    due_km = km_left = None
    if interval_km and last_done_km is not None and odometer_now is not None:
        due_km = last_done_km + interval_km
        km_left = due_km - odometer_now
        if daily_km > 0:
            dates.append(today + timedelta(days=int(km_left // daily_km)))
        elif km_left < 0:
            dates.append(today - timedelta(days=1))
    if interval_days and last_done is not None:
        dates.append(last_done + timedelta(days=interval_days))
    if not dates:
        return DueItem(vin, item, title, None, due_km, None, km_left, OK)
    due = min(dates)
    days_left = (due - today).days
    status = OVERDUE if days_left < 0 else DUE_SOON if days_left <= DUE_SOON_DAYS else OK
    return DueItem(vin, item, title, due, due_km, days_left, km_left, status)


__all__ = ["DUE_SOON", "DUE_SOON_DAYS", "ITEMS", "MAINTENANCE_ITEMS", "OK", "OVERDUE", "DueItem", "MaintenanceItem", "forecast"]
