"""``carvrooom simulate --elm pty|tcp:PORT``: the simulated car as an ELM327 for other programs."""

from __future__ import annotations

import argparse
import sys
import time

from drivers.simulator.elm_face import SimulatedElm327
from drivers.simulator.faults import parse_fault


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("simulate", help="serve the simulated car as an ELM327 adapter (pty or TCP) until Ctrl-C")
    parser.add_argument("--elm", required=True, metavar="pty|tcp:PORT", help="where the adapter appears: a pseudo-terminal (Linux, macOS) or a TCP port on 127.0.0.1 (every OS)")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME[:SEVERITY]", help="inject a fault (repeatable)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ecu-delay", type=float, default=0.0, metavar="MS", help="ECU response delay per request, in ms")
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long (default: until Ctrl-C)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    faults = [parse_fault(text) for text in args.fault]
    options = {"seed": args.seed, "faults": faults, "ecu_delay": args.ecu_delay / 1000}
    if args.elm == "pty":
        elm = SimulatedElm327.on_pty(**options)
    elif args.elm.startswith("tcp:"):
        elm = SimulatedElm327.on_tcp(int(args.elm[4:]), **options)
    else:
        raise ValueError(f"--elm must be pty or tcp:PORT, got {args.elm!r}")
    with elm:
        print(elm.port, flush=True)  # first line: where to connect (scripts read it)
        print(f"simulated ELM327 on {elm.port} ({', '.join(args.fault) or 'healthy car'}); Ctrl-C to stop", file=sys.stderr)
        deadline = None if args.seconds is None else time.monotonic() + args.seconds
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.2)
    return 0
