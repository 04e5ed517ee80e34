"""What the status bar, the Sync page and ``carvrooom sync status`` show, and how failures map to it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import DBAPIError, SQLAlchemyError


class SyncState(StrEnum):
    NOT_CONFIGURED = "not configured"
    SYNCED = "synced"
    PENDING = "pending"
    SYNCING = "syncing"
    OFFLINE = "offline"
    CONFLICT = "conflict"
    NO_SCHEMA = "no schema"  # the shared database is empty: `carvrooom sync --init-shared`
    SCHEMA_TOO_OLD = "schema too old"
    SCHEMA_NEWER = "schema newer"  # this CarVrooom is older than the shared database
    PASSWORD_REFUSED = "password refused"
    BUSY = "busy"  # another CarVrooom process syncs this store
    LOCAL_STORE = "local store not SQLite"
    ERROR = "error"


PROBLEMS = frozenset({SyncState.OFFLINE, SyncState.NO_SCHEMA, SyncState.SCHEMA_TOO_OLD, SyncState.SCHEMA_NEWER,
                      SyncState.PASSWORD_REFUSED, SyncState.BUSY, SyncState.LOCAL_STORE, SyncState.ERROR})


@dataclass(frozen=True, slots=True)
class SyncStatus:
    state: SyncState
    pending: int = 0
    conflicts: int = 0  # open ones
    last_sync: datetime | None = None
    last_seq: int = 0
    server: str = ""  # the shared database, password hidden
    message: str = ""  # what happened and what the user can do
    progress: tuple[int, int] | None = None  # (rows done, rows to pull) during a pull

    @property
    def value(self) -> str:
        """The status bar's short text: "synced", "pending 3", "offline (pending 3)", "conflict (1)"..."""
        s = self.state
        if s is SyncState.PENDING:
            return f"pending {self.pending}"
        if s is SyncState.CONFLICT:
            return f"conflict ({self.conflicts})"
        if s is SyncState.SYNCING and self.progress and self.progress[1]:
            return f"syncing {min(100, 100 * self.progress[0] // self.progress[1])}%"
        if s in PROBLEMS and self.pending:
            return f"{s.value} (pending {self.pending})"
        return s.value

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["state"] = self.state.value
        d["text"] = self.value
        d["last_sync"] = self.last_sync.isoformat() if self.last_sync else None
        d["progress"] = list(self.progress) if self.progress else None
        return d

    def __str__(self) -> str:
        return self.value


def settled(pending: int, conflicts: int) -> SyncState:
    if conflicts:
        return SyncState.CONFLICT
    return SyncState.PENDING if pending else SyncState.SYNCED


def classify(error: BaseException) -> tuple[SyncState, str]:
    """A failure talking to the shared database -> the state to show and a sentence for the user."""
    from carvrooom_desktop.sync.server import SchemaMismatch

    if isinstance(error, SchemaMismatch):
        state = {"empty": SyncState.NO_SCHEMA, "too_old": SyncState.SCHEMA_TOO_OLD, "newer": SyncState.SCHEMA_NEWER}[error.kind]
        hint = {"empty": "create it with `carvrooom sync --init-shared`",
                "too_old": "upgrade it with `carvrooom sync --init-shared` once every workstation runs this version",
                "newer": "install the CarVrooom version the other workstations use"}[error.kind]
        return state, f"{error}; {hint}. Local work goes on and is kept for later."
    orig = getattr(error, "orig", None) or error
    if type(orig).__module__.startswith("sqlite3"):
        return SyncState.ERROR, f"the local store was busy ({orig}); sync is retried shortly."
    text = str(orig).strip()
    first = text.splitlines()[0] if text else type(orig).__name__
    sqlstate = getattr(orig, "sqlstate", None)
    lowered = text.lower()
    if sqlstate in ("28P01", "28000") or "password authentication failed" in lowered or "no password supplied" in lowered:
        return SyncState.PASSWORD_REFUSED, (f"the shared database refused the password ({first}); set it again in "
                                            "Settings > Shared database (kept in the keyring). Local work goes on.")
    if sqlstate == "3D000":
        return SyncState.ERROR, f"{first}: check the shared database URL. Local work goes on."
    connection_lost = isinstance(error, DBAPIError) and (error.connection_invalidated or sqlstate is None
                                                         or sqlstate.startswith(("08", "57")))
    if connection_lost or isinstance(error, OSError | TimeoutError):
        return SyncState.OFFLINE, f"the shared database cannot be reached ({first}); local work goes on and syncs later."
    if isinstance(error, SQLAlchemyError):
        return SyncState.ERROR, f"sync failed ({first}); it is retried shortly. Local work goes on."
    return SyncState.ERROR, f"sync failed ({type(error).__name__}: {first}); it is retried shortly."


__all__ = ["PROBLEMS", "SyncState", "SyncStatus", "classify", "settled"]
