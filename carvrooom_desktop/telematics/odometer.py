"""The two odometers a car reports, side by side: what its ECU counts and what its GNSS track adds up to.

They are never merged (Samsara's practice): the ECU's can be wound back or replaced, the GNSS track
drifts a little with every corner. A difference beyond ``tolerance`` is what the warranty side's
odometer signal wants to know (``carvrooom_desktop.warranty`` reads it from here; it is not changed
by this module).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from carvrooom_desktop.storage.fleet_models import TelematicsVehicleRow

MIN_KM, SHARE = 5.0, 0.01  # a difference counts beyond 5 km and beyond 1 % of the distance


@dataclass(frozen=True, slots=True)
class OdometerMismatch:
    vin: str
    obd_km: float
    gps_km: float

    @property
    def difference_km(self) -> float:
        return self.gps_km - self.obd_km

    def to_dict(self) -> dict[str, object]:
        return {"vin": self.vin, "obd_km": self.obd_km, "gps_km": self.gps_km, "difference_km": round(self.difference_km, 1)}


def mismatched(obd_km: float, gps_km: float, *, min_km: float = MIN_KM, share: float = SHARE) -> bool:
    return abs(gps_km - obd_km) > max(min_km, share * max(obd_km, gps_km))


def odometer_mismatches(engine: Engine, *, min_km: float = MIN_KM, share: float = SHARE) -> list[OdometerMismatch]:
    """Cars whose two odometers, as last reported, differ by more than the tolerance."""
    with engine.connect() as conn:
        rows = conn.execute(select(TelematicsVehicleRow.vin, TelematicsVehicleRow.odometer_obd_km, TelematicsVehicleRow.odometer_gps_km)
                            .where(TelematicsVehicleRow.odometer_obd_km.is_not(None), TelematicsVehicleRow.odometer_gps_km.is_not(None))
                            .order_by(TelematicsVehicleRow.vin)).all()
    return [OdometerMismatch(vin, obd, gps) for vin, obd, gps in rows
            if obd is not None and gps is not None and mismatched(obd, gps, min_km=min_km, share=share)]


__all__ = ["OdometerMismatch", "mismatched", "odometer_mismatches"]
