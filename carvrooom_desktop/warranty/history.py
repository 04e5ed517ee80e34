"""What the signals look up about a claim's past: the same car's claims and odometer readings, claims
carrying the same recording, a dealer's claims per month.

Two implementations of one protocol:

- ``StoreHistory``: exact look-ups in SQL, one claim at a time (the clerk checks one claim;
  ``carvrooom warranty check``). VIN, recording hash and dealer/date are indexed columns.
- ``MemoryHistory``: every claim indexed once in dictionaries (``flags`` over a whole store, the
  benchmark). Odometer readings that are not claims (vehicle rows, recordings) still come from
  SQL, for the few VINs that have any.
"""

from __future__ import annotations

import uuid
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Protocol, cast

from sqlalchemy import Engine, select

from carvrooom_desktop.storage.fleet_models import FleetVisitRow, TelematicsVehicleRow
from carvrooom_desktop.storage.models import RecordingRow, VehicleRow
from carvrooom_desktop.storage.warranty_claims import WarrantyClaimRepository
from carvrooom_desktop.warranty.claim import WarrantyClaim

if TYPE_CHECKING:
    from carvrooom_desktop.storage.recordings import RecordingRepository

RECORDINGS_PER_VIN = 20  # newest recordings of a car read for their odometer


@dataclass(frozen=True, slots=True)
class OdometerReading:
    source: str  # "claim" | "vehicle" | "recording" | "visit" | "telematics"
    ref: str  # claim number, vehicle VIN, recording id, visit date, "OBD odometer"
    on: date
    km: float


class ClaimHistory(Protocol):
    def claims_for_vin(self, vin: str) -> Sequence[WarrantyClaim]: ...

    def claims_with_recording(self, sha256: str) -> Sequence[WarrantyClaim]: ...

    def claims_with_trace_duration(self, low_s: float, high_s: float) -> Sequence[WarrantyClaim]: ...

    def other_readings(self, vin: str) -> Sequence[OdometerReading]: ...

    def dealer_month_counts(self, dealer_id: str, first_day: date, last_day: date) -> dict[str, int]: ...


class StoreReadings:
    """Odometer readings that are not claims: the vehicle row, recordings with an ``odometer_km`` signal, the
    fleet's visits, and the car's own odometer as telematics last reported it (the OBD one: the GNSS
    distance is a track length, not what the cluster shows, so it is not a reading)."""

    def __init__(self, engine: Engine, recordings: RecordingRepository | None = None) -> None:
        self.engine = engine
        self.recordings = recordings  # a RecordingRepository (to read samples); None = vehicle rows only
        self._vins: set[str] | None = None

    def vins(self) -> set[str]:
        """VINs that have any such reading (one query; lets batch checks skip the rest)."""
        if self._vins is None:
            with self.engine.connect() as conn:
                found = set(conn.execute(select(VehicleRow.vin).where(VehicleRow.deleted.is_(False),
                                                                      VehicleRow.odometer_km.is_not(None))).scalars())
                for vin, names in conn.execute(select(RecordingRow.vin, RecordingRow.signal_names)
                                               .where(RecordingRow.deleted.is_(False), RecordingRow.vin != "")):
                    if "odometer_km" in (names or ()):
                        found.add(vin)
                found.update(conn.execute(select(FleetVisitRow.vin).where(FleetVisitRow.deleted.is_(False),
                                                                         FleetVisitRow.odometer_km.is_not(None))).scalars())
                found.update(conn.execute(select(TelematicsVehicleRow.vin)
                                          .where(TelematicsVehicleRow.odometer_obd_km.is_not(None))).scalars())
            self._vins = found
        return self._vins

    def __call__(self, vin: str) -> list[OdometerReading]:
        out: list[OdometerReading] = []
        with self.engine.connect() as conn:
            for km, when in conn.execute(select(VehicleRow.odometer_km, VehicleRow.updated_at)
                                         .where(VehicleRow.vin == vin, VehicleRow.deleted.is_(False),
                                                VehicleRow.odometer_km.is_not(None))):
                out.append(OdometerReading("vehicle", vin, _day(when), float(cast(float, km))))  # only rows with a reading
            for km, visited in conn.execute(select(FleetVisitRow.odometer_km, FleetVisitRow.visit_date)
                                            .where(FleetVisitRow.vin == vin, FleetVisitRow.deleted.is_(False),
                                                   FleetVisitRow.odometer_km.is_not(None))):
                out.append(OdometerReading("visit", f"of {visited}", date.fromisoformat(visited), float(cast(float, km))))
            for km, seen in conn.execute(select(TelematicsVehicleRow.odometer_obd_km, TelematicsVehicleRow.last_seen)
                                         .where(TelematicsVehicleRow.vin == vin, TelematicsVehicleRow.odometer_obd_km.is_not(None),
                                                TelematicsVehicleRow.last_seen.is_not(None))):
                out.append(OdometerReading("telematics", "OBD odometer", datetime.fromtimestamp(float(cast(float, seen)), UTC).date(),
                                           float(cast(float, km))))
            recs = conn.execute(select(RecordingRow.id, RecordingRow.started_at, RecordingRow.signal_names)
                                .where(RecordingRow.vin == vin, RecordingRow.deleted.is_(False))
                                .order_by(RecordingRow.started_at.desc()).limit(RECORDINGS_PER_VIN)).all()
        if self.recordings is not None:
            for rid, started, names in recs:
                if "odometer_km" not in (names or ()):
                    continue
                km = recording_odometer(self.recordings, rid)
                if km is not None:
                    out.append(OdometerReading("recording", str(rid), _day(started), km))
        return out


def recording_odometer(recordings: RecordingRepository, recording_id: uuid.UUID) -> float | None:
    """The highest ``odometer_km`` sample of a recording (None when it has none)."""
    _t, v = recordings.load_samples(recording_id, ["odometer_km"]).get("odometer_km", ((), ()))
    return float(max(v)) if len(v) else None


def _day(moment: datetime) -> date:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).date()


class StoreHistory:
    """Look-ups in SQL, one claim at a time."""

    def __init__(self, claims: WarrantyClaimRepository, readings: StoreReadings | None = None) -> None:
        self.claims = claims
        self.readings = readings

    def claims_for_vin(self, vin: str) -> Sequence[WarrantyClaim]:
        return self.claims.for_vin(vin)

    def claims_with_recording(self, sha256: str) -> Sequence[WarrantyClaim]:
        return self.claims.with_recording_sha256(sha256)

    def claims_with_trace_duration(self, low_s: float, high_s: float) -> Sequence[WarrantyClaim]:
        return self.claims.with_trace_duration(low_s, high_s)

    def other_readings(self, vin: str) -> Sequence[OdometerReading]:
        return self.readings(vin) if self.readings is not None else ()

    def dealer_month_counts(self, dealer_id: str, first_day: date, last_day: date) -> dict[str, int]:
        return self.claims.dealer_month_counts(dealer_id, first_day, last_day)


class MemoryHistory:
    """Every claim indexed once (by VIN, by recording hash, dealer x month)."""

    def __init__(self, claims: Iterable[WarrantyClaim], readings: StoreReadings | None = None) -> None:
        self.by_vin: dict[str, list[WarrantyClaim]] = defaultdict(list)
        self.by_sha: dict[str, list[WarrantyClaim]] = defaultdict(list)
        self.months: Counter[tuple[str, str]] = Counter()
        self.traced: list[tuple[float, WarrantyClaim]] = []  # (fingerprint duration, claim), sorted when asked
        self._traced_sorted = True
        for c in claims:
            self.add(c)
        self.readings = readings
        self._reading_vins = readings.vins() if readings is not None else set()

    def add(self, c: WarrantyClaim) -> None:
        self.by_vin[c.vin].append(c)
        if c.recording_sha256:
            self.by_sha[c.recording_sha256].append(c)
        self.months[(c.dealer_id, c.claim_date.isoformat()[:7])] += 1
        if c.trace_fingerprint:
            self.traced.append((float(c.trace_fingerprint["duration_s"]), c))
            self._traced_sorted = False

    def claims_for_vin(self, vin: str) -> Sequence[WarrantyClaim]:
        return self.by_vin.get(vin, ())

    def claims_with_recording(self, sha256: str) -> Sequence[WarrantyClaim]:
        return self.by_sha.get(sha256, ()) if sha256 else ()

    def claims_with_trace_duration(self, low_s: float, high_s: float) -> Sequence[WarrantyClaim]:
        if not self._traced_sorted:
            self.traced.sort(key=lambda pair: pair[0])
            self._traced_sorted = True
        keys = [d for d, _ in self.traced]
        return [c for _, c in self.traced[bisect_left(keys, low_s):bisect_right(keys, high_s)]]

    def other_readings(self, vin: str) -> Sequence[OdometerReading]:
        if self.readings is None or vin not in self._reading_vins:
            return ()
        return self.readings(vin)

    def dealer_month_counts(self, dealer_id: str, first_day: date, last_day: date) -> dict[str, int]:
        out = {}
        first, last = first_day.isoformat()[:7], last_day.isoformat()[:7]
        y, m = first_day.year, first_day.month
        while f"{y:04d}-{m:02d}" <= last:
            key = f"{y:04d}-{m:02d}"
            if key >= first and (n := self.months.get((dealer_id, key))):
                out[key] = n
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


__all__ = ["ClaimHistory", "MemoryHistory", "OdometerReading", "StoreHistory", "StoreReadings", "recording_odometer"]
