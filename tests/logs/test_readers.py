"""Every reader against python-can's own reader on files python-can wrote; damage is reported, never raised."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from carvrooom_desktop.domain.frames import ERROR, EXTENDED_ID, REMOTE, RX, FrameArrays
from drivers.logs import LogFileError, detect_format, open_log, write_log

FORMATS = {"blf": "blf", "asc": "asc", "log": "candump", "csv": "csv", "trc": "trc", "mf4": "mf4"}


def _reference(path):
    import can

    return list(can.LogReader(str(path)))


@pytest.mark.parametrize("ext", list(FORMATS))
def test_reader_equals_python_can(workshop_log_dir, ext):
    path = workshop_log_dir / f"drive.{ext}"
    assert detect_format(path) == FORMATS[ext]
    reader = open_log(path, chunk_frames=700)  # several chunks
    chunks = list(reader.chunks())
    assert len(chunks) > 1 and all(len(c) <= 700 for c in chunks)
    frames = FrameArrays.concat(chunks)
    ref = _reference(path)
    assert len(frames) == len(ref) == reader.report.frames
    assert reader.report.bad_line_count == 0 and reader.report.stopped_at is None
    for k, m in enumerate(ref):
        assert frames.arbitration_id[k] == m.arbitration_id
        assert bool(frames.flags[k] & EXTENDED_ID) == m.is_extended_id
        assert bool(frames.flags[k] & REMOTE) == m.is_remote_frame
        assert bool(frames.flags[k] & ERROR) == m.is_error_frame
        if ext not in ("csv", "mf4"):  # python-can's CSV has no direction column; its MF4 reader marks all received
            assert bool(frames.flags[k] & RX) == m.is_rx
        assert frames.dlc[k] == m.dlc
        assert frames.data[k, : len(m.data)].tobytes() == bytes(m.data)
        assert frames.timestamp[k] == pytest.approx(m.timestamp, abs=2e-6)


def test_progress_reaches_total_and_cancel_stops(workshop_log_dir):
    path = workshop_log_dir / "drive.asc"
    calls = []
    reader = open_log(path, chunk_frames=100)
    list(reader.chunks(lambda d, t: calls.append((d, t))))
    assert calls[-1][0] == calls[-1][1] == path.stat().st_size
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:], strict=False))
    cancel = threading.Event()
    cancel.set()
    reader = open_log(path)
    list(reader.chunks(cancel=cancel))
    assert reader.report.cancelled and not reader.report.complete


def test_text_logs_report_bad_lines_with_their_numbers(tmp_path):
    candump = tmp_path / "mixed.log"
    candump.write_text("(1.000000) can0 123#0102\n"
                       "this is not a frame\n"
                       "(1.100000) can0 12G#00\n"
                       "(1.200000) can0 1ABCDEF0#DEADBEEF R\n"
                       "(1.300000) can0 123#012\n"
                       "\n"
                       "(1.400000) can0 7DF#R\n")
    reader = open_log(candump)
    frames = reader.read_all()
    assert frames.arbitration_id.tolist() == [0x123, 0x1ABCDEF0, 0x7DF]
    assert [b.line_no for b in reader.report.bad_lines] == [2, 3, 5]
    assert "odd number of hex digits" in reader.report.bad_lines[2].reason

    csv = tmp_path / "mixed.csv"
    csv.write_text("timestamp,arbitration_id,extended,remote,error,dlc,data\n"
                   "1.0,0x123,0,0,0,2,AQI=\n"
                   "1.1,0x123,0,0,0,2\n"
                   "1.2,zz,0,0,0,2,AQI=\n"
                   "1.3,0x1abcdef0,1,0,0,1,/w==\n"
                   "1.4,0x123,0,0,0,2,@@@\n")
    reader = open_log(csv)
    frames = reader.read_all()
    assert frames.arbitration_id.tolist() == [0x123, 0x1ABCDEF0]
    assert frames.data[1, 0] == 0xFF
    assert [b.line_no for b in reader.report.bad_lines] == [3, 4, 6]


def test_asc_mixed_content(tmp_path):
    asc = tmp_path / "mixed.asc"
    asc.write_text("date Mon Nov 24 10:00:00.000 2026\nbase hex  timestamps absolute\nno internal events logged\n"
                   "Begin Triggerblock Mon Nov 24 10:00:00.000 2026\n"
                   "   0.000000 Start of measurement\n"
                   "   0.010000 1  100             Rx   d 8 40 1F 50 03 00 00 00 00\n"
                   "   0.020000 1  100             Rx   d 8 40 1F 50\n"  # damaged: fewer bytes than its DLC
                   "   0.030000 1  ErrorFrame\n"
                   "(1.000000) can0 123#0102\n"  # a candump line in an ASC file
                   "   0.040000 1  18FEF100x       Tx   d 2 AA BB\n"
                   "   0.050000 CANFD   1 Rx        123                                   1 0 8  8 11 22 33 44 55 66 77 88        0    0      1000        0        0        0        0        0\n"
                   "End TriggerBlock\n")
    reader = open_log(asc)
    frames = reader.read_all()
    assert frames.arbitration_id.tolist() == [0x100, 0, 0x18FEF100, 0x123]
    assert frames.flags[1] & ERROR and frames.flags[2] & EXTENDED_ID and not frames.flags[2] & RX
    assert [b.line_no for b in reader.report.bad_lines] == [7, 9]


def test_truncated_and_corrupted_blf_keep_what_is_valid(workshop_log_dir, tmp_path):
    whole = (workshop_log_dir / "drive.blf").read_bytes()
    full = open_log(workshop_log_dir / "drive.blf").read_all()
    cut = tmp_path / "cut.blf"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    reader = open_log(cut)
    frames = reader.read_all()
    assert 0 < len(frames) < len(full)
    assert reader.report.stopped_at and "ends inside" in reader.report.stopped_at
    np.testing.assert_array_equal(frames.arbitration_id, full.arbitration_id[: len(frames)])

    broken = bytearray(whole)
    broken[300:340] = b"\xAA" * 40  # inside the first container's compressed data
    bad = tmp_path / "broken.blf"
    bad.write_bytes(bytes(broken))
    reader = open_log(bad)
    frames = reader.read_all()
    assert reader.report.notes and not reader.report.complete
    assert len(frames) <= len(full)


def test_blf_with_uncompressed_containers_and_cut_objects(tmp_path, workshop_log_dir):
    """Objects that span containers are joined (python-can writes 128 kB containers; we force tiny ones)."""
    import can

    from tests.logs.conftest import workshop_messages

    path = tmp_path / "tiny.blf"
    writer = can.BLFWriter(str(path), compression_level=0)
    writer.max_container_size = 100  # objects cut across containers
    for m in workshop_messages(200):
        writer.on_message_received(m)
    writer.stop()
    frames = open_log(path).read_all()
    ref = list(can.BLFReader(str(path)))
    assert len(frames) == len(ref) == 200
    assert frames.arbitration_id.tolist() == [m.arbitration_id for m in ref]


def test_unreadable_files_raise_a_clear_error(tmp_path):
    with pytest.raises(LogFileError, match="cannot open"):
        open_log(tmp_path / "missing.blf")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(LogFileError, match="neither BLF nor MF4"):
        open_log(junk)
    fake = tmp_path / "fake.blf"
    fake.write_text("hello")
    with pytest.raises(LogFileError, match="not one"):
        open_log(fake)


def test_renamed_logs_are_read_by_their_content(workshop_log_dir, tmp_path):
    renamed = tmp_path / "drive.txt"
    renamed.write_bytes((workshop_log_dir / "drive.asc").read_bytes())
    assert detect_format(renamed) == "asc"
    blf_as_log = tmp_path / "drive.log"
    blf_as_log.write_bytes((workshop_log_dir / "drive.blf").read_bytes())
    assert detect_format(blf_as_log) == "blf"


@pytest.mark.parametrize("fmt", ["blf", "asc", "candump"])
def test_writers_round_trip(workshop_log_dir, tmp_path, fmt):
    frames = open_log(workshop_log_dir / "drive.blf").read_all()
    out = tmp_path / f"out.{fmt}"
    assert write_log(out, [frames], fmt) == len(frames)
    back = open_log(out, fmt).read_all()
    assert len(back) == len(frames)
    np.testing.assert_array_equal(back.arbitration_id, frames.arbitration_id)
    np.testing.assert_array_equal(back.dlc, frames.dlc)
    np.testing.assert_array_equal(back.data, frames.data)
    np.testing.assert_array_equal(back.flags & (EXTENDED_ID | RX | REMOTE), frames.flags & (EXTENDED_ID | RX | REMOTE))


def test_blf_with_mixed_object_kinds(tmp_path):
    """Classic, CAN FD, remote and error frames interleaved: object sizes change, the fast path must step aside."""
    import can

    rng = __import__("random").Random(5)
    messages = []
    for k in range(600):
        kind = rng.choice(["classic", "classic", "fd", "remote", "error"])
        t = 10.0 + k * 0.001
        if kind == "fd":
            messages.append(can.Message(timestamp=t, arbitration_id=rng.randrange(0x800), is_fd=True,
                                        data=rng.randbytes(rng.choice([8, 12, 16, 32, 64]))))
        elif kind == "remote":
            messages.append(can.Message(timestamp=t, arbitration_id=rng.randrange(0x800), is_remote_frame=True, dlc=4))
        elif kind == "error":
            messages.append(can.Message(timestamp=t, is_error_frame=True))
        else:
            messages.append(can.Message(timestamp=t, arbitration_id=rng.randrange(1 << 29), is_extended_id=True,
                                        data=rng.randbytes(rng.randrange(9))))
    path = tmp_path / "mixed.blf"
    writer = can.BLFWriter(str(path))
    for m in messages:
        writer.on_message_received(m)
    writer.stop()
    ref = list(can.BLFReader(str(path)))
    frames = open_log(path).read_all()
    assert len(frames) == len(ref) == 600
    for k, m in enumerate(ref):
        assert bool(frames.flags[k] & ERROR) == m.is_error_frame
        if m.is_error_frame:
            continue
        assert frames.arbitration_id[k] == m.arbitration_id
        assert bool(frames.flags[k] & REMOTE) == m.is_remote_frame
        assert frames.dlc[k] == (len(m.data) if m.is_fd else m.dlc)
        assert frames.data[k, : min(8, len(m.data))].tobytes() == bytes(m.data[:8])
        assert frames.timestamp[k] == pytest.approx(m.timestamp, abs=2e-6)


def test_blf_with_a_damaged_object_size_reads_on(workshop_log_dir, tmp_path):
    """A container whose size field is garbage: skipped, the reader finds the next object and goes on."""
    import can

    from tests.logs.conftest import workshop_messages

    path = tmp_path / "many.blf"
    writer = can.BLFWriter(str(path))
    writer.max_container_size = 4096  # many containers
    for m in workshop_messages(1000):
        writer.on_message_received(m)
    writer.stop()
    blob = bytearray(path.read_bytes())
    first = blob.index(b"LOBJ", 144)
    blob[first + 8:first + 12] = (0x7FFFFFF0).to_bytes(4, "little")  # the first container's size
    bad = tmp_path / "bad-size.blf"
    bad.write_bytes(bytes(blob))
    reader = open_log(bad)
    frames = reader.read_all()
    assert reader.report.damaged and reader.report.stopped_at is None
    assert 800 < len(frames) < 1000  # only the first container is lost
