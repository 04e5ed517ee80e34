"""The workshop's sites as the owner's report prints them (name, address, phone, e-mail).

The seeded demo fleet is served by these three; a real workshop's details come from the
settings file's ``workshop`` entries later (until then the report's CLI options override them).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WorkshopSite:
    key: str
    name: str
    address: str
    phone: str
    email: str


SITES: tuple[WorkshopSite, ...] = (
    WorkshopSite("north", "CarVrooom North", "12 Ring Road, Northtown NT1 4AB", "+44 20 7946 0101", "north@carvrooom.example"),
    WorkshopSite("harbour", "CarVrooom Harbour", "3 Quay Street, Porthaven PH2 9QS", "+44 20 7946 0202", "harbour@carvrooom.example"),
    WorkshopSite("airport", "CarVrooom Airport", "Unit 7, Runway Park, Skyfield SK5 1AP", "+44 20 7946 0303", "airport@carvrooom.example"),
)
BY_KEY = {s.key: s for s in SITES}


def site(key: str) -> WorkshopSite:
    """The site's details; an unknown key still prints (its name, no address)."""
    return BY_KEY.get(key) or WorkshopSite(key, key or "Workshop", "", "", "")


__all__ = ["SITES", "WorkshopSite", "site"]
