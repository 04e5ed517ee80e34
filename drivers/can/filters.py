"""Receive filters in python-can's ``can_filters`` form, checked before they reach a driver."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from can.typechecking import CanFilter as PythonCanFilter

MAX_EXTENDED_ID = 0x1FFF_FFFF


@dataclass(frozen=True, slots=True)
class CanFilter:
    """A frame passes when ``frame_id & can_mask == can_id & can_mask``.

    ``extended`` None matches 11- and 29-bit frames alike; True/False only one kind.
    """

    can_id: int
    can_mask: int = MAX_EXTENDED_ID
    extended: bool | None = None

    def __post_init__(self) -> None:
        for field, value in (("can_id", self.can_id), ("can_mask", self.can_mask)):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_EXTENDED_ID:
                raise ValueError(f"CAN filter {field} must be an integer 0..0x1FFFFFFF, got {value!r}")

    def as_python_can(self) -> PythonCanFilter:
        entry: PythonCanFilter = {"can_id": self.can_id, "can_mask": self.can_mask}
        if self.extended is not None:
            entry["extended"] = self.extended
        return entry


def normalize_filters(filters: Iterable[CanFilter | Mapping[str, object]] | None) -> tuple[CanFilter, ...] | None:
    """CanFilters or python-can filter dicts -> CanFilters; None means "receive everything"."""
    if filters is None:
        return None
    result = []
    for item in filters:
        if isinstance(item, CanFilter):
            result.append(item)
        elif isinstance(item, Mapping):
            unknown = set(item) - {"can_id", "can_mask", "extended"}
            if unknown or "can_id" not in item:
                raise ValueError(f"CAN filter needs can_id (and optionally can_mask, extended), got {dict(item)!r}")
            extended = item.get("extended")
            result.append(CanFilter(item["can_id"], item.get("can_mask", MAX_EXTENDED_ID),  # type: ignore[arg-type]
                                    None if extended is None else bool(extended)))
        else:
            raise TypeError(f"not a CAN filter: {item!r}")
    return tuple(result)
