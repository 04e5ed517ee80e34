"""Which parts of the fleet view each role sees first (one decision, one place: the UI and the CLI ask here).

A fleet manager looks after the cars and their cost; a service manager after the workshop's
capacity and work that comes back; a technician after what is wrong with the cars today.
Nothing is hidden from anyone (permissions are the admin issue's); the order and the default
sections differ.
"""

from __future__ import annotations

from carvrooom_desktop.domain.roles import Role

SECTIONS = ("kpis", "vehicles", "due", "dtc_frequency", "comebacks", "bays", "technicians", "warranty_cost", "telematics")

ROLE_SECTIONS: dict[Role, tuple[str, ...]] = {
    Role.FLEET_MANAGER: ("kpis", "vehicles", "due", "warranty_cost", "dtc_frequency", "comebacks", "telematics"),
    Role.SERVICE_MANAGER: ("kpis", "due", "bays", "technicians", "comebacks", "vehicles", "dtc_frequency"),
    Role.TECHNICIAN: ("vehicles", "dtc_frequency", "comebacks", "due", "telematics"),
    Role.WARRANTY_CLERK: ("warranty_cost", "comebacks", "vehicles", "dtc_frequency"),
    Role.ADMIN: SECTIONS,
}


def sections_for(role: Role | str) -> tuple[str, ...]:
    """The sections of the fleet view for ``role``, most important first (an unknown role sees everything)."""
    try:
        return ROLE_SECTIONS[Role(role)]
    except ValueError:
        return SECTIONS


__all__ = ["ROLE_SECTIONS", "SECTIONS", "sections_for"]
