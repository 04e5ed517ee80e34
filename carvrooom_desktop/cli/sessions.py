"""``carvrooom sessions list|show ID``: the recordings in the store."""

from __future__ import annotations

import argparse
import json
from typing import Any

from carvrooom_desktop.cli.common import open_store
from carvrooom_desktop.domain import Recording


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("sessions", help="list or show recorded sessions")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="all recordings, newest first")
    listing.add_argument("--vin", help="only this vehicle")
    listing.add_argument("--search", help="text in notes, VIN or adapter")
    listing.add_argument("--json", action="store_true")
    show = actions.add_parser("show", help="one recording (an id prefix is enough)")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    delete = actions.add_parser("delete", help="delete a recording (soft: it stays for sync and audit; exit 1: refused)")
    delete.add_argument("id")
    parser.set_defaults(run=run)


def _as_dict(r: Recording) -> dict[str, Any]:
    return {
        "id": str(r.id), "vin": r.vin, "adapter": r.adapter, "state": r.state.value, "notes": r.notes,
        "started_at": r.started_at.isoformat(), "ended_at": r.ended_at.isoformat() if r.ended_at else None,
        "duration_s": r.duration_s, "frames": r.frame_count, "samples": r.sample_count, "signals": list(r.signal_names),
        "marks": [{"t": m.timestamp, "label": m.label} for m in r.marks],
    }


def run(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        if args.action == "list":
            recordings = store.recordings.list(vin=args.vin, text=args.search)
            if args.json:
                print(json.dumps([_as_dict(r) for r in recordings], indent=2))
            elif not recordings:
                print("no recordings")
            for r in recordings if not args.json else ():
                duration = f"{r.duration_s:7.1f} s" if r.duration_s is not None else "    ---  "
                print(f"{str(r.id)[:8]}  {r.started_at:%Y-%m-%d %H:%M:%S}  {duration}  {r.state.value:<11}  {r.vin:<17}  "
                      f"{r.frame_count:>8} frames {r.sample_count:>7} samples  {r.notes}")
            return 0
        recording = store.recordings.find(args.id)
        if args.action == "delete":
            from carvrooom_desktop.cli.signed_in import cli_actor
            from carvrooom_desktop.people.services import delete_recording

            delete_recording(store, cli_actor(args, store), recording.id)
            print(f"recording {recording.id} deleted")
            return 0
        if args.json:
            print(json.dumps(_as_dict(recording), indent=2))
            return 0
        d = _as_dict(recording)
        for key in ("id", "vin", "adapter", "state", "started_at", "ended_at", "duration_s", "frames", "samples", "notes"):
            print(f"{key:<11} {d[key]}")
        print(f"{'signals':<11} {', '.join(d['signals'])}")
        if recording.sample_count:
            samples = store.recordings.load_samples(recording.id)
            print("\nsignal                        n        min        max       mean  unit")
            for name, (_t, v) in samples.items():
                if len(v):
                    print(f"{name:<26} {len(v):>5} {v.min():10.2f} {v.max():10.2f} {v.mean():10.2f}  {recording.signal_units.get(name, '')}")
        for mark in recording.marks:
            print(f"mark  {mark.timestamp:.3f}  {mark.label}")
        return 0
