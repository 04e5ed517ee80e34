"""A small seeded fleet on a real SQLite file, shared by the fleet tests (imported, never via conftest)."""

from __future__ import annotations

from datetime import date

from carvrooom_desktop.fleet.seed import seed_fleet
from carvrooom_desktop.storage.store import Store

TODAY = date(2026, 12, 4)


def seeded_store(url: str, *, vehicles: int = 20, seed: int = 3, visits: int | None = None) -> Store:
    store = Store.open(url, origin="ws-fleet")
    seed_fleet(store.engine, vehicles=vehicles, seed=seed, today=TODAY, visits_per_vehicle=visits, origin=store.origin)
    return store
