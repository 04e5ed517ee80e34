"""``carvrooom decode FILE --dbc DBC [-o OUT.csv]``: headless batch decode of a log to CSV, no store involved.

Long format, one row per decoded value: ``time_s,signal,value,unit,label`` (``label`` is
the value-table text, if the signal has one), rows in time order within each chunk of
the log. Streams: memory stays flat for any log size.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys

from typing import TYPE_CHECKING, TextIO

import numpy as np

from carvrooom_desktop.cli.import_log import DBC_HELP, TerminalProgress, dbc_argument, print_bad_lines
from drivers.logs import READ_FORMATS

if TYPE_CHECKING:
    from carvrooom_desktop.acquisition.decode import BatchDecoder, ChannelDecoder, Series


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("decode", help="decode a CAN log with a DBC to CSV (no store needed)")
    parser.add_argument("file", help="log file: .blf .asc .trc .log (candump) .csv .mf4")
    parser.add_argument("--dbc", required=True, action="append", metavar="[CHANNEL=]FILE", help=DBC_HELP)
    parser.add_argument("-o", "--output", help="CSV file (default: standard output)")
    parser.add_argument("--format", choices=READ_FORMATS, help="force the log format (default: from the content)")
    parser.add_argument("--signals", help="comma-separated signal names (MESSAGE.signal) to keep (default: all)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from carvrooom_desktop.acquisition.log_import import decoder_for
    from drivers.logs import open_log

    if not os.path.isfile(args.file):
        raise ValueError(f"no such file: {args.file}")
    decoder = decoder_for(dbc_argument(args.dbc))
    assert decoder is not None, "--dbc is required"
    names = [s.strip() for s in args.signals.split(",")] if args.signals else None
    if names:
        unknown = [n for n in names if n not in decoder.signals]
        if unknown:
            raise ValueError(f"not in {', '.join(os.path.basename(d) for d in args.dbc)}: {', '.join(unknown)}")
    reader = open_log(args.file, args.format)
    bar = TerminalProgress(f"decoding {os.path.basename(args.file)}")
    out = open(args.output, "w", encoding="utf-8", newline="\n") if args.output else sys.stdout
    values = 0
    try:
        out.write("time_s,signal,value,unit,label\n")
        for frames in reader.chunks(bar):
            values += _write_chunk(out, decoder, decoder.decode(frames, names).signals)
    finally:
        bar.done()
        if out is not sys.stdout:
            out.close()
    print_bad_lines(reader.report)
    print(f"{reader.report.summary()}; {values} value(s) decoded", file=sys.stderr)
    return 0


def _write_chunk(out: TextIO, decoder: BatchDecoder | ChannelDecoder, signals: dict[str, Series]) -> int:
    if not signals:
        return 0
    names = list(signals)
    t = np.concatenate([signals[n][0] for n in names])
    v = np.concatenate([signals[n][1] for n in names])
    which = np.concatenate([np.full(len(signals[n][0]), i) for i, n in enumerate(names)])
    order = np.argsort(t, kind="stable")
    prefix = [f"{n},".replace('"', "") for n in names]
    units = [decoder.units.get(n, "") for n in names]
    choices = [decoder.signals[n].choices for n in names]
    buf = io.StringIO()
    for ti, vi, k in zip(t[order].tolist(), v[order].tolist(), which[order].tolist(), strict=True):
        label = choices[k].get(int(vi), "") if choices[k] and math.isfinite(vi) and vi == int(vi) else ""
        buf.write(f"{ti:.6f},{prefix[k]}{vi:.10g},{units[k]},{_quote(label)}\n")
    out.write(buf.getvalue())
    return len(t)


def _quote(text: str) -> str:
    return f'"{text}"' if ("," in text or '"' in text) else text
