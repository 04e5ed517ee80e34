"""Which signal database belongs to which car: chosen once, remembered with the vehicle."""

from __future__ import annotations

import logging
from pathlib import Path

from carvrooom_desktop.domain import SignalDefinition, SignalSource
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


def broadcast_definitions(database) -> list[SignalDefinition]:
    """One definition ("MESSAGE.signal", unit, range) per signal of a cantools Database or SignalDatabase,
    named as the BatchDecoder names its series."""
    db = getattr(database, "cantools_database", database)
    return [
        SignalDefinition(f"{message.name}.{sig.name}", sig.unit or "", SignalSource.CAN_DBC, _comment(sig), sig.minimum, sig.maximum)
        for message in db.messages
        for sig in message.signals
    ]


def _comment(signal) -> str:
    comment = signal.comment
    return comment if isinstance(comment, str) else ""
