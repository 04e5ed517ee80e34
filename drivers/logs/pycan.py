"""python-can readers as a tolerant fallback: their Messages -> our columns, one bad line never stops a file.

python-can's text readers stop at the first line they cannot parse (or silently skip
it). :func:`parse_lines_with` gives a reader one line at a time, behind the file's own
header, so every line either becomes frames, is skipped (a non-frame event), or is
reported as bad with its number. It is slow (a reader per line) and used only for the
lines our fast parsers do not recognise, or for formats where speed matters little.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from carvrooom_desktop.domain.frames import BRS, ERROR, ESI, EXTENDED_ID, FD, REMOTE, RX
from drivers.logs.base import FrameColumns, ReadReport

if TYPE_CHECKING:
    import can


def message_flags(msg: can.Message) -> int:
    """Our flags bits of a python-can Message."""
    flags = (EXTENDED_ID if msg.is_extended_id else 0) | (REMOTE if msg.is_remote_frame else 0) \
        | (ERROR if msg.is_error_frame else 0) | (RX if msg.is_rx else 0)
    if msg.is_fd:
        flags |= FD | (BRS if msg.bitrate_switch else 0) | (ESI if msg.error_state_indicator else 0)
    return flags


def add_message(cols: FrameColumns, msg: can.Message, channel_offset: int = 0) -> None:
    """One python-can Message onto the columns (``channel_offset`` is added to an integer channel)."""
    data = bytes(msg.data or b"")
    # FD data frames: the length in bytes (python-can's TRC reader hands over the DLC code instead)
    dlc = len(data) if msg.is_fd and not msg.is_remote_frame else int(msg.dlc)
    channel = msg.channel
    if channel_offset and isinstance(channel, int):
        channel += channel_offset
    cols.add(float(msg.timestamp), int(msg.arbitration_id), message_flags(msg), dlc, data, channel)


def parse_lines_with(
    make_reader: Callable[[io.StringIO], Iterable[can.Message]],
    header: str,
    lines: Iterable[tuple[int, str]],
    cols: FrameColumns,
    report: ReadReport,
    *,
    bad_reason: Callable[[str], str | None] | None = None,
    channel_offset: int = 0,
) -> None:
    """Each (line number, text) through a fresh python-can reader behind ``header``.

    A line that yields no frame is skipped, unless ``bad_reason(text)`` names a reason
    (it looks like a frame but is not one), then it is a bad line.
    """
    for line_no, text in lines:
        try:
            messages = list(make_reader(io.StringIO(header + text + "\n")))
        except Exception as e:  # noqa: BLE001 - python-can raises ValueError, IndexError, KeyError...: all mean "bad line"
            report.add_bad_line(line_no, text, f"does not parse ({type(e).__name__}: {e})"[:160])
            continue
        if not messages:
            reason = bad_reason(text) if bad_reason else None
            if reason:
                report.add_bad_line(line_no, text, reason)
            else:
                report.skipped += 1
            continue
        for msg in messages:
            add_message(cols, msg, channel_offset)
