"""A scan never gives up: an adapter on a real pseudo-terminal answers VIN, the PID 00 bitmap and
the trouble-code modes properly, and every other request (odometer, readiness, freeze frame,
mode 06, CAL ID/CVN, undecoded PIDs, further bitmaps) with garbage that hypothesis draws:
random hex, error words, half frames, wrong ECUs, wrong mode bytes, silence. VIN and codes come
back every time, and every failed item is named with a reason."""

from __future__ import annotations

import os
import threading
import tty

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carvrooom_desktop.acquisition.scan import scan_vehicle
from drivers.elm327.client import Elm327Client

VIN = "WVWZZZ1JZXW000001"
VIN_REPLY = "7E81014490201575657\r7E8215A5A5A314A5A58\r7E82257303030303031\r\r>"  # ISO-TP: 49 02 01 + 17 characters
CODES = {"03": "7E806430202010300\r\r>", "07": "7E8024700\r\r>", "0A": "7E8024A00\r\r>"}  # P0201 P0300 stored
SETUP = {"ATWS": "ATWS\r\r\rELM327 v2.1\r\r>", "ATE0": "ATE0\rOK\r\r>", "ATL0": "OK\r\r>", "ATS0": "OK\r\r>",
         "ATH1": "OK\r\r>", "ATCAF1": "OK\r\r>", "ATAT2": "OK\r\r>", "ATTPA6": "OK\r\r>", "ATDPN": "A6\r\r>",
         "AT@1": "OBDII to RS232 Interpreter\r\r>", "ATRV": "12.6V\r\r>"}
SILENCE = None

GARBAGE = st.one_of(
    st.text(alphabet="0123456789ABCDEF \r", min_size=0, max_size=40).map(lambda t: t + "\r\r>"),
    st.sampled_from(["NO DATA\r\r>", "?\r\r>", "CAN ERROR\r\r>", "STOPPED\r\r>", "BUFFER FULL\r\r>", "7E8037F0112\r\r>",
                     "7E8 10 14 49 02\r\r>", "7EA0661A60000EA5C\r\r>", "7E90441A60000\r\r>", ">", "\x00\xff\r>"]),
    st.binary(max_size=30).map(lambda b: b.decode("latin-1") + ">"),
    st.just(SILENCE),
    st.sampled_from(["NO DATA\r\r>", "7E8064101000000\r\r>"]).map(lambda t: ("late", t)),  # after the client gave up
)


class GarbageAdapter:
    """A pty ELM327: good answers for the core, drawn garbage (cycled) for every optional request."""

    def __init__(self, bitmap: str, garbage: list) -> None:
        self.good = {**SETUP, **CODES, "0100": f"7E8064100{bitmap}\r\r>", "0902": VIN_REPLY}
        self.garbage = garbage
        self.asked: list[str] = []
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.port = os.ttyname(self.slave)
        self.alive = True
        threading.Thread(target=self._serve, daemon=True).start()

    def _answer(self, command: str):
        if command in self.good:
            return self.good[command]
        if command.startswith("AT") or command == "":
            return "?\r\r>"
        self.asked.append(command)
        return self.garbage[len(self.asked) % len(self.garbage)]

    def _serve(self) -> None:
        buffer = b""
        while self.alive:
            try:
                buffer += os.read(self.master, 1024)
            except OSError:
                return
            while b"\r" in buffer:
                line, buffer = buffer.split(b"\r", 1)
                reply = self._answer(line.decode(errors="replace").strip().upper())
                if isinstance(reply, tuple):  # ("late", text): a slow ECU answers after the adapter's timeout
                    threading.Timer(0.3, self._write, (reply[1],)).start()
                    continue
                if reply is not None:
                    try:
                        os.write(self.master, reply.encode("latin-1"))
                    except OSError:
                        return

    def _write(self, text: str) -> None:
        if self.alive:
            try:
                os.write(self.master, text.encode("latin-1"))
            except OSError:
                pass

    def close(self) -> None:
        self.alive = False
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


BITMAPS = st.sampled_from(["BE3FA813", "FFFFFFFF", "80000001", "00000000", "983B8011"])  # 01 advertised or not, more bitmaps


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bitmap=BITMAPS, garbage=st.lists(GARBAGE, min_size=1, max_size=8))
def test_vin_and_codes_survive_any_garbage(bitmap, garbage):
    adapter = GarbageAdapter(bitmap, garbage)
    client = Elm327Client(adapter.port, baudrate=38400, timeout=0.15)
    try:
        client.open()
        report = scan_vehicle(client, "garbage adapter")
    finally:
        client.close()
        adapter.close()
    assert report.vehicle.vin == VIN
    assert [d.code for d in report.dtcs] == ["P0201", "P0300"]
    assert all(n.reason for n in report.not_read)
    # Nothing optional that failed is silently missing: each is either read or named.
    named = {n.item for n in report.not_read}
    if report.readiness is None:
        assert "readiness and MIL (PID 01)" in named
    assert not any(item.endswith(("(mode 03)", "(mode 07)", "(mode 0A)")) for item in named)


def test_a_pull_of_the_cable_is_not_an_optional_failure():
    """ConnectionLost is not swallowed as 'not read': the adapter is gone, the scan says so."""
    from drivers.errors import ConnectionLost

    adapter = GarbageAdapter("BE3FA813", ["NO DATA\r\r>"])
    client = Elm327Client(adapter.port, baudrate=38400, timeout=0.15)
    try:
        client.open()
        client.supported_pids()
        client.serial.close()  # the port goes away under the client
        with pytest.raises(ConnectionLost):
            scan_vehicle(client, "unplugged")
    finally:
        client.close()
        adapter.close()
