"""Run by test_recording_faults.py: records the simulated car plus wall-clock stamped frames until killed."""

from __future__ import annotations

import json
import sys
import time

import can

from carvrooom_desktop.acquisition.session import LiveSession
from carvrooom_desktop.acquisition.source import SourceSpec
from carvrooom_desktop.events import EventBus
from carvrooom_desktop.storage.store import Store

MARKER_ID = 0x555  # frames the parent looks for: stamped with time.time() by the virtual bus


def main(url: str) -> None:
    store = Store.open(url)
    session = LiveSession(SourceSpec(kind="sim"), events=EventBus(), store=store, poll_interval=0.05)
    session.connect()
    recording_id = session.start_recording("killed mid-recording")
    print(json.dumps({"recording": str(recording_id)}), flush=True)
    bus = can.Bus(interface="virtual", channel=session.controls.channel)
    n = 0
    while True:  # about 2,000 frames/s until SIGKILL
        for _ in range(20):
            bus.send(can.Message(arbitration_id=MARKER_ID, data=n.to_bytes(8, "little"), is_extended_id=False))
            n += 1
        time.sleep(0.01)


if __name__ == "__main__":
    main(sys.argv[1])
