"""The interface registry: every python-can interface, nothing imported until asked for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import MappingProxyType

import can
import pytest

from drivers.can import registry
from drivers.can.registry import (
    INTERFACES,
    InterfaceInfo,
    interface_info,
    load_bus_class,
)
from drivers.errors import AdapterNotFound

REQUIRED = ("socketcan", "pcan", "kvaser", "vector", "slcan", "gs_usb", "virtual", "ixxat", "neovi", "nican",
            "nixnet", "canalystii", "cantact", "seeedstudio", "serial", "systec", "udp_multicast", "usb2can",
            "etas", "robotell")


def test_importing_drivers_can_imports_no_interface_module():
    code = ("import sys, drivers.can, drivers.can.source, drivers.can.discovery\n"
            "print('\\n'.join(m for m in sys.modules if m.startswith('can.interfaces.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout
    assert out.split() == []


def test_registry_is_python_cans_backends_with_labels():
    assert set(INTERFACES) == set(can.interfaces.BACKENDS)
    for name in REQUIRED:
        info = INTERFACES[name]
        assert (info.module, info.class_name) == can.interfaces.BACKENDS[name]
        assert info.label and info.label != name
        assert info.requirement
    assert INTERFACES["pcan"].needs_bitrate and INTERFACES["slcan"].needs_bitrate
    assert not INTERFACES["socketcan"].needs_bitrate and not INTERFACES["virtual"].needs_bitrate


def test_load_bus_class_imports_on_demand():
    assert load_bus_class("virtual") is can.interfaces.virtual.VirtualBus


def test_unknown_interface_is_adapter_not_found():
    with pytest.raises(AdapterNotFound, match="unknown CAN interface 'flux_capacitor'"):
        interface_info("flux_capacitor")


def test_missing_driver_names_what_to_install(monkeypatch):
    fake = InterfaceInfo("acme", "carvrooom_no_such_driver_module", "AcmeBus", "ACME CAN", True, "pip install acme-can")
    monkeypatch.setattr(registry, "INTERFACES", MappingProxyType({**INTERFACES, "acme": fake}))
    with pytest.raises(AdapterNotFound, match="pip install acme-can") as info:
        load_bus_class("acme")
    assert isinstance(info.value.__cause__, ModuleNotFoundError)
