"""CAN log files: read BLF, ASC, TRC, candump, CSV and MF4 as FrameArrays chunks; write BLF, ASC, candump, TRC, MF4.

    reader = open_log("drive.blf")                 # format from the content, then the extension
    for frames in reader.chunks(progress, cancel):  # FrameArrays of <= 65,536 frames
        ...
    reader.report                                   # bad lines (numbered), skipped, stopped_at
"""

from drivers.logs.base import BadLine, LogFileError, LogFormatUnavailable, LogReader, ReadReport
from drivers.logs.formats import EXTENSIONS, LOG_FILE_PATTERNS, READ_FORMATS, WRITE_FORMATS, detect_format, open_log
from drivers.logs.writers import WriteResult, write_log, write_log_result

__all__ = [
    "EXTENSIONS",
    "LOG_FILE_PATTERNS",
    "READ_FORMATS",
    "WRITE_FORMATS",
    "BadLine",
    "LogFileError",
    "LogFormatUnavailable",
    "LogReader",
    "ReadReport",
    "WriteResult",
    "detect_format",
    "open_log",
    "write_log",
    "write_log_result",
]
