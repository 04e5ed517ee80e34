"""Small writers for the sync tests: workshop rows through the ORM, as the repositories would."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from carvrooom_desktop.storage.models import RecordingRow, VehicleRow
from carvrooom_desktop.storage.workshop_models import WorkshopBayRow, WorkshopBookingRow, WorkshopJobRow

DAY = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


def add(store, row):
    with Session(store.engine, expire_on_commit=False) as s, s.begin():
        row.origin = row.origin or store.origin
        s.add(row)
    return row.id


def edit(store, row_class, row_id, **values) -> None:
    with Session(store.engine) as s, s.begin():
        row = s.get(row_class, row_id)
        for k, v in values.items():
            setattr(row, k, v)
        row.version += 1


def get(store, model, row_id):
    with Session(store.engine, expire_on_commit=False) as s:
        return s.get(model, row_id)


def vehicle(store, vin="VF1AAAAA000000001", **kw) -> uuid.UUID:
    return add(store, VehicleRow(vin=vin, **kw))


def bay_and_job(store, name="Lift 1"):
    bay = add(store, WorkshopBayRow(name=name, bay_type="lift"))
    job = add(store, WorkshopJobRow(title="brake pads", labour_hours=1.5, bay_type="lift"))
    return bay, job


def booking(store, bay, job, slot: int, hours: float = 1.0) -> uuid.UUID:
    start = DAY + timedelta(hours=slot)
    return add(store, WorkshopBookingRow(job_id=job, bay_id=bay, starts_at=start, ends_at=start + timedelta(hours=hours),
                                         status="confirmed"))


def outbox(store) -> list:
    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT * FROM sync_outbox ORDER BY local_seq")).all()


def server_count(url: str, sql: str):
    from carvrooom_desktop.sync.engine import server_engine

    engine = server_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql)).all()
    finally:
        engine.dispose()


__all__ = ["DAY", "RecordingRow", "VehicleRow", "add", "bay_and_job", "booking", "edit", "get", "outbox", "server_count",
           "vehicle"]
