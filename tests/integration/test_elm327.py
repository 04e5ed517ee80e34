"""The ELM327 path against real peers: our simulated adapter (pty, TCP), the ELM327-emulator
package (pty, TCP), python-OBD against our adapter, and a scripted adapter that misbehaves."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import tty
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carvrooom_desktop.domain import DtcKind
from drivers.elm327.client import Elm327Client
from drivers.elm327.replies import parse_can_frames, raise_for_words, reassemble, reply_lines
from drivers.errors import AdapterNotFound, AdapterTimeout, CarNotResponding, ConnectionLost, DriverError, ProtocolError
from drivers.simulator.elm_face import SimulatedElm327
from drivers.simulator.faults import parse_fault


@pytest.fixture(params=["pty", "tcp"])
def simulated_elm(request):
    face = SimulatedElm327.on_pty if request.param == "pty" else SimulatedElm327.on_tcp
    with face(faults=[parse_fault("misfire_cyl2")]) as elm:
        yield elm


def test_our_client_on_our_adapter(simulated_elm):
    with Elm327Client(simulated_elm.port) as client:
        assert client.info.protocol == "ISO 15765-4 (CAN 11/500)" and client.info.likely_clone
        assert client.read_vin() == simulated_elm.model.vin
        assert "P0302" in [d.code for d in client.read_dtcs(DtcKind.STORED)]
        assert client.read_status().mil_on
        assert client.read_freeze_frame().dtc_code in ("P0302", "P0300")
        values = client.read_signals(["engine_speed", "vehicle_speed", "coolant_temp", "engine_load", "maf", "battery_voltage", "stft_b1"])
        assert len(values) == 7 and client.pids_per_request == 6
        client.clear_dtcs()
        assert client.read_dtcs(DtcKind.STORED) == []


def test_python_obd_talks_to_our_adapter():
    obd = pytest.importorskip("obd")
    with SimulatedElm327.on_pty(faults=[parse_fault("vacuum_leak")]) as elm:
        connection = obd.OBD(elm.port, fast=False)
        try:
            assert connection.status() == obd.OBDStatus.CAR_CONNECTED
            assert ("P0171", "System Too Lean") in [tuple(d) for d in connection.query(obd.commands.GET_DTC).value]
            assert connection.query(obd.commands.RPM).value is not None
        finally:
            connection.close()


def test_session_over_simulated_elm327(carvrooom_home):
    from carvrooom_desktop.acquisition.session import LiveSession
    from carvrooom_desktop.acquisition.source import SourceSpec
    from carvrooom_desktop.events import EventBus

    session = LiveSession(SourceSpec(kind="sim-elm", faults=("degraded_catalyst",)), events=EventBus())
    try:
        report = session.connect()
        assert "P0420" in report.codes(DtcKind.STORED) and report.adapter.startswith("ELM327")
        assert any("protocol ISO 15765-4" in d for d in report.adapter_details)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(session.window("engine_speed")[0]) < 3:
            time.sleep(0.1)
        assert len(session.window("engine_speed")[0]) >= 3
    finally:
        session.close()


# -- the ELM327-emulator package (test peer only, CC-BY-NC-SA, never shipped) -------------

ELM = shutil.which("elm") or str(Path(sys.executable).with_name("elm"))


@pytest.fixture
def emulator(tmp_path):
    if not Path(ELM).exists():
        pytest.skip("ELM327-emulator not installed")
    out = tmp_path / "elm.out"
    proc = subprocess.Popen([ELM, "-s", "car", "-b", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=tmp_path)  # it writes elm.log into its working directory
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not (out.exists() and out.read_text().strip()):
            time.sleep(0.1)
        yield out.read_text().splitlines()[0].strip()
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_our_client_on_elm327_emulator(emulator):
    with Elm327Client(emulator) as client:
        assert client.read_vin() == "WP0ZZZ99ZTS390000"
        assert client.read_dtcs(DtcKind.STORED) == []
        pids = [0x0C, 0x0D, 0x05, 0x04, 0x11, 0x0B]
        client.supported_pids()
        assert len(client.read_pids(pids)) == 6  # its garbled 6-PID replies make us fall back to smaller requests


def test_our_client_on_elm327_emulator_over_tcp(tmp_path):
    if not Path(ELM).exists():
        pytest.skip("ELM327-emulator not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([ELM, "-s", "car", "-n", str(port), "-b", os.devnull], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=tmp_path)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        with Elm327Client(f"socket://127.0.0.1:{port}") as client:
            assert client.read_vin() == "WP0ZZZ99ZTS390000"
    finally:
        proc.terminate()
        proc.wait(timeout=5)


# -- an adapter that misbehaves -----------------------------------------------------------


class ScriptedAdapter:
    """A pty that answers commands from a table; unknown commands get "?", None means never answer."""

    GOOD = {"ATWS": "ATWS\r\r\rELM327 v2.1\r\r>", "ATE0": "ATE0\rOK\r\r>", "ATL0": "OK\r\r>", "ATS0": "OK\r\r>", "ATH1": "OK\r\r>",
            "ATCAF1": "OK\r\r>", "ATAT2": "OK\r\r>", "ATSP0": "OK\r\r>", "0100": "SEARCHING...\r7E8064100BE3FA813\r\r>",
            "ATDPN": "A6\r\r>", "AT@1": "?\r\r>", "ATRV": "12.4V\r\r>", "": "?\r\r>"}

    def __init__(self, answers: dict[str, str | None]) -> None:
        self.answers = {**self.GOOD, **answers}
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.slave = slave
        self.port = os.ttyname(slave)
        self.alive = True
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        buffer = b""
        while self.alive:
            try:
                buffer += os.read(self.master, 1024)
            except OSError:
                return
            while b"\r" in buffer:
                line, buffer = buffer.split(b"\r", 1)
                reply = self.answers.get(line.decode(errors="replace").strip(), "?\r\r>")
                if reply is not None:
                    try:
                        os.write(self.master, reply.encode("latin-1"))
                    except OSError:
                        return  # unplugged

    def unplug(self) -> None:
        self.alive = False
        os.close(self.master)
        os.close(self.slave)


@pytest.mark.parametrize(("reply", "error", "words"), [
    ("NO DATA\r\r>", AdapterTimeout, "did not answer"),
    ("CAN ERROR\r\r>", CarNotResponding, "cannot reach the car"),
    ("BUS INIT: ...ERROR\r\r>", CarNotResponding, "cannot reach the car"),
    ("STOPPED\r\r>", ProtocolError, "STOPPED"),
    ("7E8 10 14 49 02\r\r>", ProtocolError, "cut short|first frame"),
    ("\x00\xff garbage \x13\r\r>", ProtocolError, "unexpected reply"),
    (None, AdapterTimeout, "did not finish answering"),
])
def test_bad_replies_are_clear_errors(reply, error, words):
    adapter = ScriptedAdapter({"0902": reply})
    client = Elm327Client(adapter.port, baudrate=38400, timeout=0.3)
    try:
        info = client.open()
        assert info.firmware == "ELM327 v2.1" and info.likely_clone
        with pytest.raises(error, match=words):
            client.read_vin()
    finally:
        client.close()
        adapter.unplug()


def test_a_vanished_port_is_connection_lost():
    adapter = ScriptedAdapter({})
    client = Elm327Client(adapter.port, baudrate=38400, timeout=0.3)
    try:
        client.open()
        adapter.unplug()
        with pytest.raises((ConnectionLost, AdapterTimeout)):
            client.read_vin()
    finally:
        client.close()


def test_no_adapter_and_a_non_elm_device():
    with pytest.raises(AdapterNotFound, match="cannot open"):
        Elm327Client("/dev/does-not-exist").open()
    adapter = ScriptedAdapter({"ATWS": "hello\r>", "ATZ": "hello\r>"})
    try:
        with pytest.raises(AdapterNotFound, match="not an ELM327"):
            Elm327Client(adapter.port, baudrate=38400, timeout=0.3).open()
    finally:
        adapter.unplug()


ELM_FUZZ_EXAMPLES = 2000


@settings(max_examples=ELM_FUZZ_EXAMPLES, deadline=None)
@given(st.text(alphabet="0123456789ABCDEF \r\n>:?.NODATSRP", max_size=120), st.booleans())
def test_fuzz_elm_reply_parsing_raises_only_driver_errors(text, extended):
    lines = reply_lines(text)
    try:
        raise_for_words(lines)
        reassemble(parse_can_frames(lines, extended=extended))
    except DriverError:
        pass


def test_probe_finds_the_simulated_adapter_on_its_pty():
    from drivers.elm327.ports import list_serial_ports, probe_elm327

    with SimulatedElm327.on_pty() as elm:
        assert probe_elm327(elm.port) == "ELM327 v1.5"
    assert probe_elm327("/dev/does-not-exist") is None
    assert isinstance(list_serial_ports(), list)


def test_python_obd_fallback_client_with_its_defects_worked_around():
    """The legacy-protocol path: python-OBD as transport, our decoding (full VIN), clean reconnects, typed errors."""
    from drivers.elm327.python_obd import PythonObdClient

    with SimulatedElm327.on_pty(faults=[parse_fault("vacuum_leak")]) as elm:
        client = PythonObdClient(elm.port)
        try:
            assert client.open().startswith("ISO 15765-4")
            assert client.read_vin() == "2HGFA16509H531807"  # python-OBD's own decoder gives "HGFA16509H531807"
            assert [d.code for d in client.read_dtcs(DtcKind.STORED)] == ["P0171"]
            client.close()
            client.open()  # python-OBD alone fails here with "ATE0 did not return OK" after its close()
            elm.set_ignition(False)
            with pytest.raises(AdapterTimeout):
                client.read_vin()  # python-OBD alone returns an empty response
        finally:
            client.close()
