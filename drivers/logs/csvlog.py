"""python-can's CSV log (``timestamp,arbitration_id,extended,remote,error,dlc,data`` with base64 data), tolerantly.

python-can's CSVReader stops at the first line it cannot split or convert; here a line
with the wrong number of fields, a bad number or bad base64 is a bad line with its
number and the rest of the file is still read. The header line is optional.
"""

from __future__ import annotations

import binascii
from collections.abc import Iterator

from carvrooom_desktop.domain.frames import ERROR, EXTENDED_ID, REMOTE, RX, FrameArrays
from drivers.logs.base import FrameColumns, LogReader, line_blocks

HEADER = "timestamp,arbitration_id,extended,remote,error,dlc,data"
_FLAG_VALUES = ("0", "1")


class CsvReader(LogReader):
    format = "csv"

    def _blocks(self) -> Iterator[FrameArrays]:
        for first_line, block in line_blocks(self.path, self.report):
            cols = FrameColumns()
            for k, raw in enumerate(block.split(b"\n")[:-1]):
                self._parse_line(first_line + k, raw, cols)
            yield cols.to_frames()

    def _parse_line(self, line_no: int, raw: bytes, cols: FrameColumns) -> None:
        text = raw.decode("utf-8", "replace").strip()
        if not text or (line_no == 1 and text.replace(" ", "").lower().startswith("timestamp,")):
            self.report.skipped += bool(text)
            return
        fields = text.split(",")
        if len(fields) != 7:
            self.report.add_bad_line(line_no, raw, f"{len(fields)} fields, expected 7 ({HEADER})")
            return
        t, ident, ext, remote, error, dlc, data = (f.strip() for f in fields)
        try:
            timestamp = float(t)
            arbitration_id = int(ident, 16)
            length = int(dlc)
            payload = binascii.a2b_base64(data.encode("ascii"), strict_mode=True) if data else b""
        except (ValueError, binascii.Error, UnicodeEncodeError) as e:
            self.report.add_bad_line(line_no, raw, f"bad value: {e}")
            return
        if ext not in _FLAG_VALUES or remote not in _FLAG_VALUES or error not in _FLAG_VALUES:
            self.report.add_bad_line(line_no, raw, "extended/remote/error must be 0 or 1")
            return
        if not (0 <= arbitration_id <= 0x1FFFFFFF) or not (0 <= length <= 64) or timestamp != timestamp:
            self.report.add_bad_line(line_no, raw, "id, DLC or timestamp out of range")
            return
        flags = RX | (EXTENDED_ID if ext == "1" else 0) | (REMOTE if remote == "1" else 0) | (ERROR if error == "1" else 0)
        cols.add(timestamp, arbitration_id, flags, length, payload)
