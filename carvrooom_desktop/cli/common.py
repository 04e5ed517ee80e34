"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from carvrooom_desktop.acquisition.source import SourceSpec
from carvrooom_desktop.config.secret_store import database_secret_name, get_secret
from carvrooom_desktop.config.settings import load_settings
from carvrooom_desktop.domain import Recording
from carvrooom_desktop.storage.engine import resolve_url
from carvrooom_desktop.storage.store import Store


def add_source_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--sim", action="store_true", help="the built-in simulated car")
    group.add_argument("--can", metavar="INTERFACE:CHANNEL", help="a python-can interface, e.g. socketcan:can0")
    group.add_argument("--elm", metavar="PORT", help="an ELM327: /dev/ttyUSB0, COM3, /dev/rfcomm0 or socket://host:port")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME[:SEVERITY]",
                        help="inject a simulator fault (repeatable), e.g. vacuum_leak or misfire_cyl3:0.5")
    parser.add_argument("--seed", type=int, default=0, help="simulator seed (deterministic runs)")
    parser.add_argument("--bitrate", type=int, help="CAN bitrate for --can")
    parser.add_argument("--data-bitrate", type=int, help="CAN FD data-phase bitrate for --can (opens the bus as CAN FD)")


def source_from(args: argparse.Namespace, *, speed: float | None = 1.0) -> SourceSpec:
    if args.sim:
        return SourceSpec(kind="sim", faults=tuple(args.fault), seed=args.seed, speed=speed)
    if args.fault:
        raise ValueError("--fault only applies to the simulated car (--sim)")
    if args.elm:
        return SourceSpec(kind="elm", channel=args.elm)
    return SourceSpec(kind="can", channel=args.can, bitrate=args.bitrate, data_bitrate=args.data_bitrate)


def open_store(args: argparse.Namespace) -> Store:
    settings, _warnings = load_settings()
    url = resolve_url(args.db, settings.database_url or None)
    return Store.open(url, origin=settings.workstation_id, password=get_secret(database_secret_name(url)))


def add_live_options(group: argparse._MutuallyExclusiveGroup, parser: argparse.ArgumentParser, *, what: str) -> None:
    """``--elm PORT`` / ``--can IF:CH`` for commands that analyse a recording: record ``--seconds`` first."""
    group.add_argument("--elm", metavar="PORT", help=f"an ELM327 (/dev/ttyUSB0, COM3, socket://host:port): record, then {what}")
    group.add_argument("--can", metavar="INTERFACE:CHANNEL", help=f"a python-can interface, e.g. socketcan:can0: record, then {what}")
    parser.add_argument("--seconds", type=float, default=30.0, help="with --elm/--can: how long to record first (default 30)")
    parser.add_argument("--bitrate", type=int, help="CAN bitrate for --can")
    parser.add_argument("--data-bitrate", type=int, help="CAN FD data-phase bitrate for --can (opens the bus as CAN FD)")


def live_spec(args: argparse.Namespace) -> SourceSpec | None:
    """The live source of ``--elm``/``--can``, or None when the command reads something else."""
    if getattr(args, "elm", None):
        return SourceSpec(kind="elm", channel=args.elm)
    if getattr(args, "can", None):
        return SourceSpec(kind="can", channel=args.can, bitrate=args.bitrate, data_bitrate=args.data_bitrate)
    return None


def record_live(store: Store, spec: SourceSpec, seconds: float, notes: str = "", actor: Any = None) -> Recording:
    """Connect, scan (stored with the car), record ``seconds`` of live data and raw frames; the finished recording.

    Progress goes to stderr; a recording that fails midway (disk full, store gone) raises with
    what was kept. Imported here so that commands without a live source never load acquisition.
    """
    from carvrooom_desktop.acquisition.session import LiveSession
    from carvrooom_desktop.errors import RecordingError
    from carvrooom_desktop.events import RECORDING_CHANGED, EventBus

    if not seconds > 0:
        raise ValueError("--seconds must be positive")
    bus = EventBus()
    failures: list[str] = []
    bus.subscribe(RECORDING_CHANGED, lambda _t, p: failures.append(p["error"]) if p.get("error") else None)
    session = LiveSession(spec, events=bus, store=store, actor=actor)  # actor: who records (None: unchecked, as before)
    try:
        report = session.connect()
        recording_id = session.start_recording(notes)
        vin = report.vehicle.vin or "a car without a VIN reply"
        print(f"recording {recording_id} from {vin} for {seconds:g} s ...", file=sys.stderr, flush=True)
        for item in report.not_read:
            print(f"  not read: {item.item}: {item.reason}", file=sys.stderr)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not failures:
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        recording = session.stop_recording()
        for name, why in session.dropped_signals.items():
            print(f"  dropped from polling: {name}: {why}", file=sys.stderr)
    finally:
        session.close()
    if failures:
        raise RecordingError(failures[0])
    assert recording is not None
    return recording
