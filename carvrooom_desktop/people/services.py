"""The permission check at the entry of the services that have no home of their own for it.

The live session checks clearing, transmitting and recording itself (``acquisition/session.py``); the
user and role changes check in ``users.py``/``roles.py``. Here: deleting a recording, saving settings,
syncing, and the schedule (a guard around the workshop repository, so the Schedule page and the CLI
cannot edit it without EDIT_SCHEDULE whatever path they take). Each allowed action is audited too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from carvrooom_desktop.domain.roles import Permission
from carvrooom_desktop.people.actor import Actor
from carvrooom_desktop.people.authorize import authorize, record_action

ActorSource = Callable[[], Actor | None]

# the workshop repository's writes (storage/workshop.py, storage/workshop_bookings.py)
SCHEDULE_WRITES = frozenset({"add_bay", "add_technician", "add_absence", "set_opening_hours", "add_job", "save_all",
                             "set_job_status", "pin_job"})
BOOKING_WRITES = frozenset({"book", "book_many", "set_status", "cancel"})


def delete_recording(store: Any, actor: Actor | None, recording_id: uuid.UUID) -> None:
    authorize(actor, Permission.DELETE_RECORDING, record=f"recording:{recording_id}")
    store.recordings.soft_delete(recording_id)
    record_action(actor, Permission.DELETE_RECORDING, record=f"recording:{recording_id}")


def save_settings_as(actor: Actor | None, settings: Any, path: Path | None = None) -> None:
    from carvrooom_desktop.config.settings import save_settings

    authorize(actor, Permission.CHANGE_SETTINGS, record="settings")
    save_settings(settings, path)
    record_action(actor, Permission.CHANGE_SETTINGS, record="settings",
                  after={k: v for k, v in vars(settings).items() if isinstance(v, str | int | float | bool)})


def check_sync(actor: Actor | None, what: str) -> Actor:
    """Configuring the shared database, syncing by hand, resolving a conflict: SYNC."""
    allowed = authorize(actor, Permission.SYNC, record=f"sync:{what}")
    record_action(allowed, Permission.SYNC, record=f"sync:{what}")
    return allowed


def check_schedule_edit(actor: Actor | None, what: str) -> Actor:
    allowed = authorize(actor, Permission.EDIT_SCHEDULE, record=f"schedule:{what}")
    record_action(allowed, Permission.EDIT_SCHEDULE, record=f"schedule:{what}")
    return allowed


RECORDING_WRITES = frozenset({"soft_delete"})
SYNC_WRITES = frozenset({"configure", "remember", "sync_now", "resolve"})  # sync/workstation.py


class _Guarded:
    """Passes every attribute through; the listed methods first ask ``authorize`` for ``permission``
    (and are audited when allowed). ``nested`` guards an attribute that is itself a repository."""

    def __init__(self, inner: Any, actor: ActorSource, permission: Permission, writes: frozenset[str],
                 nested: dict[str, frozenset[str]] | None = None) -> None:
        self._inner, self._actor, self._permission, self._writes = inner, actor, permission, writes
        self._nested = nested or {}

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if name in self._nested:
            return _Guarded(value, self._actor, self._permission, self._nested[name])
        if name not in self._writes or not callable(value):
            return value

        def guarded(*args: Any, **kwargs: Any) -> Any:
            actor = authorize(self._actor(), self._permission, record=name)
            result = value(*args, **kwargs)
            record_action(actor, self._permission, record=f"{name}:{args[0] if args else ''}"[:255])
            return result

        return guarded


def guard_workshop(workshop: Any, actor: ActorSource) -> Any:
    """The workshop repository as seen by someone who must hold EDIT_SCHEDULE to change it."""
    return _Guarded(workshop, actor, Permission.EDIT_SCHEDULE, SCHEDULE_WRITES, {"bookings": BOOKING_WRITES})


def guard_recordings(recordings: Any, actor: ActorSource) -> Any:
    """The recordings repository: deleting needs DELETE_RECORDING."""
    return _Guarded(recordings, actor, Permission.DELETE_RECORDING, RECORDING_WRITES)


def guard_sync(sync: Any, actor: ActorSource) -> Any:
    """The workstation's sync link: configuring, syncing by hand and resolving need SYNC."""
    return _Guarded(sync, actor, Permission.SYNC, SYNC_WRITES)


__all__ = ["check_schedule_edit", "check_sync", "delete_recording", "guard_recordings", "guard_sync", "guard_workshop",
           "save_settings_as"]
