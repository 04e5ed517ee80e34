"""Coverage rules as data (``resources/warranty/coverage_rules.json``) and the verdict on one claim.

A rule file lists coverages (kind basic/powertrain/emissions/corrosion/extended, on or off, an
age limit in years from the in-service date and a distance limit in km, whichever comes first,
the part categories covered, per-category limits that replace the coverage's own) and
exclusions (all given criteria must match: categories, part numbers, labour operations, claim
types, a minimum odometer). The default file has basic 3 years / 60,000 km on every category and
the other kinds present but off.

The verdict names the rule that decided it:

- covered by the enabled coverage that still covers the claim and runs out last;
- excluded by the first exclusion that matches;
- expired by age or by distance (the applicable coverage that would have run out last);
- no rule when no enabled coverage names the part category;
- missing data when the in-service date or the odometer needed for a limit is unknown.

Validation is by hand, so a bad file gets one message listing every bad item by place
(``coverages[2] "emissions": years must be a positive number or null, got -1``).
"""

from __future__ import annotations

import calendar
import json
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from carvrooom_desktop.warranty.claim import PART_CATEGORIES, WarrantyClaim
from carvrooom_desktop.warranty.errors import CoverageRulesError
from resources import resource_path

FORMAT = "carvrooom-warranty-coverage/1"
DEFAULT_RULES = resource_path("warranty", "coverage_rules.json")
KINDS = ("basic", "powertrain", "emissions", "corrosion", "extended")
COVERED, EXCLUDED, EXPIRED_AGE, EXPIRED_DISTANCE, NO_RULE, MISSING_DATA = (
    "covered", "excluded", "expired_age", "expired_distance", "no_rule", "missing_data")
_TOP = {"format", "name", "coverages", "exclusions"}
_COVERAGE = {"id", "kind", "name", "enabled", "years", "km", "categories", "limits"}
_EXCLUSION = {"id", "name", "reason", "categories", "part_numbers", "labour_ops", "claim_types", "min_km"}


@dataclass(frozen=True, slots=True)
class Limits:
    years: float | None
    km: float | None


@dataclass(frozen=True, slots=True)
class Coverage:
    id: str
    kind: str
    name: str
    enabled: bool
    limits: Limits
    categories: frozenset[str] | None  # None = every category
    category_limits: dict[str, Limits] = field(default_factory=dict)

    def applies_to(self, category: str) -> bool:
        return self.categories is None or category in self.categories

    def limits_for(self, category: str) -> Limits:
        return self.category_limits.get(category, self.limits)


@dataclass(frozen=True, slots=True)
class Exclusion:
    id: str
    name: str
    reason: str
    categories: frozenset[str] = frozenset()
    part_numbers: frozenset[str] = frozenset()
    labour_ops: frozenset[str] = frozenset()
    claim_types: frozenset[str] = frozenset()
    min_km: float | None = None

    def matches(self, claim: WarrantyClaim) -> bool:
        if self.categories and claim.part_category not in self.categories:
            return False
        if self.part_numbers and claim.part_number not in self.part_numbers:
            return False
        if self.labour_ops and claim.labour_op not in self.labour_ops:
            return False
        if self.claim_types and claim.claim_type not in self.claim_types:
            return False
        return self.min_km is None or (claim.odometer_km is not None and claim.odometer_km >= self.min_km)


@dataclass(frozen=True, slots=True)
class CoverageRules:
    name: str
    coverages: tuple[Coverage, ...]
    exclusions: tuple[Exclusion, ...]
    source: str = ""

    def enabled(self) -> tuple[Coverage, ...]:
        return tuple(c for c in self.coverages if c.enabled)


@dataclass(frozen=True, slots=True)
class Verdict:
    """Covered or not, why, and the rule that decided it (``rule_id`` ``""`` only for "no rule")."""

    covered: bool
    reason: str  # covered | excluded | expired_age | expired_distance | no_rule | missing_data
    rule_id: str
    rule_name: str
    explanation: str
    ends_on: date | None = None  # when the deciding coverage ends by age
    ends_at_km: float | None = None  # ... and by distance
    days_left: int | None = None  # from the failure (repair) date; negative once expired
    km_left: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"covered": self.covered, "reason": self.reason, "rule": self.rule_id, "rule_name": self.rule_name,
                "explanation": self.explanation, "ends_on": self.ends_on.isoformat() if self.ends_on else None,
                "ends_at_km": self.ends_at_km, "days_left": self.days_left, "km_left": self.km_left}


def add_years(start: date, years: float) -> date:
    """``start`` plus whole years and months (3 years from 29 Feb lands on 28 Feb)."""
    months = round(years * 12)
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def judge(claim: WarrantyClaim, rules: CoverageRules) -> Verdict:
    """The coverage verdict on one claim (failure date = repair date, else claim date)."""
    for exclusion in rules.exclusions:
        if exclusion.matches(claim):
            return Verdict(False, EXCLUDED, exclusion.id, exclusion.name or exclusion.id,
                           f"not covered: excluded by {exclusion.id!r} ({exclusion.reason})")
    applicable = [c for c in rules.enabled() if c.applies_to(claim.part_category)]
    if not applicable:
        return Verdict(False, NO_RULE, "", "", f"not covered: no enabled coverage in {rules.name!r} covers "
                       f"the part category {claim.part_category!r}")
    judged = [_judge_one(claim, c) for c in applicable]
    covering = [v for v in judged if v.covered]
    if covering:
        return max(covering, key=_runway)
    missing = [v for v in judged if v.reason == MISSING_DATA]
    if missing:
        return missing[0]
    return max(judged, key=_runway)


def _runway(v: Verdict) -> tuple[float, float]:
    return (v.days_left if v.days_left is not None else math.inf, v.km_left if v.km_left is not None else math.inf)


def _judge_one(claim: WarrantyClaim, coverage: Coverage) -> Verdict:
    limits = coverage.limits_for(claim.part_category)
    on = claim.failure_date
    ends_on = days_left = None
    if limits.years is not None:
        if claim.in_service_date is None:
            return Verdict(False, MISSING_DATA, coverage.id, coverage.name,
                           f"cannot judge {coverage.id!r}: the claim has no in-service date")
        ends_on = add_years(claim.in_service_date, limits.years)
        days_left = (ends_on - on).days
    km_left = None
    if limits.km is not None:
        if claim.odometer_km is None:
            return Verdict(False, MISSING_DATA, coverage.id, coverage.name,
                           f"cannot judge {coverage.id!r}: the claim has no odometer reading")
        km_left = limits.km - claim.odometer_km
    common: dict[str, Any] = {"rule_id": coverage.id, "rule_name": coverage.name, "ends_on": ends_on,
                              "ends_at_km": limits.km, "days_left": days_left, "km_left": km_left}
    age_out = days_left is not None and days_left < 0
    km_out = km_left is not None and km_left < 0
    if age_out and days_left is not None:  # age_out implies it
        extra = f" and by distance ({claim.odometer_km:,.0f} km > {limits.km:,.0f} km)" if km_out else ""
        return Verdict(False, EXPIRED_AGE, explanation=f"not covered: {coverage.id!r} expired by age on {ends_on} "
                       f"({-days_left} days before the repair on {on}){extra}", **common)
    if km_out:
        return Verdict(False, EXPIRED_DISTANCE, explanation=f"not covered: {coverage.id!r} expired by distance "
                       f"({claim.odometer_km:,.0f} km > {limits.km:,.0f} km)", **common)
    parts = [f"{days_left} days left (ends {ends_on})" if days_left is not None else "",
             f"{km_left:,.0f} km left (ends at {limits.km:,.0f} km)" if km_left is not None else ""]
    left = "; ".join(p for p in parts if p) or "no limit"
    return Verdict(True, COVERED, explanation=f"covered by {coverage.id!r} ({coverage.name}): {left}", **common)


# -- loading -------------------------------------------------------------------------------------


def load_rules(path: str | Path | None = None) -> CoverageRules:
    """The rule file at ``path`` (default: the shipped one); CoverageRulesError names every bad item."""
    path = Path(path) if path else DEFAULT_RULES
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise CoverageRulesError(f"cannot read the coverage rules {path}: {e.strerror or e}") from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CoverageRulesError(f"the coverage rules {path} are not JSON: {e}") from e
    return parse_rules(document, source=str(path))


def parse_rules(document: Any, source: str = "") -> CoverageRules:
    problems: list[str] = []
    where_file = source or "coverage rules"
    if not isinstance(document, dict):
        raise CoverageRulesError(f"{where_file}: must be a JSON object with 'format' and 'coverages'")
    for key in sorted(set(document) - _TOP):
        problems.append(f"unknown key {key!r} (expected one of: {', '.join(sorted(_TOP))})")
    if document.get("format") != FORMAT:
        problems.append(f"format must be {FORMAT!r}, got {document.get('format')!r}")
    raw = document.get("coverages")
    coverages: list[Coverage] = []
    if not isinstance(raw, list) or not raw:
        problems.append("coverages must be a non-empty list")
        raw = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        cov = _coverage(i, item, problems)
        if cov is not None:
            if cov.id in seen:
                problems.append(f"coverages[{i}] {cov.id!r}: the id is used twice")
            seen.add(cov.id)
            coverages.append(cov)
    exclusions: list[Exclusion] = []
    raw_ex = document.get("exclusions", [])
    if not isinstance(raw_ex, list):
        problems.append("exclusions must be a list")
        raw_ex = []
    for i, item in enumerate(raw_ex):
        ex = _exclusion(i, item, problems)
        if ex is not None:
            exclusions.append(ex)
    if problems:
        raise CoverageRulesError(f"{where_file} has {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    return CoverageRules(str(document.get("name") or Path(source).stem or "rules"), tuple(coverages), tuple(exclusions), source)


def _limit(where: str, obj: dict[str, Any], key: str, problems: list[str]) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        problems.append(f"{where}: {key} must be a positive number or null, got {value!r}")
        return None
    return float(value)


def _categories(where: str, value: Any, problems: list[str], key: str = "categories") -> frozenset[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where}: {key} must be a list of part categories" + (" or \"*\"" if key == "categories" else ""))
        return frozenset()
    unknown = sorted(set(value) - set(PART_CATEGORIES))
    if unknown:
        problems.append(f"{where}: unknown part categor{'y' if len(unknown) == 1 else 'ies'} {', '.join(map(repr, unknown))} "
                        f"(known: {', '.join(PART_CATEGORIES)})")
    return frozenset(value)


def _item(section: str, i: int, item: Any, known: frozenset[str] | set[str], problems: list[str]) -> str | None:
    """Where an entry of ``section`` is (``coverages[2] 'basic'``), after the checks every entry shares;
    None when it is not an object at all."""
    where = f"{section}[{i}]"
    if not isinstance(item, dict):
        problems.append(f"{where}: must be an object")
        return None
    if isinstance(item.get("id"), str) and item["id"].strip():
        where += f" {item['id']!r}"
    else:
        problems.append(f"{where}: id must be a non-empty text")
    for key in sorted(set(item) - known):
        problems.append(f"{where}: unknown key {key!r} (expected one of: {', '.join(sorted(known))})")
    return where


def _coverage(i: int, item: Any, problems: list[str]) -> Coverage | None:
    where = _item("coverages", i, item, _COVERAGE, problems)
    if where is None:
        return None
    for key in ("kind", "enabled", "years", "km", "categories"):
        if key not in item:
            problems.append(f"{where}: missing {key!r}")
    kind = item.get("kind")
    if kind not in KINDS:
        problems.append(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if not isinstance(item.get("enabled", False), bool):
        problems.append(f"{where}: enabled must be true or false, got {item.get('enabled')!r}")
    limits = Limits(_limit(where, item, "years", problems), _limit(where, item, "km", problems))
    raw_cats = item.get("categories", "*")
    categories = None if raw_cats == "*" else _categories(where, raw_cats, problems)
    category_limits: dict[str, Limits] = {}
    raw_limits = item.get("limits", {})
    if not isinstance(raw_limits, dict):
        problems.append(f"{where}: limits must be an object of part category -> {{years, km}}")
        raw_limits = {}
    for category, value in raw_limits.items():
        at = f"{where} limits {category!r}"
        if category not in PART_CATEGORIES:
            problems.append(f"{at}: unknown part category")
        if not isinstance(value, dict) or set(value) - {"years", "km"}:
            problems.append(f"{at}: must be an object with years and/or km")
            continue
        category_limits[category] = Limits(_limit(at, value, "years", problems) if "years" in value else limits.years,
                                           _limit(at, value, "km", problems) if "km" in value else limits.km)
    return Coverage(str(item.get("id", "")), str(kind), str(item.get("name") or item.get("id", "")),
                    bool(item.get("enabled", False)), limits, categories, category_limits)


def _exclusion(i: int, item: Any, problems: list[str]) -> Exclusion | None:
    where = _item("exclusions", i, item, _EXCLUSION, problems)
    if where is None:
        return None
    if not isinstance(item.get("reason"), str) or not item["reason"].strip():
        problems.append(f"{where}: reason must be a non-empty text (it is what the clerk reads)")
    lists: dict[str, frozenset[str]] = {}
    for key in ("part_numbers", "labour_ops", "claim_types"):
        value = item.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{where}: {key} must be a list of texts")
            value = []
        lists[key] = frozenset(value)
    categories = _categories(where, item["categories"], problems) if "categories" in item else frozenset()
    min_km = _limit(where, item, "min_km", problems) if item.get("min_km") not in (None, 0) else None
    if not (categories or any(lists.values()) or min_km is not None):
        problems.append(f"{where}: says nothing it matches (give categories, part_numbers, labour_ops, claim_types or min_km)")
    return Exclusion(str(item.get("id", "")), str(item.get("name", "")), str(item.get("reason", "")), categories or frozenset(),
                     lists["part_numbers"], lists["labour_ops"], lists["claim_types"], min_km)


__all__ = [
    "COVERED", "DEFAULT_RULES", "EXCLUDED", "EXPIRED_AGE", "EXPIRED_DISTANCE", "KINDS", "MISSING_DATA", "NO_RULE",
    "Coverage", "CoverageRules", "Exclusion", "Limits", "Verdict", "add_years", "judge", "load_rules", "parse_rules",
]
