"""Which reader for which file: the content decides (magic bytes, first lines), the extension breaks ties.

A ``.log`` that holds ASC lines is read as ASC; a renamed BLF is still a BLF. A file whose
content matches no format raises :class:`LogFileError` naming the formats we read.
"""

from __future__ import annotations

import os
import re

from drivers.logs.asc import AscReader
from drivers.logs.base import LogFileError, LogReader
from drivers.logs.blf import BlfReader
from drivers.logs.candump import CandumpReader
from drivers.logs.csvlog import CsvReader
from drivers.logs.mf4 import Mf4Reader
from drivers.logs.trc import TrcReader
from drivers.logs.writers import WRITE_FORMATS

READERS: dict[str, type[LogReader]] = {
    "blf": BlfReader, "asc": AscReader, "trc": TrcReader, "candump": CandumpReader, "csv": CsvReader, "mf4": Mf4Reader,
}
READ_FORMATS = tuple(READERS)
__all__ = ["EXTENSIONS", "LOG_FILE_PATTERNS", "READERS", "READ_FORMATS", "WRITE_FORMATS", "detect_format", "open_log"]
EXTENSIONS = {".blf": "blf", ".asc": "asc", ".trc": "trc", ".log": "candump", ".csv": "csv", ".mf4": "mf4", ".mdf": "mf4"}
LOG_FILE_PATTERNS = " ".join(f"*{ext}" for ext in EXTENSIONS)  # for file dialogs and drag-and-drop

_CANDUMP = re.compile(rb"^\s*\(\d+(\.\d*)?\)\s+\S+\s+[0-9A-Fa-f]{1,8}#", re.MULTILINE)
_ASC = re.compile(rb"^\s*(date\s|base\s+(hex|dec)|begin triggerblock|\d+\.\d+\s+\d+\s+[0-9A-Fa-f]+x?\s+(Rx|Tx)\s)",
                  re.MULTILINE | re.IGNORECASE)
_TRC = re.compile(rb"^;\s*\$FILEVERSION|^;\s*Start time:|^\s*\d+\)\s+\d+\.\d+\s", re.MULTILINE)
_CSV = re.compile(rb"^\s*timestamp\s*,\s*arbitration_id|^\s*\d+(\.\d*)?(e[-+]?\d+)?,0x[0-9A-Fa-f]+,[01],[01],[01],\d+,",
                  re.MULTILINE | re.IGNORECASE)


def detect_format(path: str | os.PathLike[str]) -> str:
    """The log format of ``path``: one of READ_FORMATS."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            head = f.read(16384)
    except OSError as e:
        raise LogFileError(f"cannot open {path}: {e.strerror or e}") from e
    if head[:4] == b"LOGG":
        return "blf"
    if head[:3] == b"MDF":
        return "mf4"
    by_ext = EXTENSIONS.get(os.path.splitext(path)[1].lower())
    found = [name for name, rx in (("candump", _CANDUMP), ("asc", _ASC), ("trc", _TRC), ("csv", _CSV)) if rx.search(head)]
    if by_ext in found:
        return by_ext
    if found:
        return found[0]
    if by_ext in ("blf", "mf4"):
        raise LogFileError(f"{path}: named .{by_ext} but its header is not one ({head[:8]!r})")
    if b"\0" in head:
        raise LogFileError(f"{path}: a binary file that is neither BLF nor MF4")
    if by_ext:
        return by_ext  # nothing recognisable yet (an empty or damaged log): read it and report the bad lines
    raise LogFileError(f"{path}: not a CAN log this program reads ({', '.join(READ_FORMATS)})")


def open_log(path: str | os.PathLike[str], format: str | None = None, *, chunk_frames: int | None = None) -> LogReader:
    """A reader for ``path``; ``format`` forces one of READ_FORMATS instead of detecting it."""
    name = (format or detect_format(path)).lower()
    if name not in READERS:
        raise LogFileError(f"unknown log format {name!r}; known: {', '.join(READ_FORMATS)}")
    kwargs = {"chunk_frames": chunk_frames} if chunk_frames else {}
    return READERS[name](path, **kwargs)
