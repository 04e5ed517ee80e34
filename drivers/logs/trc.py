"""PEAK TRC logs through python-can's TRCReader, one bad line never ending the file.

The file's header (``;$FILEVERSION``, ``;$STARTTIME``, ``;$COLUMNS`` and the other ``;``
lines before the first frame) is kept and put in front of every block of lines given to
python-can. A block python-can reads without error is taken whole; a block where it raises
is read again line by line so the bad line is reported with its number and the others kept.
TRC is a rare import, so this simple path is fast enough.

Channels: python-can's TRCReader hands over the bus number as written (1, 2, ...), while
its writers and its BLF/ASC readers use 0-based channel numbers (its TRCWriter writes
``channel + 1``). We subtract one, so a TRC log's bus 1 is the same channel as a BLF's
channel 1 and goes back to bus 1 when exported.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

from carvrooom_desktop.domain.frames import FrameArrays
from drivers.logs.base import FrameColumns, LogReader, line_blocks
from drivers.logs.pycan import add_message, parse_lines_with

_BLOCK_LINES = 2_000
_RECORD = re.compile(r"^\s*\d+\)?\s+\d+(\.\d*)?\s+\S")  # message number, time offset, ...: a TRC record


class _DropParseWarnings(logging.Filter):
    """python-can logs every line it cannot parse; we report those lines ourselves, with numbers."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Failed to parse" not in record.getMessage()


logging.getLogger("can.io.trc").addFilter(_DropParseWarnings())


def _bad_reason(text: str) -> str | None:
    """None for a well-formed record python-can does not read (status, error counters); else why it is bad."""
    return None if _RECORD.match(text) else "not a TRC record (expected: number, time offset, type, id, ...)"


class TrcReader(LogReader):
    format = "trc"

    def _blocks(self) -> Iterator[FrameArrays]:
        import can

        header: list[str] = []
        in_header = True
        for first_line, block in line_blocks(self.path, self.report):
            lines = block.decode("utf-8", "replace").split("\n")[:-1]
            body: list[tuple[int, str]] = []
            for k, line in enumerate(lines):
                text = line.rstrip("\r")
                if in_header and (text.startswith(";") or not text.strip()):
                    header.append(text)
                    continue
                in_header = False
                if text.strip() and not text.lstrip().startswith(";"):
                    body.append((first_line + k, text))
                else:
                    self.report.skipped += bool(text.strip())
            head = "\n".join(header) + "\n"
            cols = FrameColumns()
            for start in range(0, len(body), _BLOCK_LINES):
                part = body[start:start + _BLOCK_LINES]
                try:
                    messages = list(can.TRCReader(io.StringIO(head + "\n".join(t for _, t in part) + "\n")))
                except Exception:  # noqa: BLE001 - python-can raises many kinds for one bad line: find it
                    parse_lines_with(can.TRCReader, head, part, cols, self.report, bad_reason=_bad_reason, channel_offset=-1)
                    continue
                if len(messages) < len(part):  # python-can dropped a line silently: find out which and why
                    parse_lines_with(can.TRCReader, head, part, cols, self.report, bad_reason=_bad_reason, channel_offset=-1)
                    continue
                for msg in messages:
                    add_message(cols, msg, channel_offset=-1)
            yield cols.to_frames()
