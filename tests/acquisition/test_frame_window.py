"""The raw-frame window the CAN trace reads, and transmitting through the session's bus handle."""

from __future__ import annotations

import can
import numpy as np

from carvrooom_desktop.acquisition.frame_window import FrameWindow
from carvrooom_desktop.acquisition.session import LiveSession
from carvrooom_desktop.acquisition.source import SourceSpec
from carvrooom_desktop.domain import FrameArrays
from carvrooom_desktop.domain.frames import RX
from carvrooom_desktop.events import EventBus
from tests.acquisition.acquisition_helpers import wait_for


def _frames(first: int, n: int) -> FrameArrays:
    ids = np.arange(first, first + n, dtype=np.uint32)
    return FrameArrays(ids.astype(float), ids, np.zeros(n, np.uint8), np.full(n, 8, np.uint8), np.zeros((n, 8), np.uint8))


def test_a_reader_gets_every_frame_once_in_order():
    window = FrameWindow(capacity=1000)
    cursor, seen = 0, []
    for k in range(10):
        window.add(_frames(k * 7, 7))
        if k % 3 == 0:
            frames, cursor, missed = window.since(cursor)
            assert missed == 0
            seen.extend(frames.arbitration_id.tolist())
    frames, cursor, _ = window.since(cursor)
    seen.extend(frames.arbitration_id.tolist())
    assert seen == list(range(70)) and cursor == 70
    assert len(window.since(cursor)[0]) == 0


def test_a_reader_that_fell_behind_is_told_how_many_it_missed():
    window = FrameWindow(capacity=100)
    for k in range(10):
        window.add(_frames(k * 50, 50))
    frames, cursor, missed = window.since(0)
    assert cursor == 500
    assert missed == 500 - len(frames) and 100 <= len(frames) < 150  # whole batches are kept
    assert frames.arbitration_id[-1] == 499


def test_the_session_trace_sees_bus_frames_and_its_own_transmitted_frames():
    session = LiveSession(SourceSpec(kind="sim"), events=EventBus(), poll_interval=0.05)
    try:
        session.connect()
        assert session.has_frame_window
        seen: list[FrameArrays] = []
        cursor = 0

        def saw(frame_id: int, *, sent: bool) -> bool:
            nonlocal cursor
            frames, cursor = session.frames_since(cursor)
            seen.append(frames)
            every = FrameArrays.concat(seen)
            mine = every.arbitration_id == frame_id
            return bool(mine.any()) and bool(((every.flags[mine] & RX) == 0).all() if sent else True)

        wait_for(lambda: saw(0x7E8, sent=False) or len(FrameArrays.concat(seen)) > 50, what="broadcast frames")
        session.send_frame(can.Message(arbitration_id=0x123, data=b"\xde\xad", is_extended_id=False))
        wait_for(lambda: saw(0x123, sent=True), what="the transmitted frame in the trace")
        session.send_frame(can.Message(arbitration_id=0x124, data=b"\x01", is_extended_id=False), 0.02)
        assert session.periodic_count == 1
        wait_for(lambda: saw(0x124, sent=True) and int((FrameArrays.concat(seen).arbitration_id == 0x124).sum()) >= 3,
                 what="periodic frames")
        assert session.stop_periodic() == 1 and session.periodic_count == 0
    finally:
        session.close()
