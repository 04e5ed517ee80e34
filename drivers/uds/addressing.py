"""Where a module listens and answers: 11-bit request/response pairs and 29-bit normal fixed addressing,
and the table of common addresses (``resources/uds/addresses.json``) that names them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from resources import resource_path

TESTER = 0xF1  # the external test equipment's address in 29-bit normal fixed addressing
FUNCTIONAL_29 = 0x18DB33F1


@dataclass(frozen=True, slots=True)
class ModuleAddress:
    request_id: int
    response_id: int
    extended: bool = False

    @property
    def label(self) -> str:
        if self.extended:
            return f"{self.request_id:08X}/{self.response_id:08X}"
        return f"{self.request_id:03X}/{self.response_id:03X}"

    @property
    def target(self) -> int:
        """29-bit: the module's own address byte (TA of the request)."""
        return (self.request_id >> 8) & 0xFF

    @classmethod
    def normal_fixed(cls, target: int, tester: int = TESTER) -> ModuleAddress:
        return cls(0x18DA0000 | (target << 8) | tester, 0x18DA0000 | (tester << 8) | target, extended=True)

    @classmethod
    def parse(cls, label: str) -> ModuleAddress:
        """``"760/768"`` or ``"18DA28F1/18DAF128"`` (as ``label`` writes it)."""
        request, _, response = label.partition("/")
        req, resp = int(request, 16), int(response, 16)
        return cls(req, resp, extended=len(request.strip()) > 3 or req > 0x7FF)

    def to_dict(self) -> dict[str, Any]:
        return {"request": self.label.split("/")[0], "response": self.label.split("/")[1], "extended": self.extended}


@dataclass(frozen=True, slots=True)
class KnownModule:
    short: str
    name: str
    address: ModuleAddress


@cache
def _table() -> dict[str, Any]:
    with resource_path("uds", "addresses.json").open(encoding="utf-8") as f:
        table: dict[str, Any] = json.load(f)
    return table


def known_modules() -> tuple[KnownModule, ...]:
    table = _table()
    out = [KnownModule(m["short"], m["name"], ModuleAddress(int(m["request"], 16), int(m["response"], 16))) for m in table["modules"]]
    for target, m in table.get("extended_names", {}).items():
        out.append(KnownModule(m["short"], m["name"], ModuleAddress.normal_fixed(int(target, 16))))
    return tuple(out)


def name_of(address: ModuleAddress) -> tuple[str, str]:
    """(short, name) from the table, or ("", "") for an address it does not list."""
    for module in known_modules():
        if module.address == address:
            return module.short, module.name
    return "", ""


def candidates(*, eleven_bit: bool = True, twenty_nine_bit: bool = True) -> list[ModuleAddress]:
    """Every address discovery probes: the table's modules first, then the probe ranges.

    A range id that is some known module's response id is skipped: a request there would look
    like that module talking.
    """
    table = _table()
    known = [m.address for m in known_modules()]
    out: list[ModuleAddress] = []
    if eleven_bit:
        out += [a for a in known if not a.extended]
        busy = {a.response_id for a in out} | {a.request_id for a in out} | {0x7DF}
        for rng in table.get("probe_ranges", ()):
            offset = int(rng.get("offset", 8))
            for request in range(int(rng["first"], 16), int(rng["last"], 16) + 1):
                response = request + offset
                # Requests in the lower half of each block (7x0-7x7 -> 7x8-7xF): a response id is never probed as a request.
                in_lower_half = (request - int(rng["first"], 16)) % (2 * offset) < offset
                if not in_lower_half or request in busy or response in busy or response > 0x7FF:
                    continue
                out.append(ModuleAddress(request, response))
    if twenty_nine_bit:
        ext = table.get("extended", {"first": "00", "last": "FF", "tester": "F1"})
        tester = int(ext.get("tester", "F1"), 16)
        out += [ModuleAddress.normal_fixed(t, tester) for t in range(int(ext["first"], 16), int(ext["last"], 16) + 1) if t != tester]
    return list(dict.fromkeys(out))  # in order, each once
