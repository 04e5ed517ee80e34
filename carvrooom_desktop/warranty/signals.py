"""Fraud and error signals on one claim: each a score 0..1, its evidence and a sentence the clerk can act on.

| signal | fires when |
|---|---|
| ``duplicate`` | the same car had a claim on the same part category within the window (days or km), however the complaint is worded; or the same story (text similarity) on another category |
| ``odometer_rollback`` | the odometer is lower than an earlier reading of the same VIN (claims, the vehicle record, recordings) |
| ``end_of_coverage`` | the repair falls in the last days or kilometres of the coverage that covers it |
| ``dtc_mismatch`` | none of the claim's trouble codes supports the claimed part (``resources/warranty/part_dtcs.json``) |
| ``shared_recording`` | the same recording (SHA-256 of its data) is attached to an earlier claim on another car, or one whose signal traces match (``traces.py``) |
| ``dealer_rate`` | the dealer's claims this month jump far above its own monthly history |

A signal fires at ``fires_at`` (0.5) and above. Thresholds are data: ``resources/warranty/signals.json``.
Only earlier claims (by date, then claim number) count against a claim: the first repair of a pair
is not the suspicious one. The coverage verdict comes with every check, but "not covered" is a
verdict, not a signal.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from carvrooom_desktop.warranty.claim import WarrantyClaim
from carvrooom_desktop.warranty.coverage import CoverageRules, Verdict, judge
from carvrooom_desktop.warranty.embedder import HashedNgramEmbedder, default_embedder
from carvrooom_desktop.warranty.errors import SignalSettingsError
from carvrooom_desktop.warranty.history import ClaimHistory, OdometerReading
from resources import resource_path

SIGNAL_SETTINGS = resource_path("warranty", "signals.json")
PART_DTCS = resource_path("warranty", "part_dtcs.json")
DUPLICATE, ODOMETER, END_OF_COVERAGE, DTC_MISMATCH, SHARED_RECORDING, DEALER_RATE = (
    "duplicate", "odometer_rollback", "end_of_coverage", "dtc_mismatch", "shared_recording", "dealer_rate")
SIGNALS = (DUPLICATE, ODOMETER, END_OF_COVERAGE, DTC_MISMATCH, SHARED_RECORDING, DEALER_RATE)
_RANGE = re.compile(r"^([PCBU])([0-9A-F]{4})-([PCBU])([0-9A-F]{4})$")
_CODE = re.compile(r"^[PCBU][0-9A-F]{4}$")


@dataclass(frozen=True, slots=True)
class Signal:
    kind: str
    score: float
    fired: bool
    evidence: dict[str, Any]
    advice: str  # one sentence the clerk can act on ("" when it did not fire)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "score": round(self.score, 3), "fired": self.fired, "evidence": self.evidence,
                "advice": self.advice}


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    claim: WarrantyClaim
    verdict: Verdict
    signals: tuple[Signal, ...]

    @property
    def fired(self) -> tuple[Signal, ...]:
        return tuple(s for s in self.signals if s.fired)

    @property
    def score(self) -> float:
        return max((s.score for s in self.signals), default=0.0)

    def to_dict(self) -> dict[str, Any]:
        return {"claim_id": self.claim.claim_id, "vin": self.claim.vin, "status": self.claim.status.value,
                "verdict": self.verdict.to_dict(), "score": round(self.score, 3),
                "flags": [s.kind for s in self.fired], "signals": [s.to_dict() for s in self.signals]}


# -- settings and the part -> code map (data) -------------------------------------------------------


@dataclass(frozen=True)
class PartCodes:
    expects_codes: bool
    exact: frozenset[str]
    ranges: tuple[tuple[str, int, int], ...]  # (letter, low, high) of the 4 hex digits after the letter

    def supports(self, code: str) -> bool:
        code = code.upper()
        if code in self.exact:
            return True
        if not _CODE.match(code):
            return False
        n = int(code[1:], 16)
        return any(code[0] == letter and lo <= n <= hi for letter, lo, hi in self.ranges)


def load_part_codes(path: str | Path | None = None) -> dict[str, PartCodes]:
    path = Path(path or PART_DTCS)
    try:
        parts = json.loads(path.read_text(encoding="utf-8"))["parts"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SignalSettingsError(f"cannot read the part -> trouble code map {path}: {e}") from e
    out: dict[str, PartCodes] = {}
    for category, spec in parts.items():
        exact, ranges = set(), []
        for item in spec.get("codes", []):
            text = str(item).upper()
            m = _RANGE.match(text)
            if m and m.group(1) == m.group(3):
                ranges.append((m.group(1), int(m.group(2), 16), int(m.group(4), 16)))
            elif _CODE.match(text):
                exact.add(text)
            else:
                raise SignalSettingsError(f"{path}: parts {category!r}: {item!r} is not a code (P0420) or a range (P0300-P0312)")
        out[category] = PartCodes(bool(spec.get("expects_codes", True)), frozenset(exact), tuple(ranges))
    return out


def load_signal_settings(path: str | Path | None = None) -> dict[str, Any]:
    path = Path(path or SIGNAL_SETTINGS)
    try:
        settings: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise SignalSettingsError(f"cannot read the signal settings {path}: {e}") from e
    for block in (*SIGNALS[:2], "end_of_coverage", "dtc_mismatch", "dealer_rate"):
        key = "odometer" if block == ODOMETER else block
        if not isinstance(settings.get(key), dict):
            raise SignalSettingsError(f"{path}: missing the {key!r} block")
    return settings


# -- the checker -------------------------------------------------------------------------------------


@dataclass
class SignalChecker:
    history: ClaimHistory
    rules: CoverageRules
    settings: dict[str, Any] = field(default_factory=load_signal_settings)
    part_codes: dict[str, PartCodes] = field(default_factory=load_part_codes)
    embedder: HashedNgramEmbedder = field(default_factory=default_embedder)
    _vectors: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def fires_at(self) -> float:
        return float(self.settings.get("fires_at", 0.5))

    def check(self, claim: WarrantyClaim) -> ClaimCheck:
        verdict = judge(claim, self.rules)
        same_car = [c for c in self.history.claims_for_vin(claim.vin) if not _same(c, claim)]
        signals = (
            self.duplicate(claim, same_car),
            self.odometer(claim, same_car),
            self.end_of_coverage(claim, verdict),
            self.dtc_mismatch(claim),
            self.shared_recording(claim),
            self.dealer_rate(claim),
        )
        return ClaimCheck(claim, verdict, signals)

    def _signal(self, kind: str, score: float, evidence: dict[str, Any], advice: str) -> Signal:
        score = float(min(1.0, max(0.0, score)))
        fired = score >= self.fires_at
        return Signal(kind, score, fired, evidence, advice if fired else "")

    def _vector(self, c: WarrantyClaim) -> np.ndarray:
        key = f"{c.id or ''}|{c.claim_id}|{c.text}"
        v = self._vectors.get(key)
        if v is None:
            if len(self._vectors) > 50_000:
                self._vectors.clear()
            v = self._vectors[key] = self.embedder.embed([c.text])[0]
        return v

    # -- each signal ------------------------------------------------------------------------------

    def duplicate(self, claim: WarrantyClaim, same_car: list[WarrantyClaim]) -> Signal:
        s = self.settings["duplicate"]
        window_days, window_km = int(s["window_days"]), float(s["window_km"])
        best: tuple[float, dict[str, Any], WarrantyClaim] | None = None
        for other in same_car:
            if other.order_key() >= claim.order_key():
                continue
            gap_days = (claim.failure_date - other.failure_date).days
            gap_km = (claim.odometer_km - other.odometer_km
                      if claim.odometer_km is not None and other.odometer_km is not None else None)
            near = gap_days <= window_days or (gap_km is not None and 0 <= gap_km <= window_km and gap_days <= 2 * window_days)
            if not near:
                continue
            similarity = float(self._vector(claim) @ self._vector(other)) if claim.text and other.text else 0.0
            if other.part_category == claim.part_category:
                score = 0.7 + 0.3 * max(0.0, similarity)
            elif similarity >= float(s["same_story_similarity"]):
                score = 0.9 * similarity
            else:
                continue
            if best is None or score > best[0]:
                best = (score, {"earlier_claim": other.claim_id, "part_category": other.part_category,
                                "earlier_date": other.failure_date.isoformat(), "days_between": gap_days,
                                "km_between": None if gap_km is None else round(gap_km), "text_similarity": round(similarity, 3),
                                "same_part_number": bool(claim.part_number) and claim.part_number == other.part_number}, other)
        if best is None:
            return self._signal(DUPLICATE, 0.0, {}, "")
        score, evidence, other = best
        km = f", {evidence['km_between']:,} km" if evidence["km_between"] is not None else ""
        return self._signal(DUPLICATE, score, evidence,
                            f"Claim {other.claim_id} already covered a {other.part_category.replace('_', ' ')} on this car "
                            f"{evidence['days_between']} days{km} earlier: ask the dealer for both repair orders and "
                            "pay this one only as a proven repeat failure.")

    def odometer(self, claim: WarrantyClaim, same_car: list[WarrantyClaim]) -> Signal:
        if claim.odometer_km is None:
            return self._signal(ODOMETER, 0.0, {}, "")
        s = self.settings["odometer"]
        readings: list[OdometerReading] = []
        for other in same_car:
            if other.failure_date < claim.failure_date:
                for km in (other.odometer_km, other.odometer_out_km):
                    if km is not None:
                        readings.append(OdometerReading("claim", other.claim_id, other.failure_date, km))
        readings += [r for r in self.history.other_readings(claim.vin) if r.on < claim.failure_date]
        if not readings:
            return self._signal(ODOMETER, 0.0, {}, "")
        top = max(readings, key=lambda r: r.km)
        drop = top.km - claim.odometer_km
        tolerance = max(float(s["tolerance_km"]), float(s["tolerance_fraction"]) * top.km)
        if drop <= tolerance:
            return self._signal(ODOMETER, 0.0, {"highest_earlier_km": top.km}, "")
        score = 0.6 + 0.4 * min(1.0, drop / float(s["full_score_km"]))
        return self._signal(ODOMETER, score, {"claim_km": claim.odometer_km, "earlier_km": top.km, "earlier_source": top.source,
                                              "earlier_ref": top.ref, "earlier_date": top.on.isoformat(), "drop_km": round(drop)},
                            f"The odometer reads {claim.odometer_km:,.0f} km but the {top.source} {top.ref} recorded "
                            f"{top.km:,.0f} km on {top.on}: have the odometer and the instrument cluster checked before paying.")

    def end_of_coverage(self, claim: WarrantyClaim, verdict: Verdict) -> Signal:
        if not verdict.covered:
            return self._signal(END_OF_COVERAGE, 0.0, {}, "")
        s = self.settings["end_of_coverage"]
        last_days, last_km = float(s["last_days"]), float(s["last_km"])
        closeness = 0.0
        if verdict.days_left is not None and verdict.days_left <= last_days:
            closeness = max(closeness, 1.0 - verdict.days_left / last_days)
        if verdict.km_left is not None and verdict.km_left <= last_km:
            closeness = max(closeness, 1.0 - verdict.km_left / last_km)
        near = (verdict.days_left is not None and verdict.days_left <= last_days) or \
               (verdict.km_left is not None and verdict.km_left <= last_km)
        if not near:
            return self._signal(END_OF_COVERAGE, 0.0, {"days_left": verdict.days_left, "km_left": verdict.km_left}, "")
        evidence = {"rule": verdict.rule_id, "days_left": verdict.days_left, "km_left": None if verdict.km_left is None
                    else round(verdict.km_left), "ends_on": verdict.ends_on.isoformat() if verdict.ends_on else None,
                    "ends_at_km": verdict.ends_at_km}
        left = " and ".join(x for x in (f"{verdict.days_left} days" if verdict.days_left is not None and verdict.days_left <= last_days else "",
                                        f"{verdict.km_left:,.0f} km" if verdict.km_left is not None and verdict.km_left <= last_km else "") if x)
        return self._signal(END_OF_COVERAGE, 0.5 + 0.5 * closeness, evidence,
                            f"The repair came {left} before {verdict.rule_id!r} coverage ends: check the failure date "
                            "against the repair order and the recorded session before paying.")

    def dtc_mismatch(self, claim: WarrantyClaim) -> Signal:
        spec = self.part_codes.get(claim.part_category)
        if spec is None or not (spec.exact or spec.ranges):
            return self._signal(DTC_MISMATCH, 0.0, {}, "")
        s = self.settings["dtc_mismatch"]
        supporting = [c for c in claim.dtcs if spec.supports(c)]
        if supporting:
            return self._signal(DTC_MISMATCH, 0.0, {"supporting": supporting}, "")
        part = claim.part_category.replace("_", " ")
        if claim.dtcs:
            return self._signal(DTC_MISMATCH, float(s["unrelated_score"]), {"dtcs": list(claim.dtcs), "supporting": []},
                                f"None of the codes {' '.join(claim.dtcs)} points at a {part}: ask for the diagnosis "
                                "that led to this part, or the scan that shows a supporting code.")
        if spec.expects_codes:
            return self._signal(DTC_MISMATCH, float(s["no_code_score"]), {"dtcs": [], "supporting": []},
                                f"A failed {part} normally sets a trouble code and this claim has none: ask for the scan "
                                "(all modules) taken before the repair.")
        return self._signal(DTC_MISMATCH, 0.0, {"dtcs": []}, "")

    def shared_recording(self, claim: WarrantyClaim) -> Signal:
        """The same recording (SHA-256) on an earlier claim of another car; else one whose traces match (traces.py)."""
        s = self.settings.get("shared_recording", {})
        others = [c for c in self.history.claims_with_recording(claim.recording_sha256)
                  if not _same(c, claim) and c.vin != claim.vin and c.order_key() < claim.order_key()] if claim.recording_sha256 else []
        if others:
            first = min(others, key=WarrantyClaim.order_key)
            return self._signal(SHARED_RECORDING, float(s.get("score", 1.0)),
                                {"sha256": claim.recording_sha256, "other_claims": [c.claim_id for c in others][:20],
                                 "other_vins": sorted({c.vin for c in others})[:20]},
                                f"The attached recording is the one of claim {first.claim_id} on another car ({first.vin}): "
                                "reject this evidence and ask for a recording of this car.")
        return self._trace_match(claim, float(s.get("trace_threshold", 0.9)), float(s.get("trace_score", 0.9)))

    def _trace_match(self, claim: WarrantyClaim, threshold: float, score: float) -> Signal:
        from carvrooom_desktop.warranty.traces import duration_window, similarity

        if not claim.trace_fingerprint:
            return self._signal(SHARED_RECORDING, 0.0, {}, "")
        low, high = duration_window(float(claim.trace_fingerprint["duration_s"]))
        matches = []
        for other in self.history.claims_with_trace_duration(low, high):
            if _same(other, claim) or other.vin == claim.vin or not other.order_key() < claim.order_key():
                continue
            value = similarity(claim.trace_fingerprint, other.trace_fingerprint)
            if value >= threshold:
                matches.append((value, other))
        if not matches:
            return self._signal(SHARED_RECORDING, 0.0, {}, "")
        value, first = max(matches, key=lambda m: (m[0], m[1].order_key()))
        return self._signal(SHARED_RECORDING, score * value,
                            {"trace_similarity": round(value, 3), "other_claims": [c.claim_id for _, c in matches][:20],
                             "other_vins": sorted({c.vin for _, c in matches})[:20]},
                            f"The recording's traces match claim {first.claim_id} on another car ({first.vin}) "
                            f"(similarity {value:.2f}) though its data differs: an edited copy is likely; ask for the "
                            "original recording of this car.")

    def dealer_rate(self, claim: WarrantyClaim) -> Signal:
        if not claim.dealer_id:
            return self._signal(DEALER_RATE, 0.0, {}, "")
        s = self.settings["dealer_rate"]
        months = int(s["history_months"])
        month = claim.claim_date.replace(day=1)
        first = _add_months(month, -months)
        last = date.fromordinal(_add_months(month, 1).toordinal() - 1)
        counts = self.history.dealer_month_counts(claim.dealer_id, first, last)
        key = month.isoformat()[:7]
        k = counts.get(key, 0)
        earlier = sorted(m for m in counts if m < key)
        if not earlier:
            return self._signal(DEALER_RATE, 0.0, {}, "")
        start = date.fromisoformat(earlier[0] + "-01")
        n_hist = (month.year - start.year) * 12 + month.month - start.month
        if n_hist < int(s["min_history_months"]):
            return self._signal(DEALER_RATE, 0.0, {"history_months": n_hist}, "")
        lam = sum(counts[m] for m in earlier) / n_hist
        z = (k - lam) / math.sqrt(max(lam, 1.0))
        evidence = {"dealer": claim.dealer_id, "month": key, "claims_this_month": k, "monthly_mean_before": round(lam, 2),
                    "history_months": n_hist, "z": round(z, 2)}
        jump = k >= float(s["min_ratio"]) * lam and k - lam >= float(s["min_excess"])
        score = min(1.0, max(0.0, z / float(s["z_full"])))
        if not jump:
            score = min(score, self.fires_at - 0.01)
        return self._signal(DEALER_RATE, score, evidence,
                            f"Dealer {claim.dealer_id} filed {k} claims in {key} against {lam:.1f} a month before: "
                            "sample this month's claims for an audit (repair orders, old parts, recordings).")


def _same(a: WarrantyClaim, b: WarrantyClaim) -> bool:
    if a.id is not None and b.id is not None:
        return a.id == b.id
    return a.claim_id == b.claim_id and a.vin == b.vin


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return date(d.year + y, m + 1, 1)


__all__ = [
    "DEALER_RATE", "DTC_MISMATCH", "DUPLICATE", "END_OF_COVERAGE", "ODOMETER", "SHARED_RECORDING", "SIGNALS",
    "ClaimCheck", "PartCodes", "Signal", "SignalChecker", "load_part_codes", "load_signal_settings",
]
