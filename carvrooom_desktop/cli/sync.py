"""``carvrooom sync``: sync this workstation with the workshop's shared PostgreSQL database.

    carvrooom sync [--once]            push what is pending, pull what changed (the default)
    carvrooom sync --watch             keep syncing (local changes and NOTIFY wake it) until Ctrl-C
    carvrooom sync status [--json]     synced / pending N / offline / conflict / schema too old / password refused
    carvrooom sync conflicts [--all]   both versions side by side
    carvrooom sync resolve ID mine|theirs|dismissed
    carvrooom sync fetch RECORDING     download a recording's chunks from the shared database
    carvrooom sync configure URL       remember the shared database (a password goes to the keyring)

The shared database: ``--shared URL`` > ``CARVROOOM_SHARED_URL`` > the settings.
``--init-shared`` creates (or upgrades) the shared database's schema first.
Exit status 0 when synced, pending or in conflict; 1 when the shared database could not be used.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from carvrooom_desktop.cli.common import open_store
from carvrooom_desktop.errors import CarVrooomError

if TYPE_CHECKING:
    from carvrooom_desktop.storage.store import Store
    from carvrooom_desktop.sync.engine import SyncEngine
    from carvrooom_desktop.sync.status import SyncStatus


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("sync", help="sync with the workshop's shared database (status, conflicts)")
    _shared_options(parser, suppress=False)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="one push and pull, then exit (the default)")
    mode.add_argument("--watch", action="store_true", help="keep syncing until Ctrl-C")
    parser.add_argument("--init-shared", action="store_true", help="create or upgrade the shared database's schema first")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    status = actions.add_parser("status", help="the sync state (asks the shared database)")
    _shared_options(status, suppress=True)
    conflicts = actions.add_parser("conflicts", help="the conflict list: both versions side by side")
    conflicts.add_argument("--all", action="store_true", help="resolved ones too")
    _shared_options(conflicts, suppress=True)
    resolve = actions.add_parser("resolve", help="close a conflict")
    resolve.add_argument("id", help="the conflict's id (a prefix is enough)")
    resolve.add_argument("choice", choices=("mine", "theirs", "dismissed"))
    fetch = actions.add_parser("fetch", help="download a recording's chunks (an id prefix of a local recording)")
    fetch.add_argument("recording")
    _shared_options(fetch, suppress=True)
    configure = actions.add_parser("configure", help="remember the shared database URL (password to the keyring)")
    configure.add_argument("url")
    parser.set_defaults(run=run)


def _shared_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    unset = argparse.SUPPRESS if suppress else None
    parser.add_argument("--shared", metavar="URL", default=unset,
                        help="the shared PostgreSQL, e.g. postgresql://shop@server/workshop (env CARVROOOM_SHARED_URL)")
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS if suppress else False,
                        help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    from carvrooom_desktop.sync.config import remember_shared_url

    action = getattr(args, "action", None)
    if action not in ("status", "conflicts", "fetch"):  # configure, resolve, a sync cycle, --init-shared: SYNC
        from carvrooom_desktop.cli.signed_in import cli_actor
        from carvrooom_desktop.people.services import check_sync

        with open_store(args) as store:
            check_sync(cli_actor(args, store), action or "now")
    if action == "configure":
        saved = remember_shared_url(args.url)
        print(f"shared database: {_display(saved)} (password, if any, in the keyring)")
        return 0
    with open_store(args) as store:
        if action in ("conflicts", "resolve"):
            return _conflicts(store, args)
        engine = _engine(store, args)
        try:
            if action == "status":
                return _report(engine.probe(), args.json)
            if action == "fetch":
                recording = store.recordings.find(args.recording)
                count = engine.fetch_recording(recording.id)
                print(f"{count} chunk(s) of {recording.id} downloaded")
                return 0
            if args.init_shared:
                print("shared database schema: " + ("migrated" if engine.init_shared() else "already current"), file=sys.stderr)
            if args.watch:
                return _watch(engine, args.json)
            return _report(engine.sync_once(progress=_progress_bar()), args.json)
        finally:
            engine.close()


def _engine(store: Store, args: argparse.Namespace) -> SyncEngine:
    from carvrooom_desktop.sync.config import resolve_shared_url, shared_password
    from carvrooom_desktop.sync.engine import SyncEngine

    url = resolve_shared_url(getattr(args, "shared", None))
    if not url:
        raise CarVrooomError("no shared database: give --shared URL, set CARVROOOM_SHARED_URL, "
                             "or `carvrooom sync configure URL`")
    return SyncEngine(store.engine, url, origin=store.origin, password=shared_password(url))


def _display(url: str) -> str:
    from carvrooom_desktop.storage.engine import display_url

    return display_url(url)


def _report(status: SyncStatus, as_json: bool) -> int:
    from carvrooom_desktop.sync.status import PROBLEMS

    if as_json:
        print(json.dumps(status.to_dict(), indent=2))
    else:
        last = status.last_sync.strftime("%Y-%m-%d %H:%M:%S UTC") if status.last_sync else "never"
        print(f"{status.value}   shared: {status.server}   last sync: {last}   checkpoint: {status.last_seq}")
        if status.message:
            print(status.message, file=sys.stderr)
    return 1 if status.state in PROBLEMS else 0


def _progress_bar() -> Callable[[int, int], None]:
    shown = {"at": 0.0}

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - shown["at"] < 0.2:
            return
        shown["at"] = now
        width = 30
        filled = width * done // max(1, total)
        end = "\n" if done >= total else ""
        if sys.stderr.isatty():
            print(f"\rpulling [{'#' * filled}{' ' * (width - filled)}] {done:,}/{total:,} rows", end=end, file=sys.stderr, flush=True)
        elif done >= total or filled % 10 == 0:
            print(f"pulling {done:,}/{total:,} rows", file=sys.stderr, flush=True)

    return progress


def _watch(engine: SyncEngine, as_json: bool) -> int:
    from carvrooom_desktop import events as ev
    from carvrooom_desktop.sync.service import SyncService

    bus = ev.EventBus()
    engine.events = bus

    shown: dict[str, tuple[str, str] | None] = {"last": None}

    def show(_topic: str, status: SyncStatus) -> None:
        if (status.value, status.message) == shown["last"]:
            return  # one line per change of state, not per cycle
        shown["last"] = (status.value, status.message)
        if as_json:
            print(json.dumps(status.to_dict()), flush=True)
        else:
            print(f"{time.strftime('%H:%M:%S')}  {status.value}" + (f"  ({status.message})" if status.message else ""), flush=True)

    bus.subscribe(ev.SYNC_STATE, show)
    service = SyncService(engine)
    service.start()
    try:
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()
    return 0


def _conflicts(store: Store, args: argparse.Namespace) -> int:
    from carvrooom_desktop.sync.conflicts import list_conflicts, resolve

    if args.action == "resolve":
        c = resolve(store.engine, args.id, args.choice)
        print(f"conflict {c.id[:8]} on {c.table} {c.row_id}: {c.resolution}")
        return 0
    found = list_conflicts(store.engine, include_resolved=args.all)
    if args.json:
        print(json.dumps([c.to_dict() for c in found], indent=2))
        return 0
    if not found:
        print("no conflicts" if not args.all else "no conflicts, ever")
    for c in found:
        state = c.resolution or "OPEN"
        print(f"{c.id[:8]}  {c.created_at:%Y-%m-%d %H:%M}  {c.kind:<8} {state:<9} {c.table} {str(c.row_id)[:8]}  {c.reason}")
        for name in c.fields:
            print(f"    {name:<20} mine: {json.dumps(c.mine.get(name))[:60]:<62} theirs: {json.dumps(c.theirs.get(name))[:60]}")
    return 0


__all__ = ["add_parser", "run"]
