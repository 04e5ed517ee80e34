"""The car on the bench."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A vehicle as the workshop knows it.

    ``vin`` is kept exactly as the car reported it; whether it is valid is the VIN
    decoder's business, never "fixed" here.
    """

    vin: str
    make: str = ""
    model: str = ""
    year: int | None = None
    odometer_km: float | None = None

    @property
    def label(self) -> str:
        parts = [str(self.year) if self.year else "", self.make, self.model]
        name = " ".join(p for p in parts if p)
        return f"{name} ({self.vin})" if name else self.vin
