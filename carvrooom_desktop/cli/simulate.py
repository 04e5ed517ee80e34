"""``carvrooom simulate --elm pty|tcp:PORT``: the simulated car as an ELM327 for other programs;
``carvrooom simulate --mqtt mqtt://HOST:PORT``: simulated cars publishing telematics (``cli/telematics.py``)."""

from __future__ import annotations

import argparse
import sys
import time

from drivers.simulator.elm_face import SimulatedElm327
from drivers.simulator.faults import parse_fault


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("simulate", help="serve the simulated car as an ELM327 adapter (pty or TCP), or publish telematics over MQTT, until Ctrl-C")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--elm", metavar="pty|tcp:PORT", help="where the adapter appears: a pseudo-terminal (Linux, macOS) or a TCP port on 127.0.0.1 (every OS)")
    where.add_argument("--mqtt", metavar="URL", help="publish telematics to this broker (mqtt://127.0.0.1:1883) instead")
    parser.add_argument("--cars", type=int, default=3, help="with --mqtt: how many simulated cars (default 3)")
    parser.add_argument("--workshop", default="demo", help="with --mqtt: the workshop segment of the topics (default demo)")
    parser.add_argument("--interval", type=float, default=1.0, help="with --mqtt: seconds between a car's messages (default 1)")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME[:SEVERITY]", help="inject a fault (repeatable)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ecu-delay", type=float, default=0.0, metavar="MS", help="ECU response delay per request, in ms")
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long (default: until Ctrl-C)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.mqtt:
        from carvrooom_desktop.cli.telematics import publish_simulated

        return publish_simulated(args)
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
