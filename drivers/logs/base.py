"""What every log reader shares: chunked FrameArrays out, progress and cancel in, a report of what was skipped.

A reader never raises for bad content once the file has opened: a text line that does
not parse becomes a :class:`BadLine` (1-based line number, the text, the reason) and a
binary file that stops making sense sets :attr:`ReadReport.stopped_at`; everything valid
before and after is still read. It raises :class:`LogFileError` only when the file
cannot be opened or is not the format asked for at all.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from carvrooom_desktop.domain.frames import CLASSIC_WIDTH, FD_WIDTH, Channel, FrameArrays, channel_codes
from carvrooom_desktop.domain.progress import Progress
from drivers.errors import DriverError

CHUNK_FRAMES = 65_536
MAX_BAD_LINES = 1_000  # kept in the report; the count goes on
MAX_LINE_TEXT = 200


class LogFileError(DriverError):
    """A log file that cannot be opened, or is not in the format asked for."""


class LogFormatUnavailable(LogFileError):
    """The format needs an optional package that is not installed."""


@dataclass(frozen=True, slots=True)
class BadLine:
    line_no: int  # 1-based
    text: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line_no}: {self.reason}: {self.text!r}"


@dataclass(slots=True)
class ReadReport:
    """What a read found besides frames. Filled while reading; complete when the iterator ends."""

    path: str
    format: str
    total_bytes: int = 0
    bytes_read: int = 0
    frames: int = 0
    bad_lines: list[BadLine] = field(default_factory=list)  # the first MAX_BAD_LINES
    bad_line_count: int = 0
    skipped: int = 0  # lines/objects that are not frames (comments, statistics, markers, ...)
    stopped_at: str | None = None  # a binary file that ends or breaks early: where and why
    damaged: int = 0  # damaged places in a binary file (each described in notes)
    notes: list[str] = field(default_factory=list)
    cancelled: bool = False

    def add_bad_line(self, line_no: int, text: bytes | str, reason: str) -> None:
        self.bad_line_count += 1
        if len(self.bad_lines) < MAX_BAD_LINES:
            if isinstance(text, bytes):
                text = text.decode("utf-8", "replace")
            text = text.rstrip("\r\n")
            if len(text) > MAX_LINE_TEXT:
                text = text[:MAX_LINE_TEXT] + "..."
            self.bad_lines.append(BadLine(line_no, text, reason))

    @property
    def complete(self) -> bool:
        """Every byte was read and understood."""
        return not (self.bad_line_count or self.damaged or self.stopped_at or self.cancelled)

    def add_damage(self, where: str) -> None:
        self.damaged += 1
        if len(self.notes) < MAX_BAD_LINES:
            self.notes.append(where)

    def summary(self) -> str:
        parts = [f"{self.frames} frames"]
        if self.bad_line_count:
            parts.append(f"{self.bad_line_count} bad line(s)")
        if self.damaged:
            parts.append(f"{self.damaged} damaged place(s)")
        if self.skipped:
            parts.append(f"{self.skipped} non-frame line(s)/object(s) skipped")
        if self.stopped_at:
            parts.append(f"stopped early: {self.stopped_at}")
        if self.cancelled:
            parts.append("cancelled")
        return ", ".join(parts)


class LogReader(ABC):
    """One log file read as FrameArrays chunks of at most ``chunk_frames`` frames."""

    format: str = ""
    magic: bytes = b""  # binary formats: the file's first bytes, checked at once (before anyone creates a recording)

    def __init__(self, path: str | os.PathLike[str], *, chunk_frames: int = CHUNK_FRAMES) -> None:
        self.path = os.fspath(path)
        try:
            size = os.path.getsize(self.path)
            if self.magic:
                with open(self.path, "rb") as f:
                    if f.read(len(self.magic)) != self.magic:
                        raise LogFileError(f"{self.path}: no {self.magic.decode()} header, so not a {self.format.upper()} log")
        except OSError as e:
            raise LogFileError(f"cannot open {self.path}: {e.strerror or e}") from e
        self.chunk_frames = max(1, int(chunk_frames))
        self.report = ReadReport(path=self.path, format=self.format, total_bytes=size)

    def chunks(self, progress: Progress | None = None, cancel: threading.Event | None = None) -> Iterator[FrameArrays]:
        """Frames in file order. ``progress(done_bytes, total_bytes)`` after each block; ``cancel`` stops between blocks."""
        report = self.report
        pending: list[FrameArrays] = []
        pending_n = 0
        for part in self._blocks():
            if len(part):
                pending.append(part)
                pending_n += len(part)
                while pending_n >= self.chunk_frames:
                    merged = FrameArrays.concat(pending)
                    head, tail = _split(merged, self.chunk_frames)
                    report.frames += len(head)
                    yield head
                    pending, pending_n = ([tail], len(tail)) if len(tail) else ([], 0)
            if progress is not None:
                progress(report.bytes_read, report.total_bytes)
            if cancel is not None and cancel.is_set():
                report.cancelled = True
                return
        if pending_n:
            merged = FrameArrays.concat(pending)
            report.frames += len(merged)
            yield merged
        if progress is not None:
            progress(report.total_bytes if not report.stopped_at else report.bytes_read, report.total_bytes)

    def read_all(self, progress: Progress | None = None, cancel: threading.Event | None = None) -> FrameArrays:
        return FrameArrays.concat(list(self.chunks(progress, cancel)))

    @abstractmethod
    def _blocks(self) -> Iterator[FrameArrays]:
        """Frames of one block of the file at a time; keeps ``report.bytes_read`` current."""


def _split(frames: FrameArrays, n: int) -> tuple[FrameArrays, FrameArrays]:
    return frames.rows(slice(None, n)), frames.rows(slice(n, None))


class FrameColumns:
    """Per-frame appends for the slow (line-by-line) paths, turned into FrameArrays at the end of a block.

    ``data`` keeps up to 64 bytes (CAN FD); the block's data is 8 bytes wide unless a frame needs more.
    """

    __slots__ = ("timestamp", "arbitration_id", "flags", "dlc", "data", "channel")

    def __init__(self) -> None:
        self.timestamp: list[float] = []
        self.arbitration_id: list[int] = []
        self.flags: list[int] = []
        self.dlc: list[int] = []
        self.data: list[bytes] = []
        self.channel: list[Channel] = []

    def add(self, timestamp: float, arbitration_id: int, flags: int, dlc: int, data: bytes, channel: Channel = None) -> None:
        self.timestamp.append(timestamp)
        self.arbitration_id.append(arbitration_id)
        self.flags.append(flags)
        self.dlc.append(min(dlc, 255))
        self.data.append(bytes(data[:FD_WIDTH]))
        self.channel.append(channel)

    def __len__(self) -> int:
        return len(self.timestamp)

    def to_frames(self) -> FrameArrays:
        n = len(self.timestamp)
        if n == 0:
            return FrameArrays.empty()
        width = CLASSIC_WIDTH if max(map(len, self.data)) <= CLASSIC_WIDTH else FD_WIDTH
        pad = bytes(width)
        data = np.frombuffer(b"".join((d + pad)[:width] for d in self.data), np.uint8).reshape(n, width).copy()
        channel, channels = channel_codes(self.channel)
        return FrameArrays(
            np.array(self.timestamp, np.float64), np.array(self.arbitration_id, np.uint32),
            np.array(self.flags, np.uint8), np.array(self.dlc, np.uint8), data, channel, channels,
        )


def line_blocks(path: str, report: ReadReport, block_size: int = 1 << 22) -> Iterator[tuple[int, bytes]]:
    """(line number of the block's first line, block of whole lines) over a file read in binary."""
    line_no = 1
    with open(path, "rb") as f:
        tail = b""
        while True:
            data = f.read(block_size)
            if not data:
                break
            data = tail + data
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                if len(data) < 4 * block_size:
                    tail = data
                    continue
                cut = len(data)  # no line end for 16 MB: not a text log; hand it on as one line
            block, tail = data[:cut], data[cut:]
            report.bytes_read += len(block)
            yield line_no, block
            line_no += block.count(b"\n")
        if tail:
            report.bytes_read += len(tail)
            yield line_no, tail + b"\n"
