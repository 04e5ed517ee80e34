"""Vector BLF logs: our own reader, vectorised per log container, tolerant of damage.

Layout (as python-can's BLFReader and Toby Lorenz' vector_blf read it): a ``LOGG`` file
header, then ``LOBJ`` objects; log containers (type 10) hold zlib-compressed runs of
further objects, which may span containers. Per container, a short Python loop only
walks the object headers (16 bytes each) to find the frames; their fields are then
gathered with numpy in one go, so a frame costs no Python object. Types read: CAN_MESSAGE
(1), CAN_MESSAGE2 (86), CAN_FD_MESSAGE (100), CAN_FD_MESSAGE_64 (101), CAN_ERROR_EXT (73);
other objects are counted as skipped. Fields as python-can's BLFReader reads them: the
channel (python-can's ``channel - 1``), FD, BRS and ESI flags, the DLC code as a length
(``dlc2len``: codes above 15 mean 64, as in python-can), the payload's valid bytes (up to 64;
CAN_FD_MESSAGE_64 data cut by the object's end is zero-padded, python-can issue 1905), and an
error frame's id, DLC and data.

Damage: a container that does not decompress is skipped and noted; a broken object chain
is resynchronised at the next ``LOBJ`` signature; a file cut short keeps everything
before the cut (``report.stopped_at`` says where).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator, Sequence

import numpy as np

from carvrooom_desktop.domain.frames import BRS, CLASSIC_WIDTH, ERROR, ESI, EXTENDED_ID, FD, FD_WIDTH, REMOTE, RX, FrameArrays
from drivers.logs.base import LogFileError, LogReader

FILE_HEADER = struct.Struct("<4sLBBBBBBBBQQLL8H8H")
OBJ_BASE = struct.Struct("<4sHHLL")
CONTAINER = struct.Struct("<H6xL4x")
CAN_MESSAGE, LOG_CONTAINER, CAN_ERROR_EXT, CAN_MESSAGE2, CAN_FD_MESSAGE, CAN_FD_MESSAGE_64 = 1, 10, 73, 86, 100, 101
_FRAME_TYPES = (CAN_MESSAGE, CAN_MESSAGE2, CAN_FD_MESSAGE, CAN_FD_MESSAGE_64, CAN_ERROR_EXT)
_FD_LEN = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64] + [64] * 240, np.uint8)  # python-can's dlc2len
_READ = 1 << 20
_MAX_OBJECT = 64 << 20  # log containers hold ~128 kB; anything near this is a damaged size field


class BlfReader(LogReader):
    format = "blf"
    magic = b"LOGG"

    def _blocks(self) -> Iterator[FrameArrays]:
        report = self.report
        with open(self.path, "rb") as f:
            head = f.read(FILE_HEADER.size)
            if len(head) < FILE_HEADER.size or head[:4] != b"LOGG":
                raise LogFileError(f"{self.path}: not a BLF file (no LOGG header)")
            header = FILE_HEADER.unpack(head)
            self.start_time = _systemtime(header[14:22])
            f.seek(header[1])
            report.bytes_read = header[1]
            announced = header[10]  # file size the writer recorded when it closed the file
            if report.total_bytes < header[1]:
                report.stopped_at = f"the file ends inside its header ({report.total_bytes} of {header[1]} bytes)"
                return
            if announced > report.total_bytes:
                report.add_damage(f"the header says the file has {announced} bytes, it has {report.total_bytes}: cut short")
            tail = b""  # objects that continue in the next container
            buffer = b""
            at_eof = False
            while True:
                if len(buffer) < OBJ_BASE.size and not at_eof:
                    more = f.read(_READ)
                    at_eof = not more
                    buffer += more
                if len(buffer) < OBJ_BASE.size:
                    if buffer.strip(b"\0"):
                        report.stopped_at = f"byte {report.bytes_read}: the file ends inside an object header"
                    break
                signature, _hsize, _hver, obj_size, obj_type = OBJ_BASE.unpack_from(buffer)
                # a size past the end of a file that is not cut short (or absurd) is a damaged size field
                beyond = obj_size > report.total_bytes - report.bytes_read and announced <= report.total_bytes
                if signature != b"LOBJ" or obj_size < OBJ_BASE.size or obj_size > _MAX_OBJECT or beyond:
                    skip = _resync(buffer, 1)
                    report.add_damage(f"byte {report.bytes_read}: damaged object; skipped {skip if skip >= 0 else len(buffer)} bytes")
                    if skip < 0:
                        report.bytes_read += max(0, len(buffer) - 3)
                        buffer = buffer[-3:] if not at_eof else b""
                        if at_eof:
                            break
                        continue
                    report.bytes_read += skip
                    buffer = buffer[skip:]
                    continue
                size = obj_size + obj_size % 4
                while len(buffer) < size and not at_eof:
                    more = f.read(max(_READ, size - len(buffer)))
                    at_eof = not more
                    buffer += more
                if len(buffer) < obj_size:
                    report.stopped_at = f"byte {report.bytes_read}: the file ends inside an object ({obj_size} bytes announced)"
                    if obj_type == LOG_CONTAINER and len(buffer) > OBJ_BASE.size + CONTAINER.size:
                        body = buffer[OBJ_BASE.size:]  # a cut container: inflate what is there
                        payload, _problem = _inflate(body[CONTAINER.size:]) if CONTAINER.unpack_from(body)[0] == 2 else \
                            (body[CONTAINER.size:], None)
                        report.bytes_read += len(buffer)
                        yield _parse_objects(tail + payload, self)[0]
                    break
                body = buffer[OBJ_BASE.size:obj_size]
                buffer = buffer[size:]
                report.bytes_read += size
                if obj_type != LOG_CONTAINER:
                    # Frames live in containers; python-can reads nothing else either. Said, not silent:
                    # a damaged type field makes a whole container of frames look like this.
                    report.skipped += 1
                    if len(report.notes) < 100:
                        report.notes.append(f"byte {report.bytes_read - size}: object of type {obj_type} "
                                            f"({size} bytes) is not a log container; skipped")
                    continue
                method, _ = CONTAINER.unpack_from(body)
                payload = body[CONTAINER.size:]
                if method == 2:
                    try:
                        payload = zlib.decompress(payload)
                    except zlib.error:
                        payload, problem = _inflate(payload)
                        report.add_damage(f"byte {report.bytes_read - size}: a damaged log container ({problem}); "
                                            f"kept the {len(payload)} bytes before the damage")
                        frames, _cut = _parse_objects(tail + payload, self)
                        tail = b""
                        yield frames
                        continue
                elif method != 0:
                    report.notes.append(f"unknown compression method {method}; container skipped")
                    report.skipped += 1
                    continue
                frames, tail = _parse_objects(tail + payload, self)
                yield frames
            report.bytes_read = min(report.bytes_read, report.total_bytes)


def _inflate(payload: bytes) -> tuple[bytes, str | None]:
    """What a damaged or cut zlib stream still gives, block by block, and why it stopped."""
    inflater = zlib.decompressobj()
    out: list[bytes] = []
    for i in range(0, len(payload), 4096):
        try:
            out.append(inflater.decompress(payload[i:i + 4096]))
        except zlib.error as e:
            return b"".join(out), str(e)
    return b"".join(out), None if inflater.eof else "cut short"


def _resync(data: bytes, start: int) -> int:
    return data.find(b"LOBJ", start)


def _systemtime(st: Sequence[int]) -> float:
    import datetime

    try:
        return datetime.datetime(st[0], st[1], st[3], st[4], st[5], st[6], st[7] * 1000, tzinfo=datetime.UTC).timestamp()
    except ValueError:
        return 0.0


def _parse_objects(data: bytes, reader: BlfReader) -> tuple[FrameArrays, bytes]:
    """Frames of a run of objects; returns the bytes of an object cut at the end of the run."""
    report = reader.report
    unpack = OBJ_BASE.unpack_from
    n = len(data)
    pos = 0
    where: list[int] = []  # start of each frame object
    kinds: list[int] = []
    versions: list[int] = []
    sizes: list[int] = []
    cooldown = 0
    while pos + OBJ_BASE.size <= n:
        signature, header_size, _version, obj_size, obj_type = unpack(data, pos)
        if signature != b"LOBJ":
            nxt = data.find(b"LOBJ", pos + 1)
            if nxt < 0 or nxt - pos > 8:  # more than padding: damage inside the container
                report.add_damage(f"damaged object inside a container; resynchronised ({(nxt if nxt >= 0 else n) - pos} bytes skipped)")
            if nxt < 0:  # keep a few bytes: they may be the start of an object cut by the container end
                return _gather(data, where, kinds, versions, sizes, reader), data[pos:] if n - pos < 24 else b""
            pos = nxt
            continue
        if obj_size < OBJ_BASE.size:
            pos += 4
            continue
        if pos + obj_size > n:
            break  # continues in the next container
        if obj_type in _FRAME_TYPES and header_size in (32, 40) and obj_size >= header_size + 16:
            run = 1
            if cooldown:
                cooldown -= 1
            elif obj_size % 4 == 0:
                run = _same_objects(data, pos, obj_size, header_size, obj_type)
                cooldown = 0 if run > 1 else 32  # mixed object sizes: walk them one by one for a while
            if run > 1:  # a run of same-sized frames (the usual case): their positions without a Python step each
                where.extend(range(pos, pos + run * obj_size, obj_size))
                kinds.extend([obj_type] * run)
                versions.extend([header_size] * run)
                sizes.extend([obj_size] * run)
                pos += run * obj_size
                continue
            where.append(pos)
            kinds.append(obj_type)
            versions.append(header_size)
            sizes.append(obj_size)
        else:
            report.skipped += 1
        pos += obj_size
    return _gather(data, where, kinds, versions, sizes, reader), data[pos:]


_HEADER_VIEW = np.dtype([("signature", "S4"), ("header_size", "<u2"), ("header_version", "<u2"), ("size", "<u4"), ("type", "<u4")])


def _same_objects(data: bytes, pos: int, size: int, header_size: int, obj_type: int) -> int:
    """How many objects from ``pos`` on are back to back with the same size, header and type (>= 1)."""
    available = (len(data) - pos) // size
    if available < 8:
        return 1
    count = min(available, 64)  # a short look first: mixed runs stay cheap
    while True:
        heads = np.ndarray((count,), _HEADER_VIEW, buffer=data, offset=pos, strides=(size,))
        same = (heads["signature"] == b"LOBJ") & (heads["size"] == size) & (heads["header_size"] == header_size) \
            & (heads["type"] == obj_type)
        if not same.all():
            return max(1, int(np.argmin(same)))
        if count == available:
            return count
        count = available


def _field(buf: np.ndarray, offsets: np.ndarray, dtype: str) -> np.ndarray:
    size = np.dtype(dtype).itemsize
    return buf[offsets[:, None] + np.arange(size)].copy().view(dtype).reshape(-1)


def _gather(data: bytes, where: list[int], kinds: list[int], versions: list[int], sizes: list[int],
            reader: BlfReader) -> FrameArrays:
    if not where:
        return FrameArrays.empty()
    buf = np.frombuffer(data + bytes(160), np.uint8)  # padding: a short last object cannot index past the end
    pos = np.array(where, np.int64)
    kind = np.array(kinds, np.int64)
    header_size = np.array(versions, np.int64)
    body = pos + header_size
    time_flags = _field(buf, pos + 16, "<u4")
    ticks = _field(buf, pos + 24, "<u8").astype(np.float64)
    timestamp = ticks * np.where(time_flags == 1, 1e-5, 1e-9) + reader.start_time
    n = len(pos)
    ident = np.zeros(n, np.uint32)
    flags = np.zeros(n, np.uint8)
    dlc = np.zeros(n, np.uint8)
    channel = _field(buf, body, "<u2").astype(np.int64)  # u2 at the start of every frame object but CAN_FD_MESSAGE_64
    length = np.zeros(n, np.int64)  # data bytes the object holds
    data_at = np.zeros(n, np.int64)  # where they start

    classic = (kind == CAN_MESSAGE) | (kind == CAN_MESSAGE2)
    if classic.any():
        b = body[classic]
        f = buf[b + 2]
        ident[classic] = _field(buf, b + 4, "<u4")
        dlc[classic] = buf[b + 3]
        flags[classic] = np.where(f & 0x80, REMOTE, 0) | np.where(f & 0x01, 0, RX)
        length[classic] = np.minimum(buf[b + 3], CLASSIC_WIDTH)
        data_at[classic] = b + 8
    fd = kind == CAN_FD_MESSAGE
    if fd.any():
        b = body[fd]
        f, fd_flags = buf[b + 2], buf[b + 13]
        ident[fd] = _field(buf, b + 4, "<u4")
        dlc[fd] = _FD_LEN[buf[b + 3]]
        flags[fd] = np.where(f & 0x80, REMOTE, 0) | np.where(f & 0x01, 0, RX) | np.where(fd_flags & 0x01, FD, 0) \
            | np.where(fd_flags & 0x02, BRS, 0) | np.where(fd_flags & 0x04, ESI, 0)
        length[fd] = np.minimum(buf[b + 14], FD_WIDTH)  # valid data bytes
        data_at[fd] = b + 20
    fd64 = kind == CAN_FD_MESSAGE_64
    if fd64.any():
        b = body[fd64]
        channel[fd64] = buf[b]
        ident[fd64] = _field(buf, b + 4, "<u4")
        dlc[fd64] = _FD_LEN[buf[b + 1]]
        fd_flags = _field(buf, b + 12, "<u4")
        direction = buf[b + 34]
        flags[fd64] = np.where(fd_flags & 0x0010, REMOTE, 0) | np.where(fd_flags & 0x1000, FD, 0) | np.where(direction, 0, RX) \
            | np.where(fd_flags & 0x2000, BRS, 0) | np.where(fd_flags & 0x4000, ESI, 0)
        ext_offset = buf[b + 35].astype(np.int64)
        end = np.where(ext_offset > 0, ext_offset, np.array(sizes, np.int64)[fd64]) - header_size[fd64] - 40
        length[fd64] = np.clip(np.minimum(buf[b + 2], end), 0, FD_WIDTH)  # python-can issue 1905: the rest is zeros
        data_at[fd64] = b + 40
    err = kind == CAN_ERROR_EXT
    if err.any():
        b = body[err]
        flags[err] = ERROR | RX
        ident[err] = _field(buf, b + 16, "<u4")
        dlc[err] = buf[b + 10]
        length[err] = np.minimum(buf[b + 10], CLASSIC_WIDTH)
        data_at[err] = b + 24
    flags |= np.where(ident & 0x80000000, EXTENDED_ID, 0).astype(np.uint8)
    length[(flags & REMOTE) != 0] = 0
    width = FD_WIDTH if int(length.max()) > CLASSIC_WIDTH else CLASSIC_WIDTH
    columns = np.arange(width)
    payload = buf[data_at[:, None] + columns]
    payload[columns[None, :] >= length[:, None]] = 0  # bytes beyond the valid ones are not part of the frame
    codes, table = _channels(channel - 1)
    return FrameArrays(timestamp, ident & np.uint32(0x1FFFFFFF), flags.astype(np.uint8), dlc, payload, codes, table)


def _channels(channel: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
    """python-can's channel numbers (``field - 1``) -> codes into a table of ints."""
    first = int(channel[0])
    if (channel == first).all():
        return np.zeros(len(channel), np.uint8), (first,)
    values, codes = np.unique(channel, return_inverse=True)
    return codes.astype(np.uint8 if len(values) <= 256 else np.uint16), tuple(int(v) for v in values)
