"""``carvrooom warranty import|list|new|check|flags|similar|submit|approve|reject|evidence|verify``: warranty claims.

``import CLAIMS.csv`` reads the portal's columns (bad rows reported with their line numbers, good
rows saved in one transaction); ``list`` shows claims (``--csv FILE`` exports them in the same
columns); ``check CLAIM`` gives one claim's coverage verdict and signals with their evidence
(exact look-ups in SQL); ``flags`` checks every claim (``--json``: every claim with its verdict and
signals; text: the flagged ones). ``--rules FILE`` judges coverage with another rule set.
``new --recording ID`` makes a draft claim from a recorded session; ``submit``/``approve``/``reject``
move it on (role-checked in the core); ``evidence CLAIM -o PACK.pdf`` writes the evidence pack and
``verify PACK.pdf`` checks it (``--data``: the recording's data is hashed again in the store);
``similar CLAIM`` lists other cars' claims telling the same story (the ChromaDB index beside the store).

Exit codes: 0 done (verify: every check passed), 1 a bad row, a failed check or a refused action,
2 a file that is not a sealed pack.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from carvrooom_desktop.storage.store import Store
    from carvrooom_desktop.storage.warranty_claims import WarrantyClaimRepository
    from carvrooom_desktop.warranty.coverage import CoverageRules
    from carvrooom_desktop.warranty.history import ClaimHistory
    from carvrooom_desktop.warranty.signals import SignalChecker


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("warranty", help="warranty claims: import/list, coverage verdicts, fraud and error signals")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    imp = actions.add_parser("import", help="import claims from a CSV file (the portal's columns)")
    imp.add_argument("file", metavar="CLAIMS.csv")
    imp.add_argument("--draft", action="store_true", help="import as drafts (default: submitted, awaiting a decision)")
    imp.add_argument("--json", action="store_true")

    listing = actions.add_parser("list", help="the stored claims")
    listing.add_argument("--status", choices=("draft", "submitted", "approved", "rejected"))
    listing.add_argument("--vin")
    listing.add_argument("--dealer")
    listing.add_argument("--limit", type=int, default=None, help="at most this many (default: all)")
    listing.add_argument("--csv", metavar="FILE", help="write them to a CSV file in the import columns instead")
    listing.add_argument("--json", action="store_true")

    check = actions.add_parser("check", help="one claim: coverage verdict and every signal with its evidence")
    check.add_argument("claim", metavar="CLAIM", help="claim number, or the claim's UUID (a prefix is enough)")
    check.add_argument("--rules", metavar="FILE", help="coverage rules (default: resources/warranty/coverage_rules.json)")
    check.add_argument("--json", action="store_true")

    flags = actions.add_parser("flags", help="check every claim; list the flagged ones (--json: every claim)")
    flags.add_argument("--rules", metavar="FILE", help="coverage rules (default: resources/warranty/coverage_rules.json)")
    flags.add_argument("--json", action="store_true", help="every claim with its verdict and signals, as JSON")
    new = actions.add_parser("new", help="a draft claim from a recorded session (VIN, odometer, codes, data SHA-256)")
    new.add_argument("--recording", required=True, metavar="ID", help="the recording (an id prefix is enough)")
    new.add_argument("--part-category", required=True, help="e.g. ignition_coil, oxygen_sensor, thermostat")
    new.add_argument("--part-number", default="")
    new.add_argument("--labour-op", default="", help="labour operation code")
    new.add_argument("--dealer", default="", help="dealer id")
    new.add_argument("--complaint", help="default: the recording's notes")
    new.add_argument("--cause", default="")
    new.add_argument("--correction", default="")
    new.add_argument("--amount", default="0", help="amount claimed, e.g. 189.50")
    new.add_argument("--in-service", metavar="YYYY-MM-DD", help="the car's in-service date (coverage starts then)")
    new.add_argument("--claim-id", default="", help="the portal's claim number (default: WC-date-recording)")
    new.add_argument("--json", action="store_true")

    for name, help_text in (("submit", "send a draft claim for a decision"), ("approve", "approve a submitted claim"),
                            ("reject", "reject a submitted claim (give --note)")):
        step = actions.add_parser(name, help=help_text)
        step.add_argument("claim", metavar="CLAIM")
        step.add_argument("--note", default="", help="why (kept with the claim)")

    evidence = actions.add_parser("evidence", help="write a claim's evidence pack (PDF with manifest and seal)")
    evidence.add_argument("claim", metavar="CLAIM")
    evidence.add_argument("-o", "--output", required=True, metavar="PACK.pdf")
    evidence.add_argument("--rules", metavar="FILE", help="coverage rules (default: resources/warranty/coverage_rules.json)")
    evidence.add_argument("--issued", metavar="YYYY-MM-DD", help="the pack's date (default: the claim's date)")

    similar = actions.add_parser("similar", help="other cars' claims that tell the same story (by meaning, ChromaDB)")
    similar.add_argument("claim", metavar="CLAIM")
    similar.add_argument("-n", type=int, default=5, help="how many (default 5)")
    similar.add_argument("--json", action="store_true")

    verify = actions.add_parser("verify", help="check an evidence pack: seal, manifest, every embedded item")
    verify.add_argument("pack", metavar="PACK.pdf")
    verify.add_argument("--data", action="store_true", help="also hash the recording's data again in the store (--db)")
    verify.add_argument("--json", action="store_true")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from carvrooom_desktop.cli.common import open_store
    from carvrooom_desktop.storage.warranty_claims import WarrantyClaimRepository

    if args.action == "verify":
        return _verify(args)
    rules = None
    if getattr(args, "rules", None) is not None or args.action in ("check", "flags", "evidence"):
        from carvrooom_desktop.warranty.coverage import load_rules

        rules = load_rules(args.rules)  # a bad rule file fails before the store is opened
    with open_store(args) as store:
        repo = WarrantyClaimRepository(store.engine, store.origin)
        if args.action == "import":
            return _import(repo, args)
        if args.action == "list":
            return _list(repo, args)
        if args.action == "new":
            return _new(store, repo, args)
        if args.action in ("submit", "approve", "reject"):
            return _decide(store, repo, args)
        if args.action == "similar":
            return _similar(store, repo, args)
        checked = cast("CoverageRules", rules)  # check, flags and evidence (the actions left here) loaded the rules above
        if args.action == "evidence":
            return _evidence(store, repo, checked, args)
        if args.action == "check":
            return _check(store, repo, checked, args)
        return _flags(store, repo, checked, args)


def _import(repo: WarrantyClaimRepository, args: argparse.Namespace) -> int:
    from carvrooom_desktop.warranty.claim import ClaimStatus
    from carvrooom_desktop.warranty.csv_io import import_claims

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r  {done:,}/{total:,} claims", end="", file=sys.stderr, flush=True)

    report = import_claims(repo, args.file, status=ClaimStatus.DRAFT if args.draft else ClaimStatus.SUBMITTED,
                           progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(f"imported {report.imported:,} of {report.rows:,} claims from {report.path} in {report.seconds:.1f} s"
              + (f"; {len(report.bad)} bad row(s) not imported:" if report.bad else ""))
        for bad in report.bad:
            print(f"  {bad}")
    return 1 if report.bad else 0


def _list(repo: WarrantyClaimRepository, args: argparse.Namespace) -> int:
    claims = repo.list(status=args.status, vin=args.vin, dealer_id=args.dealer, limit=args.limit)
    if args.csv:
        from carvrooom_desktop.warranty.csv_io import export_claims

        n = export_claims(claims, args.csv)
        print(f"wrote {n:,} claims to {args.csv}")
        return 0
    if args.json:
        from carvrooom_desktop.warranty.csv_io import COLUMNS, claim_to_row

        print(json.dumps([dict(zip(COLUMNS, claim_to_row(c))) | {"status": c.status.value, "id": str(c.id)} for c in claims],
                         indent=2))
        return 0
    if not claims:
        print("no claims")
        return 0
    print(f"{'claim':<22} {'status':<10} {'vin':<17} {'date':<10} {'km':>8} {'part category':<22} {'dealer':<8} {'amount':>10}")
    for c in claims:
        km = f"{c.odometer_km:,.0f}" if c.odometer_km is not None else "-"
        print(f"{c.claim_id:<22} {c.status.value:<10} {c.vin:<17} {c.claim_date} {km:>8} {c.part_category:<22} "
              f"{c.dealer_id:<8} {c.amount:>10,.2f}")
    return 0


def _checker(store: Store, history: ClaimHistory, rules: CoverageRules) -> SignalChecker:
    from carvrooom_desktop.warranty.signals import SignalChecker

    return SignalChecker(history, rules)


def _check(store: Store, repo: WarrantyClaimRepository, rules: CoverageRules, args: argparse.Namespace) -> int:
    from carvrooom_desktop.warranty.history import StoreHistory, StoreReadings

    claim = repo.find(args.claim)
    result = _checker(store, StoreHistory(repo, StoreReadings(store.engine, store.recordings)), rules).check(claim)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, default=str))
        return 0
    c = claim
    print(f"claim {c.claim_id} ({c.status.value}) - {c.vin}, {c.part_category.replace('_', ' ')}, {c.claim_date}, "
          f"{'-' if c.odometer_km is None else f'{c.odometer_km:,.0f} km'}")
    print(f"coverage: {result.verdict.explanation}")
    fired = result.fired
    print(f"signals: {len(fired)} of {len(result.signals)} fired" + (f" (highest score {result.score:.2f})" if fired else ""))
    for s in result.signals:
        mark = "FLAG" if s.fired else "ok  "
        print(f"  {mark} {s.kind:<18} {s.score:.2f}" + (f"  {s.advice}" if s.fired else ""))
        if s.fired:
            print(f"       evidence: {json.dumps(s.evidence, default=str)}")
    return 0


def _flags(store: Store, repo: WarrantyClaimRepository, rules: CoverageRules, args: argparse.Namespace) -> int:
    from carvrooom_desktop.warranty.history import MemoryHistory, StoreReadings

    claims = list(repo.iter_all())
    checker = _checker(store, MemoryHistory(claims, StoreReadings(store.engine, store.recordings)), rules)
    results = [checker.check(c) for c in claims]
    if args.json:
        print(json.dumps([r.to_dict() for r in results], indent=2, default=str))
        return 0
    flagged = [r for r in results if r.fired]
    print(f"{len(flagged):,} of {len(results):,} claims flagged")
    for r in sorted(flagged, key=lambda r: -r.score):
        print(f"{r.claim.claim_id:<16} {r.score:.2f} {', '.join(s.kind for s in r.fired):<40} {r.verdict.reason}")
        for s in r.fired:
            print(f"    {s.kind}: {s.advice}")
    return 0


def _new(store: Store, repo: WarrantyClaimRepository, args: argparse.Namespace) -> int:
    from datetime import date

    from carvrooom_desktop.errors import InvalidRequest
    from carvrooom_desktop.warranty.claim import cents
    from carvrooom_desktop.warranty.from_recording import claim_from_recording

    try:
        amount = cents(args.amount)
        in_service = date.fromisoformat(args.in_service) if args.in_service else None
    except ValueError as e:
        raise InvalidRequest(str(e)) from e
    recording = store.recordings.find(args.recording)
    claim = claim_from_recording(store, recording.id, part_category=args.part_category, claim_id=args.claim_id,
                                 part_number=args.part_number, labour_op=args.labour_op, dealer_id=args.dealer,
                                 complaint=args.complaint, cause=args.cause, correction=args.correction, amount_cents=amount,
                                 in_service_date=in_service, repository=repo)
    if args.json:
        from carvrooom_desktop.warranty.evidence.contents import claim_record

        print(json.dumps(claim_record(claim) | {"id": str(claim.id)}, indent=2))
    else:
        km = "-" if claim.odometer_km is None else f"{claim.odometer_km:,.0f} km"
        print(f"draft claim {claim.claim_id} ({claim.id}) for {claim.vin}: {claim.part_category}, {km}, "
              f"codes {' '.join(claim.dtcs) or 'none'}, data SHA-256 {claim.recording_sha256[:16]}...")
    return 0


def _decide(store: Store, repo: WarrantyClaimRepository, args: argparse.Namespace) -> int:
    from carvrooom_desktop.cli.signed_in import cli_actor
    from carvrooom_desktop.config.settings import load_settings
    from carvrooom_desktop.warranty.claim import ClaimStatus
    from carvrooom_desktop.warranty.desk import WarrantyDesk

    target = {"submit": ClaimStatus.SUBMITTED, "approve": ClaimStatus.APPROVED, "reject": ClaimStatus.REJECTED}[args.action]
    claim = repo.find(args.claim)
    actor = cli_actor(args, store)  # --as NAME when the workstation has users; demo mode: the workstation's role
    who = load_settings()[0].role if actor.demo else actor
    done = WarrantyDesk(store).move(claim, target, who, args.note).claim
    print(f"claim {done.claim_id} is {done.status.value}" + (f" ({args.note})" if args.note else ""))
    return 0


def _similar(store: Store, repo: WarrantyClaimRepository, args: argparse.Namespace) -> int:
    from carvrooom_desktop.warranty.desk import WarrantyDesk

    claim = repo.find(args.claim)
    desk = WarrantyDesk(store)
    try:
        if sys.stderr.isatty() and desk.repo.count() > 10_000:
            print("bringing the similar-claims index up to date (the first time takes a while)...", file=sys.stderr)
        lines = desk.similar(claim, args.n)
    finally:
        desk.close()
    if args.json:
        print(json.dumps([{"claim_id": ln.claim.claim_id, "vin": ln.claim.vin, "part_category": ln.claim.part_category,
                           "claim_date": ln.claim.claim_date.isoformat(), "similarity": round(ln.similarity, 3),
                           "text": ln.claim.text} for ln in lines], indent=2))
        return 0
    print(f"claims on other cars like {claim.claim_id} ({claim.text[:70]}):" if lines else f"no similar claims to {claim.claim_id}")
    for ln in lines:
        print(f"  {ln.similarity:.2f}  {ln.claim.claim_id:<22} {ln.claim.vin:<17} {ln.claim.part_category:<22} {ln.claim.text[:60]}")
    return 0


def _evidence(store: Store, repo: WarrantyClaimRepository, rules: CoverageRules, args: argparse.Namespace) -> int:
    from datetime import date

    from carvrooom_desktop.config.settings import load_settings
    from carvrooom_desktop.errors import InvalidRequest
    from carvrooom_desktop.warranty.evidence.service import build_pack

    try:
        issued = date.fromisoformat(args.issued) if args.issued else None
    except ValueError as e:
        raise InvalidRequest(f"--issued {args.issued!r} is not a date such as 2026-12-04") from e
    claim = repo.find(args.claim)
    settings, _ = load_settings()
    pack = build_pack(store, claim, rules, workshop=settings.workshop(), issued_on=issued)
    path = pack.write(args.output)
    print(f"wrote {path} ({len(pack.pdf):,} bytes, {len(pack.manifest['items'])} items, manifest SHA-256 "
          f"{pack.manifest['manifest_sha256']})")
    for note in pack.contents.notes:
        print(f"  note: {note}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from carvrooom_desktop.warranty.errors import EvidencePackError
    from carvrooom_desktop.warranty.evidence.service import verify_file

    try:
        if args.data:
            from carvrooom_desktop.cli.common import open_store

            with open_store(args) as store:
                result = verify_file(args.pack, store)
        else:
            result = verify_file(args.pack)
    except EvidencePackError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(f"{args.pack}: " + ("verified" if result.ok else "NOT verified") + (f" (claim {result.claim_id})" if result.claim_id else ""))
        for name, passed, detail in result.checks:
            print(f"  {'ok  ' if passed else 'FAIL'} {name}: {detail}")
        for item in result.unchecked:
            print(f"  --   {item}")
    return 0 if result.ok else 1
