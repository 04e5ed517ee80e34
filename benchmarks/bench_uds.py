"""Whole-car UDS scan of the simulated car's 8 modules over python-can's virtual bus (issue 18: target <= 3 s).

Prints the medians of several runs: the whole scan (discovery of 370 candidate addresses plus every
module's session, six identification DIDs, codes by status mask, snapshot and two extended data
records per code), and per module its time and number of requests. The baseline is the same reads
done with our own minimal ISO-TP (``drivers.obd.isotp``, raw frames, no udsoncan), measured in the
same run: what the well-kept libraries cost against the least a tester can do.

The ELM327 path (raw headers, ATSH/ATCRA) is measured on the simulated car's ELM327 face on a
pseudo-terminal: no baud rate and no ECU delay, so it shows the software's share only (target 10 s).

    python -m benchmarks.bench_uds [--repeats 5]
"""

from __future__ import annotations

import argparse
import queue
import statistics
import time
import uuid
from collections.abc import Sequence

import can

from drivers.obd import isotp
from drivers.simulator.module_faults import parse_module_fault
from drivers.simulator.uds_bus import ModuleBus
from drivers.simulator.uds_car import SimulatedModules
from drivers.uds.addressing import ModuleAddress
from drivers.uds.module_scan import IDENTIFICATION, scan_car

VIN = "2HGFA16509H531807"
FAULTS = ("abs_wheel_speed_open", "airbag_squib_resistance_high", "lost_communication_abs")  # 4 codes in 3 modules


def _raw_request(bus: can.BusABC, inbox: queue.SimpleQueue[can.Message], address: ModuleAddress, payload: bytes, timeout: float = 0.3) -> bytes:
    """One request with our minimal ISO-TP: single frame out, reassemble the reply (flow control on a first frame)."""
    bus.send(can.Message(arbitration_id=address.request_id, data=isotp.segment(payload)[0], is_extended_id=address.extended))
    receiver = isotp.IsoTpReceiver()
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            msg = inbox.get(timeout=remaining)
        except queue.Empty:
            break
        if msg.arbitration_id != address.response_id:
            continue
        reply = receiver.feed(bytes(msg.data))
        if reply is None:
            if receiver.needs_flow_control:
                bus.send(can.Message(arbitration_id=address.request_id, data=isotp.flow_control(), is_extended_id=address.extended))
            continue
        return reply
    raise TimeoutError(f"{address.label}: no reply to {payload.hex()}")


def _baseline_scan(bus: can.BusABC, addresses: Sequence[ModuleAddress]) -> int:
    """The same requests as the module scan, on raw frames; returns the number of requests."""
    inbox: queue.SimpleQueue[can.Message] = queue.SimpleQueue()
    notifier = can.Notifier(bus, [inbox.put], timeout=0.05)
    requests = 0
    try:
        for address in addresses:
            for payload in [b"\x10\x03", *(b"\x22" + did.to_bytes(2, "big") for did, _k, _l in IDENTIFICATION), b"\x19\x02\xff"]:
                reply = _raw_request(bus, inbox, address, payload)
                requests += 1
            codes = reply[3:]
            for i in range(0, len(codes) - 3, 4):
                number = codes[i : i + 3]
                for payload in (b"\x19\x04" + number + b"\xff", b"\x19\x06" + number + b"\x01", b"\x19\x06" + number + b"\x02"):
                    _raw_request(bus, inbox, address, payload)
                    requests += 1
            _raw_request(bus, inbox, address, b"\x10\x01")
            requests += 1
    finally:
        notifier.stop()
    return requests


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    channel = f"bench-uds-{uuid.uuid4().hex[:8]}"
    modules = SimulatedModules(VIN)
    for fault in FAULTS:
        modules.inject(parse_module_fault(fault))
    totals, discoveries, baseline = [], [], []
    per_module: dict[str, list[float]] = {}
    requests: dict[str, int] = {}
    with ModuleBus(modules, channel=channel):
        bus = can.Bus(interface="virtual", channel=channel, receive_own_messages=False)
        try:
            for _ in range(args.repeats):
                scan = scan_car(bus)
                totals.append(scan.elapsed_s)
                discoveries.append(scan.discovery_s)
                for m in scan.modules:
                    per_module.setdefault(m.label, []).append(m.elapsed_s)
                    requests[m.label] = m.requests
                assert len(scan.modules) == 8, [m.label for m in scan.modules]
                started = time.perf_counter()
                baseline_requests = _baseline_scan(bus, [m.address for m in scan.modules])
                baseline.append(time.perf_counter() - started)
        finally:
            bus.shutdown()
    total, base = statistics.median(totals), statistics.median(baseline)
    print(f"\nUDS whole-car scan, 8 simulated modules on virtual CAN (median of {args.repeats}; target <= 3 s)")
    print(f"  whole scan (udsoncan + can-isotp)         {total:8.3f} s   {'OK' if total <= 3.0 else 'OVER TARGET'}")
    print(f"    of which discovery (370 addresses)     {statistics.median(discoveries):8.3f} s")
    print(f"  same reads, minimal ISO-TP (baseline)     {base:8.3f} s   ({baseline_requests} requests, no discovery)")
    print(f"  ratio                                     {total / base:8.2f}x baseline")
    print(f"  {'module':<22} {'median s':>9} {'requests':>9}")
    for label, times in per_module.items():
        print(f"  {label:<22} {statistics.median(times):9.3f} {requests[label]:>9}")
    print(f"  requests in all: {sum(requests.values())}")
    _elm(args.repeats)


def _elm(repeats: int) -> None:
    import os

    if not hasattr(os, "openpty"):
        print("  ELM327 path: skipped (the simulated ELM327 needs a pseudo-terminal)")
        return
    from drivers.simulator.elm_face import SimulatedElm327
    from drivers.uds.elm_client import UdsElm327, scan_car_elm

    for delay in (0.0, 0.03):  # 30 ms: a request's round trip through a real adapter and ECU
        times: list[float] = []
        with SimulatedElm327.on_pty(module_faults=[parse_module_fault(f) for f in FAULTS], ecu_delay=delay) as car:
            elm = UdsElm327(car.port)
            elm.open()
            try:
                for _ in range(repeats if delay == 0.0 else 1):
                    scan = scan_car_elm(elm)
                    assert len(scan.modules) == 8
                    times.append(scan.elapsed_s)
            finally:
                elm.close()
        total = statistics.median(times)
        requests = sum(m.requests for m in scan.modules) + scan.probed
        print(f"  ELM327 path, pty, {delay * 1000:2.0f} ms per request     {total:8.3f} s   {'OK' if total <= 10.0 else 'OVER TARGET'} "
              f"(target 10 s; {requests} requests incl. {scan.probed} probes, + 2 AT commands per address)")


if __name__ == "__main__":
    main()
