"""UDS trouble codes in words: 3-byte DTC -> P/C/B/U code, SAE J2012-DA failure type, status bits.

The texts are data (``resources/uds``): generic P codes from ``resources/dtc``, generic B/C/U
codes and a workshop's own manufacturer texts from every ``resources/uds/dtc/*.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from drivers.obd.dtc_codes import decode_dtc, system_of
from resources import resource_path

# ISO 14229-1 D.2 DTC status byte, bit 0 first.
STATUS_BITS: tuple[tuple[int, str, str], ...] = (
    (0x01, "test_failed", "failing now"),
    (0x02, "test_failed_this_operation_cycle", "failed this drive"),
    (0x04, "pending", "pending"),
    (0x08, "confirmed", "confirmed"),
    (0x10, "test_not_completed_since_last_clear", "not tested since clear"),
    (0x20, "test_failed_since_last_clear", "failed since clear"),
    (0x40, "test_not_completed_this_operation_cycle", "not tested this drive"),
    (0x80, "warning_indicator_requested", "warning lamp on"),
)


def status_words(status: int) -> list[str]:
    """``0x2F`` -> ["failing now", "failed this drive", "pending", "confirmed", "failed since clear"]."""
    return [words for bit, _name, words in STATUS_BITS if status & bit]


def status_names(status: int) -> list[str]:
    return [name for bit, name, _words in STATUS_BITS if status & bit]


@dataclass(frozen=True, slots=True)
class UdsDtc:
    """One module's code as the technician reads it: ``C0035-13 Left Front Wheel Speed Sensor Circuit: Circuit open``."""

    number: int  # the 3 bytes as the module sent them
    status: int

    @property
    def code(self) -> str:
        return decode_dtc(self.number >> 16, (self.number >> 8) & 0xFF)

    @property
    def failure_type(self) -> int:
        return self.number & 0xFF

    @property
    def display(self) -> str:
        return f"{self.code}-{self.failure_type:02X}"

    @property
    def description(self) -> str:
        return describe_code(self.code, self.failure_type)

    @property
    def failure_text(self) -> str:
        return failure_type_text(self.failure_type)

    @property
    def system(self) -> str:
        return system_of(self.code).value

    @property
    def status_words(self) -> list[str]:
        return status_words(self.status)


def _read_json(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as f:
        codes: dict[str, str] = json.load(f)["codes"]
    return {k.strip().upper(): v for k, v in codes.items()}


@cache
def _texts() -> dict[str, str]:
    texts = _read_json(resource_path("dtc", "generic_dtcs.json"))
    for path in sorted(resource_path("uds", "dtc").glob("*.json")):
        texts.update(_read_json(path))
    return texts


@cache
def _failure_types() -> tuple[dict[str, str], dict[str, str]]:
    with resource_path("uds", "failure_types.json").open(encoding="utf-8") as f:
        table = json.load(f)
    return {k.upper(): v for k, v in table["types"].items()}, {k.upper(): v for k, v in table["categories"].items()}


def failure_type_text(byte: int) -> str:
    """SAE J2012-DA: the sub-type's text, else its category's ("General electrical failures, sub-type 1C")."""
    types, categories = _failure_types()
    key = f"{byte:02X}"
    if key in types:
        return types[key]
    category = categories.get(key[0])
    return f"{category}, sub-type {key}" if category else f"failure type {key}"


def describe_code(code: str, failure_type: int | None = None) -> str:
    """The code's text; a workshop entry for ``code-FT`` wins over the one for ``code``."""
    texts = _texts()
    if failure_type is not None and (text := texts.get(f"{code}-{failure_type:02X}")):
        return text
    if text := texts.get(code):
        return text
    return "Manufacturer-specific code" if code[1:2] in ("1", "3") else "No generic description"


def reload_texts() -> None:
    """After a workshop edited the data files."""
    _texts.cache_clear()
    _failure_types.cache_clear()
