"""Live PIDs per second over an ELM327, ours vs python-OBD, on the same simulated adapter.

The simulated ELM327 sits on a pseudo-terminal with a 30 ms ECU response delay per
request (a real car answers in 20-50 ms). Both poll the same 6 PIDs. Also: time from
"connect" to VIN and stored DTCs read. Targets: >= 4x python-OBD's PIDs/s; <= 1.5 s to VIN+DTCs.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from carvrooom_desktop.domain import DtcKind
from drivers.elm327.client import Elm327Client
from drivers.simulator.elm_face import SimulatedElm327

ECU_DELAY = 0.030
PIDS = [0x0C, 0x0D, 0x05, 0x04, 0x11, 0x0B]  # rpm, speed, coolant, load, throttle, MAP
SECONDS = 3.0
REPEATS = 3


def ours() -> tuple[float, float]:
    with SimulatedElm327.on_pty(ecu_delay=ECU_DELAY) as elm:
        started = time.perf_counter()
        client = Elm327Client(elm.port)
        client.open()
        client.read_vin()
        client.read_dtcs(DtcKind.STORED)
        connect = time.perf_counter() - started
        client.supported_pids()
        rate = client.measure_pids_per_second(PIDS, SECONDS)
        client.close()
    return rate, connect


def python_obd() -> tuple[float, float]:
    import obd

    obd.logger.setLevel(logging.CRITICAL)
    commands = [obd.commands[1][pid] for pid in PIDS]
    with SimulatedElm327.on_pty(ecu_delay=ECU_DELAY) as elm:
        started = time.perf_counter()
        connection = obd.OBD(elm.port, fast=True)
        connection.query(obd.commands.VIN)
        connection.query(obd.commands.GET_DTC)
        connect = time.perf_counter() - started
        done, began = 0, time.perf_counter()
        while time.perf_counter() - began < SECONDS:
            for command in commands:
                if not connection.query(command).is_null():
                    done += 1
        rate = done / (time.perf_counter() - began)
        connection.close()
    return rate, connect


@contextlib.contextmanager
def elm327_emulator() -> Iterator[str | None]:
    """The ELM327-emulator package (a test dependency) on a pty, scenario "car"; None when not installed."""
    elm = shutil.which("elm") or str(Path(sys.executable).with_name("elm"))
    if not Path(elm).exists():
        yield None
        return
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "elm.out"
        proc = subprocess.Popen([elm, "-s", "car", "-b", str(out)], cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and not (out.exists() and out.read_text().strip()):
                time.sleep(0.05)
            time.sleep(0.3)  # let it finish starting before the first command
            yield out.read_text().splitlines()[0].strip()
        finally:
            proc.terminate()
            proc.wait(timeout=5)


def connect_on_emulator(use_python_obd: bool) -> float | None:
    """Seconds from "connect" to VIN and stored DTCs read, on a fresh ELM327-emulator."""
    with elm327_emulator() as port:
        if port is None:
            return None
        started = time.perf_counter()
        if use_python_obd:
            import obd

            obd.logger.setLevel(logging.CRITICAL)
            connection = obd.OBD(port, fast=False)
            connection.query(obd.commands.VIN)
            connection.query(obd.commands.GET_DTC)
            elapsed = time.perf_counter() - started
            connection.close()
            return elapsed
        with Elm327Client(port) as client:
            client.read_vin()
            client.read_dtcs(DtcKind.STORED)
            return time.perf_counter() - started


PYTHON_OBD_SCAN = ("VIN", "GET_DTC", "GET_CURRENT_DTC", "STATUS", "FREEZE_DTC", "CALIBRATION_ID", "CVN", "MIDS_A", "ELM_VOLTAGE")


def scan_on_emulator(use_python_obd: bool) -> tuple[float, int] | None:
    """Seconds from "connect" to a full scan (VIN, every code memory, readiness, freeze frame, mode 06,
    CAL ID/CVN, undecoded PIDs) on a fresh ELM327-emulator ``car``, and how many items were not read.

    python-OBD's nearest equivalent: connect, then one query per scan item it has a command for.
    """
    from carvrooom_desktop.acquisition.scan import scan_vehicle

    with elm327_emulator() as port:
        if port is None:
            return None
        started = time.perf_counter()
        if use_python_obd:
            import obd

            obd.logger.setLevel(logging.CRITICAL)
            connection = obd.OBD(port, fast=False)
            missing = sum(1 for name in PYTHON_OBD_SCAN if connection.query(obd.commands[name]).is_null())
            elapsed = time.perf_counter() - started
            connection.close()
            return elapsed, missing
        with Elm327Client(port) as client:
            report = scan_vehicle(client, "bench")
            return time.perf_counter() - started, len(report.not_read)


def main() -> dict[str, float]:
    our_runs = [ours() for _ in range(REPEATS)]
    base_runs = [python_obd() for _ in range(REPEATS)]
    our_rate, our_connect = statistics.median(r for r, _ in our_runs), statistics.median(c for _, c in our_runs)
    base_rate, base_connect = statistics.median(r for r, _ in base_runs), statistics.median(c for _, c in base_runs)
    print(f"\nELM327 live polling, 6 PIDs, ECU delay {ECU_DELAY * 1000:.0f} ms per request (median of {REPEATS} x {SECONDS:.0f} s)")
    print(f"  CarVrooom Elm327Client    {our_rate:8.1f} PIDs/s   {our_rate / base_rate:6.2f}x python-OBD   (target >= 4x)")
    print(f"  python-OBD 0.7.3          {base_rate:8.1f} PIDs/s   {1.0:6.2f}x")
    print("Connect to VIN + stored DTCs read")
    print(f"  CarVrooom Elm327Client    {our_connect:8.3f} s        {base_connect / our_connect:6.2f}x faster   (target <= 1.5 s)")
    print(f"  python-OBD 0.7.3          {base_connect:8.3f} s")
    ours_emu = [t for t in (connect_on_emulator(False) for _ in range(REPEATS)) if t is not None]
    base_emu = [t for t in (connect_on_emulator(True) for _ in range(REPEATS)) if t is not None]
    if ours_emu and base_emu:
        mine, theirs = statistics.median(ours_emu), statistics.median(base_emu)
        print("Connect to VIN + stored DTCs read on the ELM327-emulator package (scenario car)")
        print(f"  CarVrooom Elm327Client    {mine:8.3f} s        {theirs / mine:6.2f}x faster   (target <= 1.5 s)")
        print(f"  python-OBD 0.7.3          {theirs:8.3f} s")
    ours_scan = [r for r in (scan_on_emulator(False) for _ in range(REPEATS)) if r is not None]
    base_scan = [r for r in (scan_on_emulator(True) for _ in range(REPEATS)) if r is not None]
    if ours_scan and base_scan:
        mine, theirs = statistics.median(t for t, _ in ours_scan), statistics.median(t for t, _ in base_scan)
        print("Connect + full scan on the ELM327-emulator package (scenario car)")
        print(f"  CarVrooom scan_vehicle    {mine:8.3f} s        {theirs / mine:6.2f}x faster   (target <= 2 s)"
              f"   {ours_scan[0][1]} items not read, each named")
        print(f"  python-OBD 0.7.3          {theirs:8.3f} s                             {base_scan[0][1]} of {len(PYTHON_OBD_SCAN)}"
              " queries empty (no reason given)")
    return {"ours_pids_s": our_rate, "python_obd_pids_s": base_rate, "ours_connect_s": our_connect, "python_obd_connect_s": base_connect}


if __name__ == "__main__":
    main()
