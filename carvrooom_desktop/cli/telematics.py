"""``carvrooom telematics listen|cars``: telematics from cars that are not in the bay, over MQTT.

``listen --broker mqtt://127.0.0.1:1883`` subscribes to ``carvrooom/v1/{workshop}/{vin}/...``
(``--workshop``, default every workshop) with a persistent session (``--client-id`` names it: the
same id picks up what was published while it was away), stores messages in batches and prints the
counters every ``--every`` seconds (duplicates, gaps, sequences that jumped back, refusals by reason)
until Ctrl-C or ``--seconds``. ``cars`` lists each car the intake knows: online or not, last
sequence number, both odometers (OBD and GNSS, kept apart) and the newest refusals.

Exit codes: 0 done, 1 the broker cannot be reached (or the store cannot be opened), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("telematics", help="telematics over MQTT: listen and store, list the cars heard from")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listen = actions.add_parser("listen", help="subscribe and store until Ctrl-C (counters on stderr)")
    listen.add_argument("--broker", default="mqtt://127.0.0.1:1883", metavar="URL")
    listen.add_argument("--workshop", default="+", help="only this workshop's cars (default: every workshop)")
    listen.add_argument("--client-id", default="carvrooom-intake", help="the persistent session's name (default carvrooom-intake)")
    listen.add_argument("--session-expiry", type=int, default=24 * 3600, metavar="S",
                        help="how long the broker keeps the session (and what arrives for it) while nobody listens (default a day)")
    listen.add_argument("--ack-on-arrival", action="store_true",
                        help="acknowledge messages when they arrive, not once stored: faster behind a broker with a small "
                             "in-flight window (Mosquitto's max_inflight_messages), loses what is queued if the process dies")
    listen.add_argument("--seconds", type=float, default=None, help="stop after this long")
    listen.add_argument("--every", type=float, default=2.0, help="print the counters this often (seconds)")
    listen.add_argument("--json", action="store_true", help="print the final counters as JSON on stdout")
    cars = actions.add_parser("cars", help="every car the intake has heard from")
    cars.add_argument("--json", action="store_true")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from carvrooom_desktop.cli.common import open_store

    with open_store(args) as store:
        if args.action == "cars":
            return _cars(store.engine, args.json)
        from carvrooom_desktop.telematics.intake import TelematicsIntake

        intake = TelematicsIntake(store.engine, args.broker, workshop=args.workshop, client_id=args.client_id,
                                  session_expiry=args.session_expiry, ack_after_store=not args.ack_on_arrival)
        intake.start()
        print(f"listening on {args.broker} for carvrooom/v1/{args.workshop}/+/+ (session {args.client_id}); Ctrl-C to stop",
              file=sys.stderr)
        deadline = None if args.seconds is None else time.monotonic() + args.seconds
        next_print = time.monotonic() + args.every
        try:
            while deadline is None or time.monotonic() < deadline:
                time.sleep(0.1)
                if time.monotonic() >= next_print:
                    next_print += args.every
                    print(_line(intake.snapshot().to_dict()), file=sys.stderr)
        except KeyboardInterrupt:
            pass
        finally:
            intake.stop()
        final = intake.snapshot().to_dict()
        print(json.dumps(final) if args.json else _line(final))
    return 0


def _line(s: dict[str, Any]) -> str:
    rejected: dict[str, int] = s["rejected"] or {}
    why = ", ".join(f"{k} {v}" for k, v in sorted(rejected.items())) or "none"
    p99 = s["latency_p99_s"]
    latency = f"  p99 {p99 * 1000:.0f} ms" if isinstance(p99, float) else ""
    link = "" if s["connected"] else "  (broker not connected)"
    return (f"received {s['received']}  stored {s['stored']}  duplicates {s['duplicates']}  gaps {s['gaps']} ({s['missing']} missing)  "
            f"jumped back {s['rewinds']}  online {len(s['online'])}{latency}  refused: {why}{link}")


def _cars(engine: Engine, as_json: bool) -> int:
    from sqlalchemy import select

    from carvrooom_desktop.storage.fleet_models import TelematicsRejectRow
    from carvrooom_desktop.telematics.store import load_states

    states = load_states(engine)
    with engine.connect() as conn:
        rejects = [dict(r._mapping) for r in conn.execute(select(TelematicsRejectRow.received_at, TelematicsRejectRow.reason,
                                                                  TelematicsRejectRow.detail, TelematicsRejectRow.topic)
                                                           .order_by(TelematicsRejectRow.id.desc()).limit(20))]
    if as_json:
        print(json.dumps({"cars": states, "recent_refusals": rejects}))
        return 0
    for s in sorted(states, key=lambda s: s["vin"]):
        obd, gps = s["odometer_obd_km"], s["odometer_gps_km"]
        odo = f"OBD {obd:,.1f} km" if obd is not None else "OBD -"
        odo += f", GNSS {gps:,.1f} km" if gps is not None else ", GNSS -"
        print(f"{s['vin']}  {s['workshop']:<12} {'online ' if s['online'] else 'offline'}  seq {s['last_seq']}  {odo}  {s['counters']}")
    for r in rejects:
        print(f"refused {r['reason']}: {r['detail']} ({r['topic']})")
    return 0


SIMULATED_SIGNALS = ("engine_speed", "vehicle_speed", "coolant_temp", "engine_load", "throttle_position", "battery_voltage",
                     "fuel_level", "stft_b1", "ltft_b1", "maf", "intake_manifold_pressure", "odometer_km")


def simulated_vins(count: int) -> list[str]:
    """The simulator's VIN, then VINs that differ in the serial number (check digits recomputed)."""
    from drivers.simulator.model import DEFAULT_VIN
    from drivers.vin import check_digit

    vins = []
    for n in range(count):
        body = DEFAULT_VIN[:11] + f"{(int(DEFAULT_VIN[11:]) + n) % 10**6:06d}"
        vins.append(body[:8] + check_digit(body) + body[9:])
    return vins


def publish_simulated(args: argparse.Namespace) -> int:
    """``carvrooom simulate --mqtt URL``: ``--cars`` simulated cars publish telematics every ``--interval`` seconds."""
    from carvrooom_desktop.telematics.publisher import TelematicsPublisher
    from drivers.simulator.faults import parse_fault
    from drivers.simulator.model import VehicleModel

    if not 1 <= args.cars <= 1000:
        raise ValueError("--cars must be 1..1000")
    if not args.interval > 0:
        raise ValueError("--interval must be positive")
    faults = [parse_fault(text) for text in args.fault]
    cars = []
    for n, vin in enumerate(simulated_vins(args.cars)):
        model = VehicleModel(seed=args.seed + n, faults=faults if n == 0 else (), vin=vin, history=False)
        publisher = TelematicsPublisher(args.mqtt, args.workshop, vin, client_id=f"carvrooom-sim-{vin}")
        publisher.connect(_car_signals(model, model.odometer_km))
        cars.append((model, publisher, model.odometer_km))
    print(f"{len(cars)} simulated car(s) publishing to {args.mqtt} as carvrooom/v1/{args.workshop}/VIN/...; Ctrl-C to stop", file=sys.stderr)
    deadline = None if args.seconds is None else time.monotonic() + args.seconds
    next_at = time.monotonic()
    try:
        while deadline is None or time.monotonic() < deadline:
            for model, publisher, start_km in cars:
                for _ in range(max(1, round(args.interval / 0.1))):
                    model.step(0.1)
                publisher.publish(_car_signals(model, start_km))
            next_at += args.interval
            time.sleep(max(0.0, next_at - time.monotonic()))
    except KeyboardInterrupt:
        pass
    finally:
        for _m, publisher, _s in cars:
            publisher.close()
    return 0


def _car_signals(model: Any, start_km: float) -> dict[str, Any]:
    values = model.signals()
    out: dict[str, Any] = {k: round(float(values[k]), 3) for k in SIMULATED_SIGNALS if k in values}
    # A GNSS track adds up a little more than the wheels count (corners, noise): kept apart from the ECU's odometer.
    out["odometer_gps_km"] = round(start_km + (values["odometer_km"] - start_km) * 1.004, 3)
    out["dtcs"] = list(model.ecu.stored)
    out["mil_on"] = bool(model.ecu.mil_on)
    out["distance_since_clear_km"] = round(model.ecu.distance_since_clear_km, 1)
    out["warmups_since_clear"] = float(model.ecu.warmups_since_clear)
    return out
