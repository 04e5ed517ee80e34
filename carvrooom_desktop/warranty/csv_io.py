"""Claims to and from CSV with exactly the portal's columns (issue 12).

Import reads every row, reports each bad one with its line number and the reason, and saves the
good ones in ONE transaction: a crash or a cancel midway saves nothing, a finished import saves
every good row. A claim number already in the store, or twice in the file, is a bad row (the
second one). Columns may come in any order; a missing or unknown column refuses the whole file.
``dtcs`` are space separated; ``amount`` is money with at most two decimals; dates are ISO
(``2026-03-14``); ``recording_sha256`` is empty or 64 hex digits.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from carvrooom_desktop.domain.progress import CancelFlag, Progress, raise_if_cancelled
from carvrooom_desktop.storage.warranty_claims import WarrantyClaimRepository
from carvrooom_desktop.warranty.claim import (
    DTC_PATTERN,
    PART_CATEGORIES,
    SHA256_PATTERN,
    VIN_PATTERN,
    ClaimStatus,
    WarrantyClaim,
    cents,
)
from carvrooom_desktop.warranty.errors import WarrantyError

COLUMNS = ("claim_id", "vin", "claim_date", "repair_date", "in_service_date", "odometer_km", "part_number", "part_category",
           "labour_op", "complaint", "cause", "correction", "dtcs", "dealer_id", "amount", "recording_sha256")
MAX_TEXT = 4000
MAX_ID = 40
PROGRESS_EVERY = 5_000


class ClaimFileError(WarrantyError):
    """A claims CSV that cannot be read at all (no such file, wrong columns); no row was saved."""


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int  # the file line the row starts on (the header is line 1)
    claim_id: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}" + (f" ({self.claim_id})" if self.claim_id else "") + f": {self.reason}"


@dataclass
class ImportReport:
    path: str
    rows: int = 0
    imported: int = 0
    bad: list[BadRow] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "rows": self.rows, "imported": self.imported, "seconds": round(self.seconds, 3),
                "bad_rows": [{"line": b.line, "claim_id": b.claim_id, "reason": b.reason} for b in self.bad]}


def parse_row(row: dict[str, str], categories: Iterable[str] = PART_CATEGORIES,
              status: ClaimStatus = ClaimStatus.SUBMITTED) -> WarrantyClaim:
    """One CSV row (column -> text) as a claim; ValueError names every problem of the row."""
    problems: list[str] = []
    get = {k: (row.get(k) or "").strip() for k in COLUMNS}
    claim_id = get["claim_id"]
    if not claim_id:
        problems.append("claim_id is empty")
    elif len(claim_id) > MAX_ID:
        problems.append(f"claim_id is longer than {MAX_ID} characters")
    vin = get["vin"].upper()
    if not VIN_PATTERN.match(vin):
        problems.append(f"vin {get['vin']!r} is not 17 characters of A-Z/0-9 without I, O, Q")
    dates: dict[str, date | None] = {}
    for key in ("claim_date", "repair_date", "in_service_date"):
        text = get[key]
        if not text:
            dates[key] = None
            if key == "claim_date":
                problems.append("claim_date is empty")
            continue
        try:
            dates[key] = date.fromisoformat(text)
        except ValueError:
            problems.append(f"{key} {text!r} is not a date such as 2026-03-14")
            dates[key] = None
    cd, rd, sd = dates["claim_date"], dates["repair_date"], dates["in_service_date"]
    if rd and cd and rd > cd:
        problems.append(f"repair_date {rd} is after claim_date {cd}")
    repaired = rd or cd
    if sd and repaired and sd > repaired:
        problems.append(f"in_service_date {sd} is after the repair ({rd or cd})")
    odometer = None
    if get["odometer_km"]:
        try:
            odometer = float(get["odometer_km"].replace("_", ""))
            if not 0 <= odometer < 5_000_000:
                raise ValueError
        except ValueError:
            problems.append(f"odometer_km {get['odometer_km']!r} is not a distance in km")
            odometer = None
    category = get["part_category"].lower()
    known = tuple(categories)
    if category not in known:
        problems.append(f"part_category {get['part_category']!r} is not one of: {', '.join(known)}")
    dtcs = tuple(get["dtcs"].upper().split())
    wrong = [c for c in dtcs if not DTC_PATTERN.match(c)]
    if wrong:
        problems.append(f"dtcs: {' '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} not trouble codes such as P0301")
    amount = 0
    if get["amount"]:
        try:
            amount = cents(get["amount"])
        except ValueError as e:
            problems.append(f"amount: {e}")
    sha = get["recording_sha256"].lower()
    if sha and not SHA256_PATTERN.match(sha):
        problems.append("recording_sha256 is not 64 hex digits")
    for key in ("complaint", "cause", "correction"):
        if len(get[key]) > MAX_TEXT:
            problems.append(f"{key} is longer than {MAX_TEXT} characters")
    for key in ("part_number", "labour_op", "dealer_id"):
        if len(get[key]) > 32:
            problems.append(f"{key} is longer than 32 characters")
    if any("\ufffd" in v for v in get.values()):
        problems.append("the row is not UTF-8 text")
    if problems:
        raise ValueError("; ".join(problems))
    assert cd is not None
    return WarrantyClaim(
        claim_id=claim_id, vin=vin, claim_date=cd, repair_date=rd, in_service_date=sd, odometer_km=odometer,
        part_number=get["part_number"], part_category=category, labour_op=get["labour_op"], complaint=get["complaint"],
        cause=get["cause"], correction=get["correction"], dtcs=dtcs, dealer_id=get["dealer_id"], amount_cents=amount,
        recording_sha256=sha, status=status,
    )


def read_claims(text: io.TextIOBase, path: str = "claims", status: ClaimStatus = ClaimStatus.SUBMITTED) -> tuple[list[tuple[int, WarrantyClaim]], list[BadRow], int]:
    """(line, claim) of every good row, the bad rows, and the number of data rows."""
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise ClaimFileError(f"{path} is empty: expected a header with {', '.join(COLUMNS)}") from None
    except csv.Error as e:
        raise ClaimFileError(f"{path}: the header does not parse as CSV ({e})") from e
    names = [h.strip().lstrip("\ufeff").lower() for h in header]
    if not any(names):
        raise ClaimFileError(f"{path} is empty: expected a header with {', '.join(COLUMNS)}")
    missing = [c for c in COLUMNS if c not in names]
    unknown = [n for n in names if n not in COLUMNS]
    twice = sorted({n for n in names if names.count(n) > 1})
    if missing or unknown or twice:
        parts = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + \
                ([f"unknown column(s) {', '.join(unknown)}"] if unknown else []) + \
                ([f"column(s) given twice: {', '.join(twice)}"] if twice else [])
        raise ClaimFileError(f"{path}: {'; '.join(parts)}. The columns are: {', '.join(COLUMNS)}")
    good: list[tuple[int, WarrantyClaim]] = []
    bad: list[BadRow] = []
    rows = 0
    line = reader.line_num + 1
    while True:
        start = line
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            rows += 1
            bad.append(BadRow(start, "", f"does not parse as CSV ({e})"))
            line = reader.line_num + 1
            continue
        line = reader.line_num + 1
        if not values or all(not v.strip() for v in values):
            continue  # blank lines are not rows
        rows += 1
        claim_id = values[names.index("claim_id")].strip() if len(values) > names.index("claim_id") else ""
        if len(values) != len(names):
            bad.append(BadRow(start, claim_id, f"has {len(values)} fields, expected {len(names)}"))
            continue
        try:
            good.append((start, parse_row(dict(zip(names, values, strict=True)), status=status)))
        except ValueError as e:
            bad.append(BadRow(start, claim_id, str(e)))
    return good, bad, rows


def import_claims(repo: WarrantyClaimRepository, path: str | Path, *, status: ClaimStatus = ClaimStatus.SUBMITTED,
                  progress: Progress | None = None, cancel: CancelFlag | None = None) -> ImportReport:
    """Import a claims CSV: bad rows reported, good rows saved in one transaction (see the module text)."""
    import time

    started = time.perf_counter()
    path = Path(path)
    try:
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
            good, bad, rows = read_claims(f, str(path), status)
    except OSError as e:
        raise ClaimFileError(f"cannot read {path}: {e.strerror or e}") from e
    report = ImportReport(str(path), rows=rows, bad=bad)
    seen: dict[str, int] = {}
    unique: list[tuple[int, WarrantyClaim]] = []
    for line, claim in good:
        if claim.claim_id in seen:
            bad.append(BadRow(line, claim.claim_id, f"claim_id is already on line {seen[claim.claim_id]}"))
            continue
        seen[claim.claim_id] = line
        unique.append((line, claim))
    total = len(unique)
    with repo.engine.begin() as conn:
        stored = repo.existing_claim_ids([c.claim_id for _, c in unique], conn)
        to_save = []
        for line, claim in unique:
            if claim.claim_id in stored:
                bad.append(BadRow(line, claim.claim_id, "claim_id is already in the store"))
            else:
                to_save.append(claim)
        done = 0
        for i in range(0, len(to_save), PROGRESS_EVERY):
            raise_if_cancelled(cancel, "the claim import")
            done += repo.add_many(to_save[i:i + PROGRESS_EVERY], conn)
            if progress:
                progress(done, total)
        raise_if_cancelled(cancel, "the claim import")
    report.imported = done
    report.bad.sort(key=lambda b: b.line)
    report.seconds = time.perf_counter() - started
    return report


def claim_to_row(c: WarrantyClaim) -> list[str]:
    def iso(d: date | None) -> str:
        return d.isoformat() if d else ""

    km = "" if c.odometer_km is None else (f"{c.odometer_km:.0f}" if float(c.odometer_km).is_integer() else f"{c.odometer_km:g}")
    return [c.claim_id, c.vin, iso(c.claim_date), iso(c.repair_date), iso(c.in_service_date), km, c.part_number,
            c.part_category, c.labour_op, c.complaint, c.cause, c.correction, " ".join(c.dtcs), c.dealer_id,
            f"{c.amount:.2f}", c.recording_sha256]


def write_claims(claims: Iterable[WarrantyClaim], out: io.TextIOBase) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for c in claims:
        writer.writerow(claim_to_row(c))
        n += 1
    return n


def export_claims(claims: Iterable[WarrantyClaim], path: str | Path) -> int:
    """Write claims to ``path`` (a partial file is removed when writing fails)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            n = write_claims(claims, f)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return n


__all__ = ["COLUMNS", "BadRow", "ClaimFileError", "ImportReport", "claim_to_row", "export_claims", "import_claims",
           "parse_row", "read_claims", "write_claims"]
