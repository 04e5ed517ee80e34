"""Discovery: a time limit, never an exception, virtual always there."""

from __future__ import annotations

import logging
import time

import can
import pytest

from drivers.can import (
    INTERFACES,
    CanSource,
    InterfaceConfig,
    discover,
    discover_interfaces,
)

# socketcand's probe listens on UDP port 42000 for 3.1 s: left out of the broad test to keep the run short.
EVERYTHING_BUT_SOCKETCAND = [name for name in INTERFACES if name != "socketcand"]


def test_discovery_of_every_interface_never_raises():
    started = time.monotonic()
    result = discover(EVERYTHING_BUT_SOCKETCAND, timeout=2.0)
    assert time.monotonic() - started < 3.0
    assert all(isinstance(c, InterfaceConfig) for c in result.configs)
    assert any(c.interface == "virtual" for c in result.configs)
    assert set(result.skipped) <= set(EVERYTHING_BUT_SOCKETCAND)


def test_virtual_is_always_listed_and_opens():
    configs = discover_interfaces([], timeout=0.5)
    [virtual] = [c for c in configs if c.interface == "virtual"]
    assert virtual.label.startswith("Virtual bus")
    with CanSource(virtual.interface, virtual.channel, **virtual.extra) as source:
        assert source.is_open


def test_virtual_discovery_lists_channels_in_use(virtual_channel):
    with CanSource("virtual", virtual_channel):
        configs = discover_interfaces(["virtual"], timeout=2.0)
    assert virtual_channel in {c.channel for c in configs}
    assert f"virtual:{virtual_channel}" in {c.spec for c in configs}


def test_failing_and_hanging_probes_are_skipped_with_a_reason(monkeypatch, caplog):
    real = can.detect_available_configs

    def probe(interfaces=None, timeout=5.0):
        name = next(iter(interfaces))
        if name == "udp_multicast":
            raise RuntimeError("driver exploded")
        if name == "serial":
            time.sleep(2.0)
        return real(interfaces=interfaces, timeout=timeout)

    monkeypatch.setattr(can, "detect_available_configs", probe)
    caplog.set_level(logging.DEBUG, logger="drivers.can.discovery")
    started = time.monotonic()
    result = discover(["virtual", "udp_multicast", "serial", "no_such_interface"], timeout=0.5)
    assert time.monotonic() - started < 1.5
    assert result.skipped["serial"] == "no answer within 0.5 s"
    assert result.skipped["no_such_interface"] == "unknown interface"
    assert "udp_multicast" in result.skipped  # msgpack missing, or the exploding probe
    assert "udp_multicast" in caplog.text
    assert any(c.interface == "virtual" for c in result.configs)


@pytest.mark.parametrize("exc", [RuntimeError("boom"), OSError(19, "No such device"), ValueError("bad")])
def test_probe_exception_types_never_escape(monkeypatch, exc):
    def probe(interfaces=None, timeout=5.0):
        raise exc

    monkeypatch.setattr(can, "detect_available_configs", probe)
    result = discover(["virtual"], timeout=0.5)
    assert "probe failed" in result.skipped["virtual"]
    assert [c.interface for c in result.configs] == ["virtual"]
