"""Sync with the workshop's shared PostgreSQL database (issue 13). Qt-free.

- ``SyncEngine`` (engine.py): one push + pull cycle; ``SyncService`` (service.py): the engine on a
  background thread, woken by local changes and by PostgreSQL NOTIFY (listener.py).
- Capture: SQLite triggers fill the outbox (storage/sync_capture.py); the server side is plain
  PostgreSQL (server.py, pages.py); conflict rules per table (rules.py); the hybrid logical
  clock (hlc.py); the rebase of pulled rows over pending work (apply.py).
"""

from carvrooom_desktop.sync.status import SyncState, SyncStatus

__all__ = ["SyncState", "SyncStatus"]
