"""The live frame path after the bus reader: batches of raw frames -> columns -> decode -> ring buffers, recorder.

One thread (``live-frames``) wakes every ``interval`` (50 ms), takes every frame the
reader collected, converts them to :class:`FrameArrays` in one step, updates the bus
load, hands the batch to the recorder (if one is attached) and decodes broadcast
signals with the vectorised decoder into the ring buffers. Per frame nothing runs in
Python here; the cost per batch is a few numpy calls per message id.

Attaching and detaching a recorder happen under the same lock as a batch, and
``detach`` first processes what the reader holds, so every frame received before
``detach`` returns is in the recording and none after it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Mapping

import can
import numpy as np

from carvrooom_desktop.acquisition.bus_reader import BusReader
from carvrooom_desktop.acquisition.decode import BatchDecoder, ChannelDecoder
from carvrooom_desktop.acquisition.frame_collector import to_frame_arrays
from carvrooom_desktop.acquisition.frame_window import FrameWindow
from carvrooom_desktop.acquisition.recorder import Recorder
from carvrooom_desktop.acquisition.ring_buffer import SignalRingBuffer
from carvrooom_desktop.domain import FrameArrays
from drivers.can.frame_bits import busy_seconds, frame_bits

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 0.05  # s between batches: 20 per second, fresher than the plots' 30 Hz needs
LOAD_WINDOW = 1.0  # s of bus time the bus load is taken over


class FramePipeline:
    """Drains ``reader`` into columns, the recorder and (once :meth:`set_decoder` was called) the ring buffers."""

    def __init__(self, reader: BusReader, *, t0: float, bitrate: int = 500_000, data_bitrate: int | None = None,
                 interval: float = DEFAULT_INTERVAL) -> None:
        self.reader = reader
        self.t0 = t0  # ring buffers hold seconds since t0
        self.bitrate = bitrate
        self.data_bitrate = data_bitrate  # CAN FD data phase (frames with BRS); None: the nominal bitrate
        self.interval = interval
        self.frames_total = 0  # frames processed
        self.frame_window = FrameWindow()  # the raw frames, for the CAN trace
        self.batches = 0
        self.max_lag = 0.0  # s: the oldest frame of a batch, time.time() when it was processed (bus clock = wall clock)
        self._decoder: BatchDecoder | ChannelDecoder | None = None
        self._buffers: Mapping[str, SignalRingBuffer] = {}
        self._recorder: Recorder | None = None
        self._meter = BusLoadMeter(bitrate, interval, data_bitrate=data_bitrate)
        self._last_frames = time.monotonic()
        self._bus_load = 0.0
        self._decode_failed = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="live-frames", daemon=True)

    # -- wiring ------------------------------------------------------------------------------

    def set_decoder(self, decoder: BatchDecoder | ChannelDecoder | None, buffers: Mapping[str, SignalRingBuffer]) -> None:
        """Decode broadcast frames into ``buffers`` (signals without a buffer are dropped).

        ``decoder``: one BatchDecoder for every channel, or a ChannelDecoder with one signal
        database per bus channel (``ChannelDecoder({"can0": powertrain, "can1": chassis})``).
        """
        with self._lock:
            self._decoder, self._buffers = decoder, buffers

    def attach(self, recorder: Recorder) -> None:
        """Every frame processed from now on goes to ``recorder`` too."""
        with self._lock:
            self._process(self.reader.take())  # frames from before the start belong to no recording
            self._recorder = recorder

    def detach(self) -> Recorder | None:
        """Hand the recorder everything received so far, then stop feeding it."""
        with self._lock:
            self._process(self.reader.take())
            recorder, self._recorder = self._recorder, None
        return recorder

    def start(self) -> FramePipeline:
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the thread after one last batch; safe to call twice."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def bus_load_percent(self) -> float:
        if time.monotonic() - self._last_frames > LOAD_WINDOW:
            return 0.0  # the bus went quiet
        return self._bus_load

    # -- the thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        next_due = time.monotonic()
        while True:
            try:
                self.process_pending()
            except Exception:  # noqa: BLE001 - one bad batch must not end the live path for the session
                log.exception("a batch of frames could not be processed; it is skipped")
            if self._stop.is_set():
                return
            next_due = max(next_due + self.interval, time.monotonic())
            self._stop.wait(next_due - time.monotonic())

    def process_pending(self) -> int:
        """Process what the reader holds now; returns how many frames that was."""
        with self._lock:
            return self._process(self.reader.take())

    def _process(self, messages: list[can.Message]) -> int:
        n = len(messages)
        if n == 0:
            return 0
        frames = to_frame_arrays(messages)
        del messages
        self.frames_total += n
        self.batches += 1
        self.max_lag = max(self.max_lag, time.time() - float(frames.timestamp[0]))
        self._last_frames = time.monotonic()
        self._update_load(frames)
        self.frame_window.add(frames)
        if self._recorder is not None:
            self._recorder.add_frames(frames)
        if self._decoder is not None:
            self._decode(frames)
        return n

    def _decode(self, frames: FrameArrays) -> None:
        try:
            assert self._decoder is not None, "only called with a decoder"
            signals = self._decoder.decode(frames).signals
        except Exception:  # noqa: BLE001 - a decoder bug must not stop recording raw frames, which are the truth
            if not self._decode_failed:
                log.exception("decoding broadcast frames failed; raw frames are still recorded")
                self._decode_failed = True
            return
        buffers, t0 = self._buffers, self.t0
        for name, (t, v) in signals.items():
            buffer = buffers.get(name)
            if buffer is not None:
                buffer.append(t - t0, v)

    def _update_load(self, frames: FrameArrays) -> None:
        self._bus_load = self._meter.add(frames)


class BusLoadMeter:
    """Bus load in percent over the last ``LOAD_WINDOW`` of bus time, from batches of frames.

    The load is the share of bus time the frames occupied; CAN FD frames with BRS spend
    their data phase at ``data_bitrate`` (when given), every other bit takes a nominal bit time.
    """

    def __init__(self, bitrate: int, min_span: float, *, data_bitrate: int | None = None) -> None:
        self.bitrate = bitrate
        self.data_bitrate = data_bitrate
        self.min_span = min_span  # s: a batch never counts as shorter than this (one frame has no span)
        self._load: deque[tuple[float, float, float]] = deque()  # (first t, last t, busy seconds) per batch

    def add(self, frames: FrameArrays) -> float:
        nominal, data_phase = frame_bits(frames, "mean")
        busy = float(busy_seconds(frames, nominal, data_phase, self.bitrate, self.data_bitrate).sum())
        first, last = float(frames.timestamp[0]), float(frames.timestamp[-1])
        self._load.append((first, last, busy))
        while self._load and self._load[0][1] < last - LOAD_WINDOW:
            self._load.popleft()
        span = max(last - self._load[0][0], self.min_span)
        seconds = sum(entry[2] for entry in self._load)
        return float(np.clip(100.0 * seconds / span, 0.0, 100.0))
