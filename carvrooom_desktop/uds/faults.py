"""The simulated car's module faults as a menu shows them (the GUI may not import the simulator itself)."""

from __future__ import annotations

# The module a fault that needs one is shown with in a menu (the CLI takes any: busy:ABS).
MENU_MODULES = {"busy": "HVAC", "broken_isotp": "SRS", "odd_dids": "IPC"}


def simulated_module_faults() -> list[tuple[str, str]]:
    """``(fault text, description)`` for each module fault of the simulated car, e.g. ("busy:HVAC", "...")."""
    from drivers.simulator.module_faults import MODULE_FAULTS

    out = []
    for name, spec in MODULE_FAULTS.items():
        module = spec.module or MENU_MODULES.get(name, "ABS")
        text = name if spec.module else f"{name}:{module}"
        out.append((text, f"{module}: {spec.description}"))
    return out
