"""candump ``-L`` logs (``.log``): ``(1436509052.249713) can0 123#DEADBEEF [R|T]``.

Reader: one regular expression over a 4 MB block of lines (``findall`` in C), one match per
line, so the index of a match is its line number; good lines become columns in bulk, bad
ones a :class:`BadLine`. Forms (python-can's CanutilsLogReader reads the same): classic
``ID#HEX``, remote ``ID#R`` / ``ID#R<dlc>``, CAN FD ``ID##<flags>HEX``, 8-digit ids are
extended, an id with the error flag (0x20000000) and bus-error class is an error frame,
an optional ``R``/``T`` marks the direction (default received). The interface column is the
frame's channel (``can0``; a number alone becomes an int, as python-can reads it); an FD
frame's flags nibble gives BRS (1) and ESI (2); FD payloads keep all their bytes (up to 64).

Writer: the format python-can's CanutilsLogWriter writes, from FrameArrays: the frame's
channel (an int ``k`` as ``cank``, unknown as ``can0``), FD flags and full payloads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

import os

from carvrooom_desktop.domain.frames import BRS, ERROR, ESI, EXTENDED_ID, FD, REMOTE, RX, Channel, FrameArrays
from drivers.logs.base import LogReader, line_blocks
from drivers.logs.textcols import payload_columns

CAN_ERR_FLAG = 0x20000000
CAN_ERR_BUSERROR = 0x00000080

_LINE = re.compile(
    rb"^[ \t]*(?:\((\d+(?:\.\d*)?)\)[ \t]+(\S+)[ \t]+([0-9A-Fa-f]{1,8})#"
    rb"(?:(#[0-9A-Fa-f])((?:[0-9A-Fa-f]{2})*)|(R\d*)|((?:[0-9A-Fa-f]{2})*))"
    rb"(?:[ \t]+([RTrt]))?[ \t]*\r?|([^\n]*))$",
    re.MULTILINE,
)
# groups: 1 ts, 2 channel, 3 id, 4 "#flags", 5 fd data, 6 remote, 7 data, 8 direction, 9 anything else


class CandumpReader(LogReader):
    format = "candump"

    def _blocks(self) -> Iterator[FrameArrays]:
        for first_line, block in line_blocks(self.path, self.report):
            yield self._parse_block(first_line, block)

    def _parse_block(self, first_line: int, block: bytes) -> FrameArrays:
        matches = _LINE.findall(block)
        if block.endswith(b"\n"):
            matches = matches[:-1]  # the empty "line" after the final newline
        ts, chan, ids, fdflags, fddata, remote, data, direction, other = zip(*matches) if matches else ([],) * 9
        good = [k for k, t in enumerate(ts) if t]
        if len(good) != len(matches):
            for k, rest in enumerate(other):
                if rest.strip():
                    self.report.add_bad_line(first_line + k, rest, _reason(rest))
            ts, chan = [ts[k] for k in good], [chan[k] for k in good]
            ids, fdflags, fddata = [ids[k] for k in good], [fdflags[k] for k in good], [fddata[k] for k in good]
            remote, data, direction = [remote[k] for k in good], [data[k] for k in good], [direction[k] for k in good]
        n = len(ts)
        if n == 0:
            return FrameArrays.empty()
        timestamp = np.array(ts).astype(np.float64)  # numpy parses the byte strings in C
        id_text = np.array(ids)
        raw_ids = np.array([int(i, 16) for i in ids], np.uint32)
        flags = np.where(np.char.str_len(id_text) > 3, EXTENDED_ID, 0).astype(np.uint8)
        fd_text = np.array(fdflags, "S2")
        is_fd = fd_text != b""
        is_remote = np.array(remote) != b""
        payload = [fd if f else d for f, fd, d in zip(fdflags, fddata, data, strict=True)] if is_fd.any() else list(data)
        listed, frame_data = payload_columns(payload)
        dlc = np.minimum(listed, 255).astype(np.uint8)
        if is_remote.any():
            dlc[is_remote] = [min(int(r[1:] or 0), 255) for r, flag in zip(remote, is_remote, strict=True) if flag]
        is_rx = np.char.upper(np.array(direction, "S1")) != b"T"
        is_error = (raw_ids & CAN_ERR_FLAG).astype(bool) & (raw_ids & CAN_ERR_BUSERROR).astype(bool)
        flags |= np.where(is_fd, FD, 0).astype(np.uint8)
        if is_fd.any():
            nibble = fd_text.view(np.uint8).reshape(-1, 2)[:, 1]  # "#<hex digit>"
            value = np.where(nibble >= ord("a"), nibble - ord("a") + 10,
                             np.where(nibble >= ord("A"), nibble - ord("A") + 10, nibble - ord("0"))).astype(np.int64)
            flags |= np.where(is_fd & (value & 1 != 0), BRS, 0).astype(np.uint8)
            flags |= np.where(is_fd & (value & 2 != 0), ESI, 0).astype(np.uint8)
        flags |= np.where(is_remote, REMOTE, 0).astype(np.uint8)
        flags |= np.where(is_rx, RX, 0).astype(np.uint8)
        if is_error.any():
            flags[is_error] = ERROR | RX | EXTENDED_ID  # python-can's Message default for an error frame
            raw_ids[is_error] = 0
            dlc[is_error] = 0
            frame_data[is_error] = 0
        codes, table = _channels(chan)
        return FrameArrays(timestamp, raw_ids & np.uint32(0x1FFFFFFF), flags, dlc, frame_data, codes, table)


def _channels(names: Sequence[bytes]) -> tuple[np.ndarray, tuple[Channel, ...]]:
    """Interface names -> codes and table; a name of digits only is a number, as python-can reads it."""
    def name(raw: bytes) -> int | str:
        text = raw.decode("utf-8", "replace")
        return int(text) if text.isdigit() else text

    first = names[0]
    if names.count(first) == len(names):
        return np.zeros(len(names), np.uint8), (name(first),)
    values, inverse = np.unique(np.array(names), return_inverse=True)
    return inverse.astype(np.uint8 if len(values) <= 256 else np.uint16), tuple(name(v) for v in values.tolist())


def _reason(line: bytes) -> str:
    text = line.strip()
    if not text.startswith(b"("):
        return "not a candump -L line: expected '(timestamp) interface ID#DATA'"
    if b"#" not in text:
        return "no 'ID#DATA' frame field"
    frame = text.split()[2] if len(text.split()) > 2 else b""
    ident, _, data = frame.partition(b"#")
    if not re.fullmatch(rb"[0-9A-Fa-f]{1,8}", ident):
        return "bad CAN id (1 to 8 hex digits)"
    if data[:1] != b"R" and len(data.lstrip(b"#")) % 2:
        return "odd number of hex digits in the data"
    return "does not parse as a candump -L frame"


def write_candump(path: str | os.PathLike[str], chunks: Iterable[FrameArrays], channel: str = "can0") -> int:
    """Write frames as candump -L lines (python-can's dialect, with R/T direction); returns the frame count.

    Each frame's own channel names the interface (python-can's rule: an int ``k`` is ``cank``);
    ``channel`` is used for frames whose channel is unknown.
    """
    count = 0
    with open(path, "w", encoding="ascii", newline="\n") as f:
        for frames in chunks:
            f.write("".join(_candump_lines(frames, channel)))
            count += len(frames)
    return count


def interface_name(name: Channel, default: str = "can0") -> str:
    if name is None:
        return default
    if isinstance(name, int) or (isinstance(name, str) and name.isdigit()):
        return f"can{name}"
    return str(name)


def _candump_lines(frames: FrameArrays, default: str) -> Iterator[str]:
    names = [interface_name(c, default) for c in frames.channels]
    lengths = frames.lengths().tolist()
    raw = frames.data.tobytes()
    width = frames.width
    for k, (t, ident, flag, length, code) in enumerate(zip(frames.timestamp.tolist(), frames.arbitration_id.tolist(),
                                                          frames.flags.tolist(), lengths, frames.channel.tolist(), strict=True)):
        channel = names[code]
        eol = " R\n" if flag & RX else " T\n"
        if flag & ERROR:
            yield f"({t:f}) {channel} {CAN_ERR_FLAG | CAN_ERR_BUSERROR:08X}#\n"
            continue
        ident_text = f"{ident:08X}" if flag & EXTENDED_ID else f"{ident:03X}"
        if flag & REMOTE:
            yield f"({t:f}) {channel} {ident_text}#R{eol}"
            continue
        payload = raw[k * width:k * width + length].hex().upper()
        if flag & FD:
            yield f"({t:f}) {channel} {ident_text}##{(1 if flag & BRS else 0) | (2 if flag & ESI else 0):X}{payload}{eol}"
        else:
            yield f"({t:f}) {channel} {ident_text}#{payload}{eol}"
