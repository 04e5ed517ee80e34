"""CanSource on python-can's virtual bus, and its failures as our exceptions."""

from __future__ import annotations

import can
import pytest

from drivers.can import CanFilter, CanSource
from drivers.errors import AdapterNotFound, AdapterTimeout, ConnectionLost


def _send_all(source: CanSource, ids: list[int], extended: bool = False) -> None:
    for i in ids:
        source.send(can.Message(arbitration_id=i, data=bytes([i & 0xFF] * 8), is_extended_id=extended))


def test_frames_travel_between_two_sources(virtual_channel):
    with CanSource("virtual", virtual_channel) as tx, CanSource("virtual", virtual_channel) as rx:
        _send_all(tx, [0x100, 0x200, 0x300])
        frames = rx.recv_batch(timeout=1.0)
        assert [f.arbitration_id for f in frames] == [0x100, 0x200, 0x300]
        assert rx.recv_batch(timeout=0.01) == []


def test_filtered_ids_do_not_arrive(virtual_channel):
    filters = [CanFilter(0x7E8, 0x7F8, extended=False), {"can_id": 0x18DAF100, "can_mask": 0x1FFFFF00, "extended": True}]
    with CanSource("virtual", virtual_channel) as tx, CanSource("virtual", virtual_channel, filters=filters) as rx:
        _send_all(tx, [0x100, 0x7E8, 0x7EF, 0x7F0, 0x7DF])
        _send_all(tx, [0x18DAF110, 0x18DB33F1], extended=True)
        frames = []
        while batch := rx.recv_batch(timeout=0.2):
            frames += batch
        assert [(f.arbitration_id, f.is_extended_id) for f in frames] == [(0x7E8, False), (0x7EF, False), (0x18DAF110, True)]


def test_set_filters_on_an_open_source(virtual_channel):
    with CanSource("virtual", virtual_channel) as tx, CanSource("virtual", virtual_channel) as rx:
        rx.set_filters([CanFilter(0x123, 0x7FF)])
        _send_all(tx, [0x122, 0x123])
        assert [f.arbitration_id for f in rx.recv_batch(timeout=0.5)] == [0x123]
        rx.set_filters(None)
        _send_all(tx, [0x122])
        assert [f.arbitration_id for f in rx.recv_batch(timeout=0.5)] == [0x122]


def test_recv_batch_stops_at_max_frames(virtual_channel):
    with CanSource("virtual", virtual_channel) as tx, CanSource("virtual", virtual_channel) as rx:
        _send_all(tx, list(range(1, 11)))
        assert len(rx.recv_batch(timeout=0.5, max_frames=4)) == 4
        assert len(rx.recv_batch(timeout=0.5)) == 6


def test_close_twice_and_after_failed_open(virtual_channel):
    source = CanSource("virtual", virtual_channel).open()
    assert source.is_open
    source.close()
    source.close()
    assert not source.is_open
    broken = CanSource("slcan", "/dev/carvrooom-no-such-port", bitrate=500_000)
    with pytest.raises(AdapterNotFound):
        broken.open()
    broken.close()
    broken.close()


def test_closed_source_refuses_traffic(virtual_channel):
    source = CanSource("virtual", virtual_channel)
    with pytest.raises(ConnectionLost, match="not open"):
        source.recv_batch(0.01)
    with source:
        pass
    with pytest.raises(ConnectionLost):
        source.send(can.Message(arbitration_id=1))


@pytest.mark.parametrize(("interface", "channel"), [
    ("slcan", "/dev/carvrooom-no-such-port"),  # serial port that does not exist
    ("socketcan", "carvrooom-nope0"),  # no such network interface (or no SocketCAN at all)
    ("serial", "/dev/carvrooom-no-such-port"),
])
def test_interface_that_cannot_open_is_adapter_not_found(interface, channel):
    with pytest.raises(AdapterNotFound, match=channel) as info:
        CanSource(interface, channel, bitrate=500_000).open()
    assert info.value.__cause__ is not None


def test_unknown_interface_fails_before_opening():
    with pytest.raises(AdapterNotFound, match="unknown CAN interface"):
        CanSource("no_such_interface", "x")


def test_bus_failing_under_a_working_source_is_connection_lost(virtual_channel):
    with CanSource("virtual", virtual_channel) as source:
        source.bus.shutdown()  # the adapter goes away behind our back
        with pytest.raises(ConnectionLost, match="failed while receiving") as info:
            source.recv_batch(0.05)
        assert isinstance(info.value.__cause__, can.CanError)


class _FlakyBus(can.BusABC):
    """Two frames, then the adapter dies; sends time out."""

    def __init__(self, channel=None, **kwargs):
        super().__init__(channel=channel, **kwargs)
        self.frames = [can.Message(arbitration_id=1), can.Message(arbitration_id=2)]

    def _recv_internal(self, timeout):
        if self.frames:
            return self.frames.pop(0), False
        raise can.CanOperationError("USB device disconnected")

    def send(self, msg, timeout=None):
        raise can.CanTimeoutError("transmit buffer full")


class _FlakySource(CanSource):
    def _create_bus(self) -> can.BusABC:
        return _FlakyBus()


def test_frames_read_before_a_failure_are_kept():
    with _FlakySource("virtual", "flaky") as source:
        assert [f.arbitration_id for f in source.recv_batch(0.1)] == [1, 2]
        with pytest.raises(ConnectionLost, match="USB device disconnected"):
            source.recv_batch(0.1)


def test_send_timeout_is_adapter_timeout():
    with _FlakySource("virtual", "flaky") as source, pytest.raises(AdapterTimeout):
        source.send(can.Message(arbitration_id=0x7DF, data=b"\x02\x01\x00"), timeout=0.01)


def test_bad_filter_is_refused_before_opening():
    with pytest.raises(ValueError, match="can_id"):
        CanSource("virtual", "x", filters=[{"can_id": -1}])
    with pytest.raises(ValueError, match="can_id"):
        CanSource("virtual", "x", filters=[{"mask": 0x7FF}])
