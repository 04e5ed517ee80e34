"""Vector ASC logs: a regular expression over blocks of lines for the classic frames, python-can for the rest.

Fast path (``base hex``): ``<t> <channel> <id>[x] Rx|Tx d <dlc> <bytes...> [extras]``,
``<t> <channel> <id>[x] Rx|Tx r [<dlc>]`` and ``<t> <channel> ErrorFrame``. CAN FD lines
(``<t> CANFD <channel> Rx|Tx <id>[x] [<name>] <brs> <esi> <dlc> <length> <bytes...> ...``,
and ``CANFD <channel> Rx|Tx ErrorFrame ...``) are split in Python, one line at a time, the
way python-can's ASCReader reads them. Anything else that is not a known non-frame line
(header, comments, Begin/End Triggerblock, Start of measurement, Statistic, chip status,
J1939 transport events, ...) goes through python-can's ASCReader one line at a time (and
every line of a ``base dec`` file does), and what it cannot read is a bad line with its
number. Timestamps are taken as written (seconds from the start of the measurement).

Fields follow python-can's reader: the channel is the file's number minus one; a classic
line's DLC is read as python-can does (``dlc2len``: ``d 40`` is a DLC of 64) and at most 8
data bytes are kept; an FD line's length column gives the payload length; error frames
carry the extended-id bit, as python-can's Message default does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np

from carvrooom_desktop.domain.frames import BRS, ERROR, ESI, EXTENDED_ID, FD, FD_LENGTHS, REMOTE, RX, FrameArrays
from drivers.logs.base import FrameColumns, LogReader, line_blocks
from drivers.logs.pycan import parse_lines_with
from drivers.logs.textcols import payload_columns

_FRAME = re.compile(
    rb"^(?:[ \t]*(\d+\.\d+)[ \t]+(\d+)[ \t]+([0-9A-Fa-f]{1,8})(x?)[ \t]+(Rx|Tx)[ \t]+"
    rb"(?:d[ \t]+([0-9A-Fa-f]{1,2})((?:[ \t]+[0-9A-Fa-f]{2})*)|r(?:[ \t]+([0-9A-Fa-f]{1,2}))?)"
    rb"(?=[ \t]|\r?$)[^\n]*|([^\n]*))$",
    re.MULTILINE,
)
# groups: 1 t, 2 channel, 3 id, 4 x, 5 dir, 6 dlc, 7 bytes, 8 remote dlc, 9 any other line
_ERROR_FRAME = re.compile(rb"^\s*(\d+\.\d+)\s+(\d+)\s+ErrorFrame\b")
_FD_LINE = re.compile(rb"^\s*(\d+\.\d+)\s+CANFD\s+", re.IGNORECASE)
_NOT_A_FRAME = re.compile(
    rb"^\s*(?:$|//|date\b|base\b|internal events|no internal events|begin triggerblock|end triggerblock|"
    rb"\d+\.\d+\s+(?:start of measurement|\d+\s+statistic:|can\s+\d+\s+status:|\d+\s+status:|log trigger event|sv:|"
    rb"\d+\s+j1939tp\s|"
    rb"\d+\s+[0-9a-fx]+\s+(?:rx|tx)\s+[^dr]))",
    re.IGNORECASE,
)
_BASE = re.compile(rb"^\s*base\s+(hex|dec)", re.IGNORECASE | re.MULTILINE)
_LOOKS_LIKE_FRAME = re.compile(r"^\s*\d+\.\d+\s+(?:\d+|CANFD)\s+")
_HEADER = "base hex  timestamps absolute\nno internal events logged\n"


class AscReader(LogReader):
    format = "asc"

    def _blocks(self) -> Iterator[FrameArrays]:
        hex_base = True
        for first_line, block in line_blocks(self.path, self.report):
            if first_line == 1:
                base = _BASE.search(block[:4096])
                hex_base = base is None or base.group(1).lower() == b"hex"
            yield self._parse_block(first_line, block, hex_base)

    def _parse_block(self, first_line: int, block: bytes, hex_base: bool) -> FrameArrays:
        if not hex_base:  # decimal ids and bytes: python-can reads every line
            return self._other_lines(first_line, list(enumerate(block.split(b"\n")[:-1])), False)[0]
        matches = _FRAME.findall(block)
        if block.endswith(b"\n"):
            matches = matches[:-1]  # the empty "line" after the final newline
        good = [k for k, m in enumerate(matches) if m[0]]
        fast, dlc_listed = _columns([matches[k] for k in good]) if good else (FrameArrays.empty(), np.empty(0, np.int64))
        rows = np.array(good, np.int64)
        if good:
            wanted = np.minimum(fast.dlc, 8).astype(np.int64)
            damaged = (dlc_listed != wanted) & (dlc_listed != fast.dlc)  # "d 40" with all 64 bytes listed is python-can's
            damaged &= (fast.flags & REMOTE) == 0
            if damaged.any():
                for k in np.flatnonzero(damaged).tolist():
                    m = matches[good[k]]
                    self.report.add_bad_line(first_line + good[k], _rebuild(m), f"DLC {int(fast.dlc[k])} but {int(dlc_listed[k])} data byte(s) listed")
                keep = ~damaged
                fast = fast.rows(keep)
                rows = rows[keep]
        others = [(k, m[8]) for k, m in enumerate(matches) if not m[0]]
        if not others:
            return fast
        slow, slow_rows = self._other_lines(first_line, others, True)
        if not len(slow):
            return fast
        frames = FrameArrays.concat([fast, slow])
        order = np.argsort(np.concatenate([rows, slow_rows]), kind="stable")  # file order
        return frames.rows(order)

    def _other_lines(self, first_line: int, lines: list[tuple[int, bytes]], hex_base: bool) -> tuple[FrameArrays, np.ndarray]:
        cols = FrameColumns()
        rows: list[int] = []
        fallback: list[tuple[int, str]] = []
        for k, raw in lines:
            error = _ERROR_FRAME.match(raw)
            if error:
                rows.append(k)
                cols.add(float(error.group(1)), 0, ERROR | RX | EXTENDED_ID, 0, b"", int(error.group(2)) - 1)
            elif hex_base and _FD_LINE.match(raw):
                try:
                    cols.add(*_fd_frame(raw))
                    rows.append(k)
                except (ValueError, IndexError) as e:
                    self.report.add_bad_line(first_line + k, raw, f"CAN FD line does not parse ({e})"[:160])
            elif _NOT_A_FRAME.match(raw) and (hex_base or not _LOOKS_LIKE_FRAME.match(raw.decode("utf-8", "replace"))):
                self.report.skipped += 1
            else:
                fallback.append((k, raw.decode("utf-8", "replace").rstrip("\r")))
        if fallback:
            import can

            header = _HEADER if hex_base else _HEADER.replace("hex", "dec")
            for k, text in fallback:
                before = len(cols)
                parse_lines_with(can.ASCReader, header, [(first_line + k, text)], cols, self.report, bad_reason=_bad_reason)
                rows.extend([k] * (len(cols) - before))
        return cols.to_frames(), np.array(rows, np.int64)


def _fd_frame(raw: bytes) -> tuple[float, int, int, int, bytes, int]:
    """One ``CANFD`` line (base hex) -> FrameColumns.add arguments, as python-can's ASCReader splits it."""
    fields = raw.decode("ascii", "replace").split(None, 5)  # t, CANFD, channel, direction, id | ErrorFrame, rest
    t, channel, direction = float(fields[0]), int(fields[2]) - 1, fields[3]
    if direction not in ("Rx", "Tx"):
        raise ValueError(f"direction {direction!r}")
    flags = FD | (RX if direction == "Rx" else 0)
    if fields[4].lower().startswith("errorframe"):
        return t, 0, flags | ERROR | EXTENDED_ID, 0, b"", channel
    ident_text, rest = fields[4], fields[5].split()
    if rest[0].isdigit():  # no symbolic name
        brs, esi, dlc_text, length_text = rest[:4]
        data_at = 4
    else:
        brs, esi, dlc_text, length_text = rest[1:5]
        data_at = 5
    extended = ident_text[-1:].lower() == "x"
    ident = int(ident_text[:-1] if extended else ident_text, 16)
    if not 0 <= ident <= 0x1FFFFFFF:
        raise ValueError(f"id {ident_text}")
    flags |= (EXTENDED_ID if extended else 0) | (BRS if brs == "1" else 0) | (ESI if esi == "1" else 0)
    dlc, length = int(dlc_text, 16), int(length_text)
    if length == 0:  # python-can: a remote frame, its DLC as written
        return t, ident, flags | REMOTE, dlc, b"", channel
    tokens = rest[data_at:data_at + length]
    if len(tokens) < length or length > 64:
        raise ValueError(f"{length} data bytes announced, {len(tokens)} listed")
    return t, ident, flags, length, bytes(int(b, 16) for b in tokens), channel


def _rebuild(m: tuple[bytes, ...]) -> bytes:
    """The text of a fast-path line, for a report."""
    if m[5]:
        return b" ".join([m[0], m[1], m[2] + m[3], m[4], b"d", m[5]]) + m[6]
    return b" ".join([m[0], m[1], m[2] + m[3], m[4], b"r"] + ([m[7]] if m[7] else []))


def _bad_reason(text: str) -> str | None:
    if _LOOKS_LIKE_FRAME.match(text):
        return "looks like a frame but does not parse (id, direction, DLC or data bytes)"
    return "not an ASC line this program knows"


_HEX = np.full(256, 255, np.uint8)
for _digit, _char in enumerate(b"0123456789abcdef"):
    _HEX[_char] = _HEX[ord(chr(_char).upper())] = _digit


_DLC2LEN = np.array(list(FD_LENGTHS) + [64] * 240, np.int64)  # python-can's dlc2len over 0..255


def _columns(matches: list[tuple[bytes, ...]]) -> tuple[FrameArrays, np.ndarray]:
    """Fast-path matches -> frames, and how many data bytes each line listed (whole columns, numpy conversions)."""
    ts, channel_text, ids, ext, direction, dlc_text, data_text, remote_dlc, _ = zip(*matches)
    timestamp = np.array(ts).astype(np.float64)
    arbitration_id = np.array([int(i, 16) for i in ids], np.uint32)
    flags = np.where(np.array(ext, "S1") == b"x", EXTENDED_ID, 0).astype(np.uint8)
    flags |= np.where(np.array(direction, "S2") == b"Rx", RX, 0).astype(np.uint8)
    dlc_chars = np.array(dlc_text, "S2")
    is_remote = dlc_chars == b""
    digits = dlc_chars.view(np.uint8).reshape(-1, 2)
    dlc = _DLC2LEN[_hex_number(digits)]
    if is_remote.any():
        flags |= np.where(is_remote, REMOTE, 0).astype(np.uint8)
        remote_chars = np.array(remote_dlc, "S2")
        remote_digits = remote_chars.view(np.uint8).reshape(-1, 2)
        decimal = ((remote_digits >= ord("0")) & (remote_digits <= ord("9"))) | (remote_digits == 0)
        remote_value = np.where(decimal.all(axis=1), _hex_number(remote_digits), 0)  # python-can: digits only, read in hex
        dlc = np.where(is_remote, remote_value, dlc)
    listed, data = payload_columns(list(data_text), strip=b" \t", keep=8)
    channel = np.array(channel_text).astype(np.int64) - 1
    first = int(channel[0])
    table: tuple[int, ...]
    if (channel == first).all():
        codes, table = np.zeros(len(channel), np.uint8), (first,)
    else:
        values, inverse = np.unique(channel, return_inverse=True)
        codes, table = inverse.astype(np.uint8 if len(values) <= 256 else np.uint16), tuple(int(v) for v in values)
    frames = FrameArrays(timestamp, arbitration_id & np.uint32(0x1FFFFFFF), flags, np.minimum(dlc, 255).astype(np.uint8),
                         data, codes, table)
    return frames, listed


def _hex_number(digits: np.ndarray) -> np.ndarray:
    """Rows of up to two ASCII hex digits (NUL-padded) -> their values (0 for none)."""
    first, second = _HEX[digits[:, 0]].astype(np.int64), _HEX[digits[:, 1]].astype(np.int64)
    value = np.where(first == 255, 0, first)
    return np.where(second == 255, value, value * 16 + second)
