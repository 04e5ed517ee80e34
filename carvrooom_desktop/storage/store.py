"""The store as the rest of the app sees it: open it, get the repositories, close it."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from carvrooom_desktop.errors import StoreUnavailable
from carvrooom_desktop.storage.engine import display_url, make_engine, parse_url, resolve_url
from carvrooom_desktop.storage.migrate import upgrade_to_head
from carvrooom_desktop.storage.recording_sources import RecordingSourceRepository
from carvrooom_desktop.storage.recordings import RecordingRepository
from carvrooom_desktop.storage.sync_capture import ensure_capture
from carvrooom_desktop.storage.vehicles import VehicleRepository
from carvrooom_desktop.storage.workshop import WorkshopRepository

log = logging.getLogger(__name__)


class Store:
    def __init__(self, engine: Engine, origin: str) -> None:
        self.engine = engine
        self.origin = origin
        self.recordings = RecordingRepository(engine, origin)
        self.vehicles = VehicleRepository(engine, origin)
        self.workshop = WorkshopRepository(engine, origin)
        self.recording_sources = RecordingSourceRepository(engine, origin)

    @property
    def display_url(self) -> str:
        return display_url(self.engine.url)

    @property
    def kind(self) -> str:
        return "SQLite" if self.engine.dialect.name == "sqlite" else "PostgreSQL" if self.engine.dialect.name == "postgresql" else self.engine.dialect.name

    @classmethod
    def open(cls, url: str | None = None, *, origin: str = "", password: str | None = None) -> Store:
        """Open (creating or migrating as needed) the database at ``url``.

        Raises StoreUnavailable with the URL (password hidden) and the reason; the
        caller keeps the app usable without a store.
        """
        url = resolve_url(url)
        shown = display_url(url)
        engine = make_engine(parse_url(url), password=password)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            upgrade_to_head(engine)
            ensure_capture(engine)  # sync's capture triggers follow the migrated tables (issue 13)
            store = cls(engine, origin)
            recovered = store.recordings.recover_interrupted()
        except (SQLAlchemyError, OSError) as e:
            engine.dispose()
            reason = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
            raise StoreUnavailable(f"cannot open the database {shown}: {reason}") from e
        if recovered:
            log.warning("%d recording(s) were interrupted (app killed?); their committed data is kept", recovered)
        log.info("store open: %s", shown)
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
