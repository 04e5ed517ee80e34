"""Recording faults at their real boundaries: the process killed with SIGKILL mid-recording, and a disk
(a real, tiny tmpfs) that fills up while recording."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import can
import numpy as np
import pytest
from acquisition_helpers import wait_for

from carvrooom_desktop import events
from carvrooom_desktop.acquisition.recorder import FLUSH_INTERVAL
from carvrooom_desktop.acquisition.session import LiveSession
from carvrooom_desktop.acquisition.source import SourceSpec
from carvrooom_desktop.domain import RecordingState
from carvrooom_desktop.errors import RecordingError
from carvrooom_desktop.events import EventBus
from carvrooom_desktop.storage import recordings as recordings_module
from carvrooom_desktop.storage.recordings import FRAMES
from carvrooom_desktop.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]
MARKER_ID = 0x555


def test_a_recording_killed_with_sigkill_loses_at_most_the_last_second(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'killed.sqlite3'}"
    Store.open(url).close()  # migrated before the child starts
    child = subprocess.Popen([sys.executable, str(Path(__file__).with_name("record_child.py")), url], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        recording_id = uuid.UUID(json.loads(child.stdout.readline())["recording"])
        with Store.open(url) as watcher:
            wait_for(lambda: len(watcher.recordings.chunk_index(recording_id, FRAMES)) >= 4, what="a few committed chunks")
        time.sleep(0.3)  # kill somewhere between two commits
        killed_at = time.time()
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    monkeypatch.setattr(recordings_module, "STALE_AFTER", timedelta(0))  # as if reopened later
    with Store.open(url) as store:
        recording = store.recordings.get(recording_id)
        assert recording.state is RecordingState.INTERRUPTED and recording.ended_at is not None
        frames = store.recordings.load_frames(recording_id)
    assert len(frames) == recording.frame_count > 0
    marker = frames.arbitration_id == MARKER_ID
    counters = frames.data[marker].copy().view("<u8").ravel()
    assert np.array_equal(counters, np.arange(counters[0], counters[0] + len(counters)))  # nothing missing in between
    lost = killed_at - frames.timestamp[marker].max()
    assert lost <= 2 * FLUSH_INTERVAL, f"{lost:.2f} s of data lost"  # one commit period plus one in flight


@pytest.fixture
def tiny_disk(tmp_path):
    mount = tmp_path / "tiny-disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    if result.returncode:
        pytest.skip(f"cannot mount a small tmpfs (needs root): {result.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_stops_recording_with_a_clear_message_and_keeps_what_was_written(tiny_disk):
    store = Store.open(f"sqlite:///{tiny_disk / 'store.sqlite3'}")
    bus_events: list[dict] = []
    event_bus = EventBus()
    event_bus.subscribe(events.RECORDING_CHANGED, lambda _t, payload: bus_events.append(payload))
    session = LiveSession(SourceSpec(kind="sim"), events=event_bus, store=store, poll_interval=0.05)
    stop = threading.Event()
    try:
        session.connect()
        recording_id = session.start_recording("until the disk is full")
        wait_for(lambda: store.recordings.get(recording_id).frame_count > 0, what="a first chunk")
        free = os.statvfs(tiny_disk).f_bavail * os.statvfs(tiny_disk).f_frsize
        (tiny_disk / "ballast").write_bytes(b"\0" * max(0, free - 256 * 1024))  # leave 256 KB

        def flood() -> None:  # incompressible frames on the car's bus, ~4,000/s
            rng = np.random.default_rng(0)
            with can.Bus(interface="virtual", channel=session.controls.channel) as bus:
                while not stop.is_set():
                    for _ in range(40):
                        bus.send(can.Message(arbitration_id=0x6A0, data=rng.bytes(8), is_extended_id=False))
                    time.sleep(0.01)

        threading.Thread(target=flood, daemon=True).start()
        wait_for(lambda: session.recording_error != "", timeout=60, what="the disk filling up")
        message = session.recording_error
        try:
            recording = session.stop_recording()
        except RecordingError as e:  # closing needs a write too: allowed to fail, with a clear reason
            assert "committed data is kept" in str(e)
            recording = None
        polled_after = len(session.window("engine_speed")[0])
        wait_for(lambda: len(session.window("engine_speed")[0]) > polled_after + 2, what="live data after the failure")
    finally:
        stop.set()
        session.close()
    assert "disk is full" in message and "already written are kept" in message and "Free some disk space" in message
    assert any(e["state"] is RecordingState.INTERRUPTED and "disk is full" in e["error"] for e in bus_events)
    if recording is not None:
        assert recording.state is RecordingState.INTERRUPTED
    # everything committed before the failure reads back intact, on the still full disk
    kept = store.recordings.get(recording_id)
    frames = store.recordings.load_frames(recording_id)
    assert len(frames) == kept.frame_count > 0
    assert len(store.recordings.chunk_index(recording_id, FRAMES)) >= 1
    store.close()


def test_only_this_workstations_stale_recordings_become_interrupted(tmp_path, monkeypatch):
    """A recording another workstation is making arrives through sync as "recording"; its writer decides."""
    from carvrooom_desktop.storage.models import RecordingRow

    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    with Store.open(url, origin="bench") as store:
        store.recordings.create(vin="MINE")
        with store.engine.begin() as conn:  # as a pull writes another workstation's row
            conn.execute(RecordingRow.__table__.insert().values(
                id=uuid.uuid4(), vin="THEIRS", origin="front-desk", state=RecordingState.RECORDING.value,
                signal_names=[], signal_units={}))
    monkeypatch.setattr(recordings_module, "STALE_AFTER", timedelta(0))
    with Store.open(url, origin="bench") as store:
        states = {r.vin: r.state for r in store.recordings.list()}
    assert states == {"MINE": RecordingState.INTERRUPTED, "THEIRS": RecordingState.RECORDING}
