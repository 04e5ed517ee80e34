"""Writing frames to log files: BLF, ASC and MF4 through python-can's writers, candump and TRC with our own.

Every writer writes each frame's channel, its FD/BRS/ESI flags and its whole payload (up to
64 bytes). Channels follow python-can's convention: an int channel ``k`` is the file's
channel ``k + 1`` (BLF, ASC, TRC; MF4 stores ``k`` as python-can does), a name such as
``can1`` is channel 1 + 1 (python-can's ``channel2int``), an unknown channel is the first.

TRC: python-can's TRCWriter leaves out CAN FD, remote and error frames, so TRC 2.1 is
written here, in the layout python-can's TRCReader reads back (types DT, FD, FB, FE, BI,
RR). TRC has no error frames that python-can reads: they are left out and counted in
:attr:`WriteResult.skipped`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from typing import TYPE_CHECKING, cast

from carvrooom_desktop.domain.frames import BRS, ERROR, ESI, EXTENDED_ID, FD, FD_LENGTHS, REMOTE, RX, Channel, FrameArrays
from drivers.logs.base import LogFileError, LogFormatUnavailable
from drivers.logs.candump import write_candump

if TYPE_CHECKING:
    import can
    from can.io.mf4 import MF4Writer

WRITE_FORMATS = ("blf", "asc", "candump", "trc", "mf4")


@dataclass(slots=True)
class WriteResult:
    frames: int = 0  # frames written
    skipped: int = 0  # frames the format cannot hold (TRC: error frames)


def write_log(path: str | os.PathLike[str], chunks: Iterable[FrameArrays], format: str) -> int:
    """Write every frame of ``chunks`` to ``path`` as ``format`` (one of WRITE_FORMATS); returns the frames written."""
    return write_log_result(path, chunks, format).frames


def write_log_result(path: str | os.PathLike[str], chunks: Iterable[FrameArrays], format: str) -> WriteResult:
    format = format.lower()
    if format not in WRITE_FORMATS:
        raise LogFileError(f"cannot write {format!r} logs; choose one of {', '.join(WRITE_FORMATS)}")
    try:
        if format == "candump":
            return WriteResult(write_candump(path, chunks))
        if format == "trc":
            return write_trc(path, chunks)
        return _write_python_can(path, chunks, format)
    except OSError as e:
        raise LogFileError(f"cannot write {os.fspath(path)}: {e.strerror or e}") from e


def _writer(path: str, format: str) -> can.BLFWriter | can.ASCWriter | MF4Writer:
    import can

    if format == "blf":
        return can.BLFWriter(path)
    if format == "asc":
        return can.ASCWriter(path)
    try:
        from can.io.mf4 import MF4Writer
    except ImportError as e:  # pragma: no cover - asammdf is a dependency
        raise LogFormatUnavailable("writing MF4 needs the asammdf package") from e
    try:
        return MF4Writer(path)
    except NotImplementedError as e:  # python-can says so when asammdf is missing
        raise LogFormatUnavailable(f"writing MF4 needs the asammdf package ({e})") from e


def _write_python_can(path: str | os.PathLike[str], chunks: Iterable[FrameArrays], format: str) -> WriteResult:
    writer = _writer(os.fspath(path), format)
    result = WriteResult()
    asc, blf = format == "asc", format == "blf"
    try:
        for frames in chunks:
            on_message = writer.on_message_received
            for msg in to_messages(frames, classic_dlc_codes=asc):
                if blf and _channel_number(msg.channel) is None:
                    msg.channel = None  # BLF holds a 16-bit channel: a name that is no channel number is the file's first
                if asc and msg.is_error_frame and msg.is_fd:
                    # python-can's ASCWriter writes every error frame as a classic one; CANoe's CAN FD error line:
                    cast("can.ASCWriter", writer).log_event(f"CANFD {_bus(msg.channel):>3} {'Rx' if msg.is_rx else 'Tx'} ErrorFrame", msg.timestamp)
                else:
                    on_message(msg)
            result.frames += len(frames)
    finally:
        writer.stop()
    return result


_CODE_OF_LENGTH = {length: code for code, length in enumerate(FD_LENGTHS) if code > 8}


def to_messages(frames: FrameArrays, *, classic_dlc_codes: bool = False) -> Iterator[can.Message]:
    """python-can Messages of ``frames``: channel, flags (FD, BRS, ESI) and the whole payload of each.

    ``classic_dlc_codes``: a classic frame whose DLC is a CAN FD length above 8 (12 ... 64) gets
    that length's DLC code, the inverse of python-can's ASCReader (``d D`` is read as 32):
    python-can's ASCWriter writes the DLC as given.
    """
    import can

    channels = frames.channels
    lengths = frames.lengths().tolist()
    raw = frames.data.tobytes()
    width = frames.width
    for k, (t, ident, flag, dlc, length, code) in enumerate(zip(
            frames.timestamp.tolist(), frames.arbitration_id.tolist(), frames.flags.tolist(), frames.dlc.tolist(), lengths,
            frames.channel.tolist(), strict=True)):
        fd = bool(flag & FD)
        if classic_dlc_codes and not fd and dlc in _CODE_OF_LENGTH:
            dlc = _CODE_OF_LENGTH[dlc]
        yield can.Message(
            timestamp=t, arbitration_id=ident, is_extended_id=bool(flag & EXTENDED_ID), is_remote_frame=bool(flag & REMOTE),
            is_error_frame=bool(flag & ERROR), is_fd=fd, is_rx=bool(flag & RX), bitrate_switch=bool(flag & BRS),
            error_state_indicator=bool(flag & ESI), dlc=dlc, data=raw[k * width:k * width + length],
            channel=channels[code], check=False,
        )


# -- TRC 2.1 -------------------------------------------------------------------------------------

_TRC_TYPES = {0: "FD", BRS: "FB", BRS | ESI: "FE", ESI: "BI"}


def _len2dlc(length: int) -> int:
    for code, size in enumerate(FD_LENGTHS):
        if size >= length:
            return code
    return 15


def _bus(name: Channel) -> int:
    """python-can's rule: an int (or a name ending in digits) ``k`` is bus ``k + 1``; unknown is bus 1."""
    number = _channel_number(name)
    return 1 if number is None else number + 1


def _channel_number(name: Channel) -> int | None:
    """python-can's channel number of a name (``can1`` -> 1), or None when it has none a log file can hold:
    the simulator's private ``carvrooom-sim-1a2b3c45`` ends in digits that are no bus number."""
    from can.util import channel2int

    number = channel2int(cast("int | str | None", name))  # our channel names are python-can's
    return number if number is not None and 0 <= number < 0xFFFF else None


def write_trc(path: str | os.PathLike[str], chunks: Iterable[FrameArrays]) -> WriteResult:
    """TRC 2.1 (PEAK), as python-can's TRCWriter lays it out, with FD and remote frames too."""
    result = WriteResult()
    path = os.fspath(path)
    first: float | None = None
    number = 0
    with open(path, "w", encoding="ascii", newline="\r\n") as f:
        for frames in chunks:
            if not len(frames):
                continue
            if first is None:
                first = float(frames.timestamp[0])
                f.write(_trc_header(path, first))
            buses = [_bus(c) for c in frames.channels]
            lengths = frames.lengths().tolist()
            raw = frames.data.tobytes()
            width = frames.width
            lines = []
            for k, (t, ident, flag, dlc, length, code) in enumerate(zip(
                    frames.timestamp.tolist(), frames.arbitration_id.tolist(), frames.flags.tolist(), frames.dlc.tolist(),
                    lengths, frames.channel.tolist(), strict=True)):
                if flag & ERROR:
                    result.skipped += 1
                    continue
                number += 1
                ident_text = f"{ident:08X}" if flag & EXTENDED_ID else f"{ident:04X}"
                if flag & REMOTE:
                    kind, code_text, data = "RR", dlc, ""
                elif flag & FD:
                    kind, code_text = _TRC_TYPES[flag & (BRS | ESI)], _len2dlc(length)
                    data = raw[k * width:k * width + length].hex(" ").upper()
                else:
                    kind, code_text, data = "DT", dlc, raw[k * width:k * width + length].hex(" ").upper()
                lines.append(f"{number:>7} {(t - first) * 1000:13.3f} {kind} {buses[code]:>2} {ident_text:>8} "
                             f"{'Rx' if flag & RX else 'Tx':>2} -  {code_text:<4} {data}\n")
                result.frames += 1
            f.write("".join(lines))
        if first is None:
            f.write(_trc_header(path, datetime.now(UTC).timestamp()))
    return result


def _trc_header(path: str, first: float) -> str:
    start = datetime.fromtimestamp(first, UTC)
    days = (start - datetime(1899, 12, 30, tzinfo=UTC)) / timedelta(days=1)
    lines = [
        ";$FILEVERSION=2.1",
        f";$STARTTIME={days!r}",
        ";$COLUMNS=N,O,T,B,I,d,R,L,D",
        ";",
        f";   {os.path.abspath(path)}",
        ";",
        f";   Start time: {start}",
        ";   Generated by CarVrooom Desktop",
        ";-------------------------------------------------------------------------------",
        ";   Message   Time    Type    ID     Rx/Tx",
        ";   Number    Offset  |  Bus  [hex]  |  Reserved",
        ";   |         [ms]    |  |    |      |  |  Data Length Code",
        ";   |         |       |  |    |      |  |  |    Data [hex] ...",
        ";   |         |       |  |    |      |  |  |    |",
        ";---+-- ------+------ +- +- --+----- +- +- +--- +- -- -- -- -- -- -- --",
    ]
    return "".join(line + "\n" for line in lines)
