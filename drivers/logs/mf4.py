"""ASAM MDF4 bus logs through python-can's MF4Reader (needs asammdf).

MF4 is not line based: the reader hands over whole channel groups. Frames are taken as
python-can yields them, in blocks; if the file breaks part way, what was read is kept and
the report says where it stopped.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

from carvrooom_desktop.domain.frames import FrameArrays
from drivers.logs.base import FrameColumns, LogFileError, LogFormatUnavailable, LogReader
from drivers.logs.pycan import add_message

_BLOCK = 50_000


class Mf4Reader(LogReader):
    format = "mf4"
    magic = b"MDF"

    def _blocks(self) -> Iterator[FrameArrays]:
        try:
            from can.io.mf4 import MF4Reader
        except ImportError as e:  # pragma: no cover - asammdf is a dependency
            raise LogFormatUnavailable("reading MF4 needs the asammdf package") from e
        try:
            reader = MF4Reader(self.path)
            problem = None
        except Exception as e:  # noqa: BLE001 - asammdf raises many kinds for a file it cannot open
            problem = f"{type(e).__name__}: {e}"[:300]
        if problem is not None:
            # asammdf's half-built MDF4 (held by the traceback) is freed now, not during someone else's work later
            gc.collect()
            raise LogFileError(f"{self.path}: not an MF4 bus log python-can can read ({problem})")
        cols = FrameColumns()
        try:
            for msg in reader:
                add_message(cols, msg)
                if len(cols) >= _BLOCK:  # progress stays at 0 bytes: asammdf does not say how far it is
                    yield cols.to_frames()
                    cols = FrameColumns()
        except Exception as e:  # noqa: BLE001 - a damaged MF4 ends the read; what came before is kept
            self.report.stopped_at = f"after {self.report.frames + len(cols)} frames: {type(e).__name__}: {e}"[:300]
        finally:
            reader.stop()
        if not self.report.stopped_at:
            self.report.bytes_read = self.report.total_bytes
        yield cols.to_frames()
