"""OBD over CAN through python-can's slcan interface to the ELM327-emulator in its SLCAN mode.

Two pseudo-terminals joined back to back (a null-modem cable in software): the
emulator opens one end as its "CANable", python-can opens the other.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
import time
import tty
from pathlib import Path

import can
import pytest

from carvrooom_desktop.domain import DtcKind
from drivers.obd.can_client import DiagnosticListener, ObdCanClient

ELM = Path(sys.executable).with_name("elm")


class NullModem:
    def __init__(self) -> None:
        self.a_master, a_slave = os.openpty()
        self.b_master, b_slave = os.openpty()
        for fd in (a_slave, b_slave):
            tty.setraw(fd)
        self.slaves = (a_slave, b_slave)
        self.a, self.b = os.ttyname(a_slave), os.ttyname(b_slave)
        self.running = True
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        peers = {self.a_master: self.b_master, self.b_master: self.a_master}
        while self.running:
            ready, _, _ = select.select(list(peers), [], [], 0.1)
            for fd in ready:
                try:
                    os.write(peers[fd], os.read(fd, 4096))
                except OSError:
                    return

    def close(self) -> None:
        self.running = False
        time.sleep(0.15)
        for fd in (self.a_master, self.b_master, *self.slaves):
            os.close(fd)


@pytest.fixture
def slcan_emulator(tmp_path):
    if not ELM.exists():
        pytest.skip("ELM327-emulator not installed")
    cable = NullModem()
    proc = subprocess.Popen([str(ELM), "-s", "car", "-c", cable.a, "-b", os.devnull], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=tmp_path)  # it writes elm.log into its working directory
    time.sleep(1.5)  # the emulator opens its end and loads the scenario
    try:
        yield cable.b
    finally:
        proc.terminate()
        proc.wait(timeout=5)
        cable.close()


def test_obd_over_slcan_to_the_emulator(slcan_emulator):
    bus = can.Bus(interface="slcan", channel=slcan_emulator, bitrate=500_000, tty_baudrate=115200)
    listener = DiagnosticListener()
    notifier = can.Notifier(bus, [listener], timeout=0.05)
    try:
        client = ObdCanClient(bus, listener, timeout=1.0)
        assert client.read_vin() == "WP0ZZZ99ZTS390000"
        assert 0x0C in client.supported_pids()
        assert client.read_dtcs(DtcKind.STORED) == []
        assert 0 <= client.read_signals(["engine_speed"])["engine_speed"] < 8000
    finally:
        notifier.stop()
        bus.shutdown()
