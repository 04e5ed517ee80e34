"""Offline VIN decoding (ISO 3779 / 49 CFR 565): check digit, model year, manufacturer, country.

A bad VIN is reported as bad with the reasons; nothing here ever "repairs" it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from resources import resource_path

_VALUES = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))),
           "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10)))}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"  # 1980.. in a 30-year cycle


@dataclass(frozen=True, slots=True)
class VinInfo:
    vin: str
    valid: bool
    problems: tuple[str, ...] = field(default=())
    manufacturer: str = ""
    country: str = ""
    model_year: int | None = None
    check_digit_ok: bool | None = None  # None: not checked (region does not use it)


@cache
def _tables() -> dict[str, Any]:
    with resource_path("vin", "wmi.json").open(encoding="utf-8") as f:
        tables: dict[str, Any] = json.load(f)
        return tables


def check_digit(vin: str) -> str:
    total = sum(_VALUES[c] * w for c, w in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def _north_american(vin: str) -> bool:
    return vin[0] in "12345"


def model_year(vin: str, today: date | None = None) -> int | None:
    code = vin[9]
    if code not in _YEAR_CODES:
        return None
    base = 1980 + _YEAR_CODES.index(code)
    if _north_american(vin) and vin[6].isdigit():
        return base  # position 7 numeric: 1980-2009 cycle
    if _north_american(vin):
        return base + 30
    latest = (today or date.today()).year + 1  # elsewhere: the newest cycle not in the future
    return base + 30 if base + 30 <= latest else base


def decode_vin(vin: str, today: date | None = None) -> VinInfo:
    problems: list[str] = []
    if len(vin) != 17:
        problems.append(f"a VIN has 17 characters, this one has {len(vin)}")
    bad = sorted({c for c in vin if c not in _VALUES})
    if bad:
        problems.append(f"characters not allowed in a VIN: {' '.join(bad)} (I, O and Q are never used)")
    if problems:
        return VinInfo(vin=vin, valid=False, problems=tuple(problems))
    tables = _tables()
    manufacturer = tables["manufacturers"].get(vin[:3], "")
    country = tables["countries"].get(vin[:2]) or tables["countries"].get(vin[0], "")
    digit_ok: bool | None = None
    if _north_american(vin) or vin[8] in "0123456789X" and check_digit(vin) == vin[8]:
        digit_ok = check_digit(vin) == vin[8]
        if not digit_ok:
            problems.append(f"check digit is {vin[8]}, the other characters give {check_digit(vin)}: mistyped or forged")
    year = model_year(vin, today)
    return VinInfo(vin=vin, valid=not problems, problems=tuple(problems), manufacturer=manufacturer,
                   country=country, model_year=year, check_digit_ok=digit_ok)
