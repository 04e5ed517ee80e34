"""The workshop's repositories: bays, technicians, opening hours, jobs and bay bookings."""

from __future__ import annotations

from sqlalchemy import Engine

from carvrooom_desktop.storage import workshop_models  # noqa: F401  (registers the tables on Base)


class WorkshopRepository:
    def __init__(self, engine: Engine, origin: str) -> None:
        self.engine = engine
        self.origin = origin
