"""``carvrooom fleet seed|list|show``: the cars the workshop looks after.

``seed`` creates a demo fleet from the simulator's fault catalogue (``--vehicles 50``, a year of
visits, deterministic with ``--seed`` and ``--today``) in a store that has none; ``list`` shows every
car with its health, open codes and what is due (filters ``--make --year --customer --site``;
``--role`` orders the summary sections as that role's Fleet page does); ``show VIN`` prints one
car's history (visits, scans, recordings, diagnoses, jobs, claims).

Exit codes: 0 done, 1 a refused request (a store that already holds a fleet, an unknown VIN),
2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from carvrooom_desktop.fleet.queries import FleetView


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from e


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("fleet", help="the fleet: seed a demo fleet, list cars with health and due maintenance, one car's history")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    seed = actions.add_parser("seed", help="create a demo fleet (cars and a year of visits) from the simulator")
    seed.add_argument("--vehicles", type=int, default=50)
    seed.add_argument("--visits", type=int, default=None, metavar="N", help="visits per car (default: every 25-75 days)")
    seed.add_argument("--seed", type=int, default=0)
    seed.add_argument("--today", type=_day, default=None, metavar="YYYY-MM-DD", help="the last day of the year of visits (default: today)")
    seed.add_argument("--json", action="store_true")
    listing = actions.add_parser("list", help="every car: health, open codes, due soon / overdue; fleet KPIs")
    listing.add_argument("--make")
    listing.add_argument("--year", type=int, help="model year")
    listing.add_argument("--customer")
    listing.add_argument("--site")
    listing.add_argument("--role", default="fleet manager", help="whose view: fleet manager, service manager, technician, ...")
    listing.add_argument("--today", type=_day, default=None, metavar="YYYY-MM-DD")
    listing.add_argument("--json", action="store_true", help="the whole fleet view as JSON")
    show = actions.add_parser("show", help="one car's history")
    show.add_argument("vin", metavar="VIN")
    show.add_argument("--json", action="store_true")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from carvrooom_desktop.cli.common import open_store

    with open_store(args) as store:
        if args.action == "seed":
            from carvrooom_desktop.fleet.seed import seed_fleet

            summary = seed_fleet(store.engine, vehicles=args.vehicles, seed=args.seed, today=args.today,
                                 visits_per_vehicle=args.visits, origin=store.origin)
            if args.json:
                print(json.dumps(summary.to_dict()))
            else:
                print(f"seeded {summary.vehicles} cars, {summary.visits} visits, {summary.jobs} jobs, {summary.claims} warranty claims "
                      f"(up to {summary.today.isoformat()}) in {store.display_url}")
            return 0
        if args.action == "list":
            from carvrooom_desktop.fleet.queries import FleetFilter, load_fleet

            view = load_fleet(store.engine, FleetFilter(args.make, args.year, args.customer, args.site), args.today)
            if args.json:
                print(json.dumps(view.to_dict()))
            else:
                _print_view(view, args.role)
            return 0
        from carvrooom_desktop.fleet.history import vehicle_history

        history = vehicle_history(store.engine, args.vin)
        if args.json:
            print(json.dumps(history.to_dict()))
            return 0
        print(f"{history.label} {history.vin}  owner {history.customer or '-'}  site {history.site or '-'}")
        for e in history.entries:
            print(f"  {e.when.isoformat()}  {e.kind:<9} {e.summary}")
    return 0


def _print_view(view: FleetView, role: str) -> None:
    from carvrooom_desktop.fleet.maintenance import DUE_SOON, OVERDUE
    from carvrooom_desktop.fleet.roles import sections_for

    out = sys.stdout
    for section in sections_for(role):
        if section == "kpis":
            print("  ".join(f"{k}: {v}" for k, v in view.kpis().items()), file=out)
        elif section == "vehicles":
            print(f"{'VIN':<18} {'car':<26} {'customer':<18} {'site':<8} {'health':>6}  codes / due", file=out)
            for v in view.vehicles:
                score = "-" if v.health_score is None else f"{v.health_score:.0f}"
                print(f"{v.vin:<18} {v.label[:26]:<26} {v.customer[:18]:<18} {v.site[:8]:<8} {score:>6}  "
                      f"{' '.join(v.open_codes) or '-'} / {v.worst_due}", file=out)
        elif section == "due":
            for status in (OVERDUE, DUE_SOON):
                for d in view.due(status):
                    print(f"{status:<8} {d.vin} {d.title:<18} {d.due_date.isoformat() if d.due_date else '-'}", file=out)
        elif section == "dtc_frequency":
            print("codes: " + ", ".join(f"{d.code} x{d.occurrences} ({d.vehicles} cars)" for d in view.dtc_frequency[:10]), file=out)
        elif section == "comebacks":
            print(f"comebacks within 30 days: {len(view.comebacks)}", file=out)
        elif section == "bays":
            for b in view.bays:
                print(f"bay {b.name}: {b.hours:.0f} h booked, {b.utilisation or 0:.0%} of open hours", file=out)
        elif section == "technicians":
            for t in view.technicians:
                print(f"technician {t.name}: {t.hours:.0f} h, {t.jobs} jobs", file=out)
        elif section == "warranty_cost":
            for p in view.warranty_cost:
                print(f"warranty {p.part_category}: {p.claims} claims, {p.amount_cents / 100:,.2f}", file=out)
