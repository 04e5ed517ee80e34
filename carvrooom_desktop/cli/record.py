"""``carvrooom record``: record live data and raw frames into the store."""

from __future__ import annotations

import argparse
import sys
import time

from carvrooom_desktop.acquisition.session import LiveSession
from carvrooom_desktop.cli.common import add_source_options, open_store, source_from
from carvrooom_desktop.errors import RecordingError
from carvrooom_desktop.events import RECORDING_CHANGED, EventBus


def add_parser(sub) -> None:
    parser = sub.add_parser("record", help="record live data for N seconds")
    add_source_options(parser)
    parser.add_argument("--seconds", type=float, required=True, help="how long to record")
    parser.add_argument("--notes", default="", help="a note stored with the recording")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second (--sim only)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.seconds <= 0:
        raise ValueError("--seconds must be positive")
    store = open_store(args)
    bus = EventBus()
    failures: list[str] = []
    bus.subscribe(RECORDING_CHANGED, lambda _t, p: p.get("error") and failures.append(p["error"]))
    session = LiveSession(source_from(args, speed=args.speed), events=bus, store=store)
    try:
        report = session.connect()
        recording_id = session.start_recording(args.notes)
        print(f"recording {recording_id} from {report.vehicle.vin} for {args.seconds:g} s ...", file=sys.stderr)
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline and not failures:
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        recording = session.stop_recording()
    finally:
        session.close()
        store.close()
    if failures:
        raise RecordingError(failures[0])
    print(f"{recording.id}  {recording.frame_count} frames, {recording.sample_count} samples, {len(recording.signal_names)} signals")
    return 0
