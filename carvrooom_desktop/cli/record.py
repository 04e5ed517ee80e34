"""``carvrooom record``: record live data and raw frames into the store."""

from __future__ import annotations

import argparse

from carvrooom_desktop.cli.common import add_source_options, open_store, record_live, source_from


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("record", help="record live data for N seconds")
    add_source_options(parser)
    parser.add_argument("--seconds", type=float, required=True, help="how long to record")
    parser.add_argument("--notes", default="", help="a note stored with the recording")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second (--sim only)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.seconds <= 0:
        raise ValueError("--seconds must be positive")
    spec = source_from(args, speed=args.speed)
    with open_store(args) as store:
        from carvrooom_desktop.cli.signed_in import cli_actor
        from carvrooom_desktop.domain import Permission
        from carvrooom_desktop.people import authorize

        actor = authorize(cli_actor(args, store), Permission.START_RECORDING, record="recording:new")  # before connecting
        recording = record_live(store, spec, args.seconds, args.notes, actor=actor)
    print(f"{recording.id}  {recording.frame_count} frames, {recording.sample_count} samples, {len(recording.signal_names)} signals")
    return 0
