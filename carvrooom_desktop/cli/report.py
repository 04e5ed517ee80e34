"""``carvrooom report owner VIN|RECORDING -o report.pdf``: the owner's one-page health report.

The report is about the car's newest visit (or the visit a recording belongs to): a traffic
light per system in plain words, what was found and done (before/after), what is due next, the
codes cleared this year and the workshop's details (the settings' workshop name, address, phone
and e-mail; without them, the site that served the car). Same data, same bytes.

``--email ADDRESS`` also sends it through the alerts' mail server (``carvrooom alerts smtp``).

Exit codes: 0 written (and sent), 1 an unknown VIN or recording, a car with no recorded visit, a file
that cannot be written, or a mail the server refused (the PDF is written first), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("report", help="reports that leave the workshop: the owner's health report (PDF)")
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    owner = kinds.add_parser("owner", help="the owner's one-page health report of a car's newest visit")
    owner.add_argument("ref", metavar="VIN|RECORDING", help="the car's VIN, or a recording id (a prefix is enough)")
    owner.add_argument("-o", "--output", required=True, metavar="report.pdf")
    owner.add_argument("--json", action="store_true", help="also print what the report says, as JSON")
    owner.add_argument("--email", action="append", default=[], metavar="ADDRESS",
                       help="also e-mail it (repeatable; 'Name <addr>' works) through the alerts' mail server "
                            "(carvrooom alerts smtp); the PDF is written first, so a refused mail loses nothing")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from carvrooom_desktop.cli.common import open_store
    from carvrooom_desktop.config.settings import load_settings
    from carvrooom_desktop.errors import InvalidRequest
    from carvrooom_desktop.reports.owner_data import Workshop, build_owner_report
    from carvrooom_desktop.reports.owner_pdf import render_owner_report

    settings, _warnings = load_settings()
    details = settings.workshop()
    shop = Workshop(details["name"], details["address"], details["phone"], details["email"]) if details["name"] else None
    with open_store(args) as store:
        report = build_owner_report(store.engine, args.ref, workshop=shop)
    try:
        path = render_owner_report(report, args.output)
    except OSError as e:
        raise InvalidRequest(f"cannot write {args.output}: {e.strerror or e}") from e
    if args.json:
        print(json.dumps(asdict(report), default=str))
    else:
        print(f"owner report for {report.vin} (visit of {report.visit_date.isoformat()}): {path}")
    if args.email:
        from pathlib import Path

        from carvrooom_desktop.alerts.channels import Attachment
        from carvrooom_desktop.alerts.service import send_mail

        name = details["name"] or "the workshop"
        body = (f"Hello,\n\nattached is the health report of your car ({report.vin}) from its visit on "
                f"{report.visit_date.isoformat()}.\n\n{name}")
        reached = send_mail(args.email, f"Your car's health report ({report.vin})", body,
                            attachments=[Attachment(Path(path).name, Path(path).read_bytes(), "application/pdf")])
        if not args.json:
            print(f"e-mailed to {', '.join(reached)}")
    return 0
