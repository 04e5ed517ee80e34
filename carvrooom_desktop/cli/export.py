"""``carvrooom export ID --format csv|blf|asc|candump|trc|mf4 [-o OUT]``: a stored recording to a file.

Frame formats write every frame as stored: its channel, CAN FD flags (FD, BRS, ESI) and whole
payload. TRC cannot hold error frames: they are left out and the count is said.
"""

from __future__ import annotations

import argparse
import os
import sys

from carvrooom_desktop.cli.import_log import TerminalProgress, dbc_argument

EXTENSIONS = {"csv": ".csv", "blf": ".blf", "asc": ".asc", "candump": ".log", "trc": ".trc", "mf4": ".mf4"}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("export", help="export a recording as CSV (time-aligned signals), BLF, ASC, candump, TRC or MF4")
    parser.add_argument("id", help="recording id (a unique prefix is enough; see `carvrooom sessions list`)")
    parser.add_argument("--format", required=True, choices=tuple(EXTENSIONS))
    parser.add_argument("-o", "--output", help="output file (default: <id>.<ext> in the current folder)")
    parser.add_argument("--dbc", action="append", metavar="[CHANNEL=]FILE",
                        help="CSV: also decode the frames with this signal database "
                             "(default: the one chosen for the recording's vehicle, if any); repeat as CHANNEL=FILE "
                             "for one database per bus channel (1, 2... as the log shows them, or can0...)")
    parser.add_argument("--period", type=float, help="CSV: seconds between rows (default 0.1)")
    parser.add_argument("--signals", help="CSV: comma-separated signal names (default: all)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing output file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from carvrooom_desktop.acquisition.log_export import export_recording
    from carvrooom_desktop.cli.common import open_store

    if args.format != "csv" and (args.dbc or args.period or args.signals):
        raise ValueError("--dbc, --period and --signals apply to --format csv only")
    with open_store(args) as store:
        recording = store.recordings.find(args.id)
        out = args.output or f"{str(recording.id)[:8]}{EXTENSIONS[args.format]}"
        if os.path.exists(out) and not args.force:
            raise ValueError(f"{out} exists; use --force to overwrite it or -o to choose another name")
        dbc = dbc_argument(args.dbc)
        if args.format == "csv" and dbc is None and recording.vin:
            remembered = store.vehicles.signal_database_path(recording.vin)  # the DBC chosen for this car before
            if remembered and os.path.isfile(remembered):
                dbc = remembered
                print(f"decoding frames with {remembered} (the signal database chosen for {recording.vin})", file=sys.stderr)
        unit = "s" if args.format == "csv" else "frames"
        bar = TerminalProgress(f"exporting {str(recording.id)[:8]}", unit=unit)
        try:
            result = export_recording(store, recording.id, out, args.format, dbc=dbc, period=args.period,
                                      signals=[s.strip() for s in args.signals.split(",")] if args.signals else None,
                                      progress=bar)
        finally:
            bar.done()
    what = f"{result.rows} rows x {len(result.columns)} signals" if args.format == "csv" else f"{result.rows} frames"
    if result.skipped:
        what += f" ({result.skipped} error frame(s) left out: {args.format.upper()} cannot hold them)"
    print(f"{out}  {what}", file=sys.stdout)
    return 0
