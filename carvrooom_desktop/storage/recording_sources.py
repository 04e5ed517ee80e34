"""Where a recording came from and which signal database decoded it; database files by content hash."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from carvrooom_desktop.storage.models import RecordingSourceRow, SignalDatabaseFileRow


@dataclass(frozen=True, slots=True)
class RecordingSource:
    recording_id: uuid.UUID
    source_kind: str  # SourceSpec kind ("sim", "sim-elm", "elm", "can") or "import"
    database_name: str = ""
    database_sha256: str = ""


class RecordingSourceRepository:
    def __init__(self, engine: Engine, origin: str) -> None:
        self.engine = engine
        self.origin = origin

    def record(self, recording_id: uuid.UUID, source_kind: str, database_name: str = "", database_content: bytes | None = None) -> str:
        """Remember the source and the database file (kept once per content); returns the file's SHA-256 ("" without one)."""
        digest = hashlib.sha256(database_content).hexdigest() if database_content is not None else ""
        with Session(self.engine) as s, s.begin():
            if digest and s.scalars(select(SignalDatabaseFileRow.id).where(SignalDatabaseFileRow.sha256 == digest)).first() is None:
                s.add(SignalDatabaseFileRow(sha256=digest, name=database_name, content=database_content, origin=self.origin))
            row = s.scalars(select(RecordingSourceRow).where(RecordingSourceRow.recording_id == recording_id)).first()
            if row is None:
                s.add(RecordingSourceRow(recording_id=recording_id, source_kind=source_kind, database_name=database_name,
                                         database_sha256=digest, origin=self.origin))
            else:
                row.source_kind, row.database_name, row.database_sha256 = source_kind, database_name, digest
                row.version += 1
        return digest

    def get(self, recording_id: uuid.UUID) -> RecordingSource | None:
        with Session(self.engine) as s:
            row = s.scalars(select(RecordingSourceRow).where(RecordingSourceRow.recording_id == recording_id,
                                                             RecordingSourceRow.deleted.is_(False))).first()
            if row is None:
                return None
            return RecordingSource(row.recording_id, row.source_kind, row.database_name, row.database_sha256)

    def database_file(self, sha256: str) -> tuple[str, bytes] | None:
        """(file name, content) of a stored database, or None."""
        with Session(self.engine) as s:
            row = s.scalars(select(SignalDatabaseFileRow).where(SignalDatabaseFileRow.sha256 == sha256)).first()
            return (row.name, bytes(row.content)) if row is not None else None
