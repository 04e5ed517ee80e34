"""``carvrooom import FILE [--dbc DBC] [--vin VIN]``: a CAN log (BLF, ASC, TRC, candump, CSV, MF4) into a new recording."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TYPE_CHECKING, TextIO

from drivers.logs import READ_FORMATS

if TYPE_CHECKING:
    from carvrooom_desktop.domain.frames import Channel
    from drivers.logs import ReadReport

MAX_BAD_LINES_SHOWN = 20


class TerminalProgress:
    """``progress(done, total)`` drawn on stderr, at most 10 times a second, only when stderr is a terminal."""

    def __init__(self, label: str, unit: str = "bytes", stream: TextIO | None = None) -> None:
        self.label, self.unit = label, unit
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        pct = f"{100.0 * done / total:5.1f}%" if total else "  ?  "
        amount = f"{done / 1e6:.1f}/{total / 1e6:.1f} MB" if self.unit == "bytes" else f"{done:,}/{total:,} {self.unit}"
        self.stream.write(f"\r{self.label}  {pct}  {amount}   ")
        self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def print_bad_lines(report: ReadReport, stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    for bad in report.bad_lines[:MAX_BAD_LINES_SHOWN]:
        print(f"  {os.path.basename(report.path)}: {bad}", file=stream)
    if report.bad_line_count > MAX_BAD_LINES_SHOWN:
        print(f"  ... and {report.bad_line_count - MAX_BAD_LINES_SHOWN} more bad line(s)", file=stream)
    for note in report.notes[:MAX_BAD_LINES_SHOWN]:
        print(f"  {os.path.basename(report.path)}: {note}", file=stream)
    if report.stopped_at:
        print(f"  {os.path.basename(report.path)}: stopped early: {report.stopped_at}", file=stream)


DBC_HELP = ("signal database to decode the frames with (DBC, KCD, ARXML, SYM); repeat as CHANNEL=FILE for one "
            "database per bus channel (CHANNEL: 1, 2... as BLF/ASC/TRC show them, or an interface name such as can0; "
            "a FILE without CHANNEL decodes the other channels)")


def dbc_argument(values: list[str] | None) -> str | dict[Channel, str] | None:
    """``--dbc`` values -> None, one path, or {channel: path, "*": default path} (import_log.decoder_for takes all three)."""
    if not values:
        return None
    from carvrooom_desktop.acquisition.decode import parse_channel

    mapping: dict[Channel, str] = {}
    for value in values:
        channel, sep, path = value.partition("=")
        if not sep or os.path.isfile(value):  # a plain path (even one with "=" in its name)
            if "*" in mapping:
                raise ValueError("give one --dbc without a channel at most (it decodes every other channel)")
            mapping["*"] = value
            continue
        key = parse_channel(channel)
        if key in mapping:
            raise ValueError(f"two signal databases for channel {channel}")
        mapping[key] = path
    if list(mapping) == ["*"]:
        return mapping["*"]
    return mapping


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("import", help="import a CAN log file as a recording")
    parser.add_argument("file", help="log file: .blf .asc .trc .log (candump) .csv .mf4")
    parser.add_argument("--dbc", action="append", metavar="[CHANNEL=]FILE", help=DBC_HELP)
    parser.add_argument("--vin", default="", help="the vehicle the log came from")
    parser.add_argument("--format", choices=READ_FORMATS, help="force the log format (default: from the content)")
    parser.add_argument("--notes", default="", help="a note stored with the recording")
    parser.add_argument("--store-signals", action="store_true",
                        help="also store the decoded values (the recording then reads without its DBC; takes more space)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from carvrooom_desktop.acquisition.log_import import import_log
    from carvrooom_desktop.cli.common import open_store

    if not os.path.isfile(args.file):
        raise ValueError(f"no such file: {args.file}")
    bar = TerminalProgress(f"importing {os.path.basename(args.file)}")
    with open_store(args) as store:
        try:
            result = import_log(store, args.file, dbc=dbc_argument(args.dbc), vin=args.vin, notes=args.notes,
                                format=args.format, progress=bar, store_signals=args.store_signals)
        finally:
            bar.done()
    print_bad_lines(result.report)
    for warning in result.warnings[:MAX_BAD_LINES_SHOWN]:
        print(f"  dbc: {warning}", file=sys.stderr)
    print(f"{result.recording_id}  {result.summary()}")
    return 0
