"""Which signal database decodes this: one answer for live sessions, replays, exports and the viewer.

The order (DESIGN: one decision, one place): a file the technician chose, then the database
stored with the recording (by content hash, so it decodes the same on any workstation), then
the one remembered for the vehicle, then the source's own (the simulated car's DBC). Each
answer carries the reason, which the pages show.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from carvrooom_desktop.acquisition.decode.plan import cantools_database
from carvrooom_desktop.domain import Recording, SignalDefinition, SignalSource
from carvrooom_desktop.storage.store import Store
from drivers.signal_db import SignalDatabase, SignalDatabaseError, load_signal_database

if TYPE_CHECKING:
    import cantools.database.can

    from carvrooom_desktop.acquisition.decode.plan import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DatabaseChoice:
    database: Database | None  # None: frames stay undecoded (``reason`` says why)
    reason: str
    name: str = ""  # file name, stored with a recording
    content: bytes | None = None  # file content, stored with a recording


@dataclass(frozen=True)
class SourceDatabase:
    """The database a source brings itself (the simulator's DBC): loaded, and the file it came from."""

    database: Database
    path: Path


def choose_decoding_database(store: Store | None, *, explicit: str | Path | None = None, recording: Recording | None = None,
                             vin: str = "", source: SourceDatabase | None = None) -> DatabaseChoice:
    """The database for a live session (``vin``, ``source``) or a stored recording (``recording``)."""
    if explicit is not None:
        path = Path(explicit)
        return DatabaseChoice(load_signal_database(path), f"the chosen file {path.name}", path.name, path.read_bytes())
    why: list[str] = []
    if recording is not None and store is not None:
        stored = _stored_with(store, recording)
        if stored.database is not None:
            return stored
        why.append(stored.reason)
        vin = vin or recording.vin
    if vin and store is not None:
        database, problem = database_for_vehicle(store, vin)
        if database is not None:
            path = Path(store.vehicles.signal_database_path(vin) or "")
            return DatabaseChoice(database, f"remembered for {vin} ({path.name})", path.name, _read(path))
        why.append(problem)
    if source is not None:
        return DatabaseChoice(source.database, f"the source's own ({source.path.name})", source.path.name, source.path.read_bytes())
    return DatabaseChoice(None, "no signal database: " + "; ".join(w for w in why if w) if any(why)
                          else "no signal database: broadcast frames are recorded raw, not decoded")


def _stored_with(store: Store, recording: Recording) -> DatabaseChoice:
    repo = store.recording_sources
    source = repo.get(recording.id)
    if source is None or not source.database_sha256:
        return DatabaseChoice(None, "")
    stored = repo.database_file(source.database_sha256)
    if stored is None:
        return DatabaseChoice(None, f"the database stored with the recording ({source.database_name}) is missing")
    name, content = stored
    path = _cached_file(source.database_sha256, name, content)
    try:
        return DatabaseChoice(load_signal_database(path), f"stored with the recording ({name})", name, content)
    except SignalDatabaseError as e:
        return DatabaseChoice(None, f"the database stored with the recording does not load: {e}")


def _cached_file(sha256: str, name: str, content: bytes) -> Path:
    """The stored content as a file the loader can read (its format comes from the suffix)."""
    from carvrooom_desktop.paths import data_dir, ensure_dir

    path = ensure_dir(data_dir() / "signal-databases") / f"{sha256[:16]}{Path(name).suffix or '.dbc'}"
    if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        path.write_bytes(content)
    return path


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


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


def broadcast_definitions(database: Database) -> list[SignalDefinition]:
    """One definition ("MESSAGE.signal", unit, range) per signal of a cantools Database or SignalDatabase,
    named as the BatchDecoder names its series."""
    db = cantools_database(database)
    return [
        SignalDefinition(f"{message.name}.{sig.name}", sig.unit or "", SignalSource.CAN_DBC, _comment(sig), sig.minimum, sig.maximum)
        for message in db.messages
        for sig in message.signals
    ]


def _comment(signal: cantools.database.can.Signal) -> str:
    comment = signal.comment
    return comment if isinstance(comment, str) else ""
