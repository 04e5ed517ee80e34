"""Which signal database belongs to which car: chosen once, remembered with the vehicle."""

from __future__ import annotations

import logging
from pathlib import Path

from carvrooom_desktop.storage.store import Store
from drivers.signal_db import SignalDatabase, SignalDatabaseError, load_signal_database

log = logging.getLogger(__name__)


def choose_for_vehicle(store: Store, vin: str, path: str | Path) -> SignalDatabase:
    """Load ``path`` (so a broken file is refused before it is remembered), then remember it for ``vin``."""
    database = load_signal_database(Path(path))
    store.vehicles.remember_signal_database(vin, str(Path(path).resolve()))
    return database


def database_for_vehicle(store: Store, vin: str) -> tuple[SignalDatabase | None, str]:
    """The remembered database, or None and why not (never chosen, file moved, no longer parses)."""
    path = store.vehicles.signal_database_path(vin)
    if path is None:
        return None, "no signal database chosen for this vehicle"
    if not Path(path).exists():
        return None, f"the signal database chosen for this vehicle is missing: {path}"
    try:
        return load_signal_database(Path(path)), ""
    except SignalDatabaseError as e:
        log.warning("remembered signal database does not load: %s", e)
        return None, str(e)
