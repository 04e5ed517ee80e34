"""DTC snapshots (0x19 04 records) read with the DID table of ``resources/uds/snapshot_dids.json``.

A snapshot record is ``record number, DID count, (DID, data)*`` with no lengths on the wire, so
each DID's length must be known. At the first DID the table does not know, the rest of the
record is kept as raw bytes and said so: the values before it still show.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from resources import resource_path


@dataclass(frozen=True, slots=True)
class SnapshotValue:
    record: int
    did: int
    name: str
    value: float | None  # None: not decoded (see raw)
    unit: str
    raw: str = ""  # hex of what could not be read

    def to_dict(self) -> dict[str, Any]:
        return {"record": self.record, "did": f"{self.did:04X}", "name": self.name, "value": self.value, "unit": self.unit,
                **({"raw": self.raw} if self.raw else {})}


@cache
def _dids() -> dict[int, dict[str, Any]]:
    with resource_path("uds", "snapshot_dids.json").open(encoding="utf-8") as f:
        table: dict[str, dict[str, Any]] = json.load(f)["dids"]
    return {int(k, 16): v for k, v in table.items()}


def parse_snapshot(data: bytes) -> list[SnapshotValue]:
    """The bytes after DTC and status of a 0x19 04 reply -> values (an empty reply: no snapshot stored)."""
    out: list[SnapshotValue] = []
    table = _dids()
    i = 0
    while i + 2 <= len(data):
        record, count = data[i], data[i + 1]
        i += 2
        for _ in range(count):
            if i + 2 > len(data):
                out.append(SnapshotValue(record, 0, "truncated record", None, "", data[i:].hex(" ").upper()))
                return out
            did = int.from_bytes(data[i : i + 2], "big")
            spec = table.get(did)
            if spec is None:
                out.append(SnapshotValue(record, did, f"unknown DID {did:04X} (add it to resources/uds/snapshot_dids.json)", None, "",
                                         data[i + 2 :].hex(" ").upper()))
                return out
            length = int(spec["length"])
            chunk = data[i + 2 : i + 2 + length]
            if len(chunk) < length:
                out.append(SnapshotValue(record, did, str(spec["name"]), None, str(spec.get("unit", "")), chunk.hex(" ").upper()))
                return out
            value = int.from_bytes(chunk, "big") * float(spec.get("scale", 1)) + float(spec.get("offset", 0))
            out.append(SnapshotValue(record, did, str(spec["name"]), round(value, 3), str(spec.get("unit", ""))))
            i += 2 + length
    return out
