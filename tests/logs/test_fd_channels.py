"""CAN FD payloads, BRS/ESI and bus channels survive every step: read, store (chunk codec v2), export, read back.

The issue's "done when": a BLF and an ASC log of 64-byte FD frames on two channels import,
store, export and read back with python-can byte for byte. Also: every other writer (TRC,
MF4, candump) keeps channel, flags and payloads; a chunk written in the old (v1) format stays
readable, before and after migration 0004, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from carvrooom_desktop.acquisition.log_export import export_recording
from carvrooom_desktop.acquisition.log_import import import_log
from carvrooom_desktop.domain.frames import BRS, ERROR, ESI, EXTENDED_ID, FD, REMOTE, RX, FrameArrays
from carvrooom_desktop.storage.chunks import CODEC, CODEC_V1, chunk_version, decode_chunk, encode_chunk, read_chunk
from drivers.logs import open_log, write_log

FIXTURES = Path(__file__).parent.parent / "acquisition" / "fixtures"
V1_FRAMES = FIXTURES / "frames_chunk_v1.bin"
V1_SAMPLES = FIXTURES / "samples_chunk_v1.bin"


def fd_messages(n: int = 400, seed: int = 5, t0: float = 1_700_000_000.0):
    """64-byte FD frames (BRS/ESI mixed, 11/29-bit, Rx/Tx) on channels 0 and 1, with some classic frames between."""
    import can

    rng = random.Random(seed)
    out = []
    for k in range(n):
        fd = k % 5 != 4
        size = 64 if fd else 8
        out.append(can.Message(
            timestamp=t0 + k * 0.0005, arbitration_id=rng.randrange(0x1FFFFFFF) if k % 3 == 0 else rng.randrange(0x800),
            is_extended_id=k % 3 == 0, is_fd=fd, bitrate_switch=fd and k % 2 == 0, error_state_indicator=fd and k % 7 == 0,
            data=rng.randbytes(size), channel=k % 2, is_rx=k % 4 != 3))
    return out


def write_with(path: Path, messages) -> Path:
    import can

    writer = {"blf": can.BLFWriter, "asc": can.ASCWriter, "log": can.CanutilsLogWriter}[path.suffix[1:]](str(path))
    for m in messages:
        writer.on_message_received(m)
    writer.stop()
    return path


def read_with_python_can(path: Path) -> list:
    import can

    if path.suffix == ".mf4":
        from can.io.mf4 import MF4Reader

        return list(MF4Reader(str(path)))
    return list(can.LogReader(str(path)))


def fields(m, channel_offset: int = 0) -> tuple:
    channel = m.channel + channel_offset if isinstance(m.channel, int) else m.channel
    return (m.arbitration_id, m.is_extended_id, m.is_remote_frame, m.is_error_frame, m.is_fd, m.bitrate_switch,
            m.error_state_indicator, m.is_rx, channel, bytes(m.data))


@pytest.mark.parametrize("fmt", ["blf", "asc"])
def test_fd_frames_on_two_channels_import_store_export_and_read_back_byte_for_byte(store, tmp_path, fmt):
    original = write_with(tmp_path / f"fd_two_channels.{fmt}", fd_messages())
    result = import_log(store, original, chunk_frames=150)  # several chunks
    assert result.report.complete and result.report.frames == 400
    stored = store.recordings.load_frames(result.recording_id)
    assert stored.width == 64 and sorted(stored.channels) == [0, 1]
    assert int(((stored.flags & FD) != 0).sum()) == 320 and int(((stored.flags & BRS) != 0).sum()) == 160
    assert store.recordings.frame_channels(result.recording_id) == [0, 1]
    exported = tmp_path / f"exported.{fmt}"
    assert export_recording(store, result.recording_id, exported, fmt).rows == 400
    ref, back = read_with_python_can(original), read_with_python_can(exported)
    assert len(ref) == len(back) == 400
    for k, (a, b) in enumerate(zip(ref, back, strict=True)):
        assert fields(b) == fields(a), f"frame {k}"
        assert len(b.data) == (64 if a.is_fd else 8) and b.dlc == a.dlc
        assert b.timestamp == pytest.approx(a.timestamp, abs=1e-6)


@pytest.mark.parametrize("fmt", ["trc", "mf4", "candump"])
def test_every_other_writer_keeps_channels_fd_flags_and_payloads(store, tmp_path, fmt):
    messages = fd_messages(200, seed=9)
    result = import_log(store, write_with(tmp_path / "source.blf", messages))
    out = tmp_path / f"exported.{ 'log' if fmt == 'candump' else fmt}"
    assert export_recording(store, result.recording_id, out, fmt).rows == 200
    back = read_with_python_can(out)
    assert len(back) == 200
    for k, (a, b) in enumerate(zip(messages, back, strict=True)):
        if fmt == "trc":  # python-can's TRCReader: bus numbers as written (channel + 1)
            assert fields(b, -1) == fields(a), f"frame {k}"
        elif fmt == "candump":  # python-can's candump names: channel k is "cank"
            assert fields(b)[:8] == fields(a)[:8] and b.channel == f"can{a.channel}" and bytes(b.data) == bytes(a.data)
        else:
            assert fields(b) == fields(a), f"frame {k}"
        assert b.timestamp == pytest.approx(a.timestamp, abs=2e-6)
    again = open_log(out).read_all()  # and our own reader reads the export as it was stored
    stored = store.recordings.load_frames(result.recording_id)
    np.testing.assert_array_equal(again.data, stored.data)
    np.testing.assert_array_equal(again.flags & (FD | BRS | ESI | EXTENDED_ID), stored.flags & (FD | BRS | ESI | EXTENDED_ID))
    if fmt != "candump":
        assert again.channel_names() == stored.channel_names()


def test_trc_export_counts_the_error_frames_it_cannot_hold(tmp_path):
    frames = FrameArrays(np.array([1.0, 1.1, 1.2]), np.array([0x100, 0, 0x7FF], np.uint32),
                         np.array([RX, ERROR | RX, REMOTE], np.uint8), np.array([2, 0, 3], np.uint8),
                         np.array([[1, 2] + [0] * 6, [0] * 8, [0] * 8], np.uint8))
    from drivers.logs import write_log_result

    result = write_log_result(tmp_path / "x.trc", [frames], "trc")
    assert (result.frames, result.skipped) == (2, 1)
    back = read_with_python_can(tmp_path / "x.trc")
    assert [m.arbitration_id for m in back] == [0x100, 0x7FF] and back[1].is_remote_frame and back[1].dlc == 3


@pytest.mark.parametrize("fmt", ["blf", "asc", "trc"])
def test_a_channel_name_ending_in_big_digits_is_written_as_the_first_channel(tmp_path, fmt):
    """The simulator's private bus is ``carvrooom-sim-<8 hex>``: python-can reads trailing digits as a channel
    number, and 12345678 does not fit BLF's 16 bits (it failed one export in ~14)."""
    frames = FrameArrays(np.array([1.0, 1.1]), np.array([0x7E8, 0x7E0], np.uint32), np.array([RX, 0], np.uint8),
                         np.array([8, 8], np.uint8), np.arange(16, dtype=np.uint8).reshape(2, 8),
                         channel=np.array([0, 1], np.uint16), channels=("carvrooom-sim-12345678", "can1"))
    write_log(tmp_path / f"x.{fmt}", [frames], fmt)
    back = read_with_python_can(tmp_path / f"x.{fmt}")
    assert [m.arbitration_id for m in back] == [0x7E8, 0x7E0]
    assert [bytes(m.data) for m in back] == [bytes(range(8)), bytes(range(8, 16))]


def test_candump_fd_flags_and_interfaces_read_as_python_can_reads_them(tmp_path):
    messages = fd_messages(120, seed=3)
    for m in messages:
        m.channel = f"vcan{m.channel}"
    path = write_with(tmp_path / "fd.log", messages)
    frames = open_log(path).read_all()
    ref = read_with_python_can(path)
    assert frames.channels == ("vcan0", "vcan1") and frames.width == 64
    for k, m in enumerate(ref):
        flag = int(frames.flags[k])
        assert (bool(flag & FD), bool(flag & BRS), bool(flag & ESI)) == (m.is_fd, m.bitrate_switch, m.error_state_indicator)
        assert frames.channel_of(k) == m.channel and frames.payload(k) == bytes(m.data)


def test_an_asc_fd_line_with_a_symbolic_name_remote_and_error_frames(tmp_path):
    path = tmp_path / "fd.asc"
    path.write_text(
        "date Sam Sep 30 15:06:13.191 2017\nbase hex  timestamps absolute\ninternal events logged\n"
        "Begin Triggerblock Sam Sep 30 15:06:13.191 2017\n   0.000000 Start of measurement\n"
        "   1.000000 CANFD   2 Rx        30a  Engine_Status                  1 1 d 32 "
        + " ".join(f"{b:02X}" for b in range(32)) + "   102203  133   303000 e0006659 46500250 4b140250 20011736 2001040d\n"
        "   1.100000 CANFD   1 Tx     50005x                                0 0 5 0 140000 73 200050 7a60 46500250 460a0250\n"
        "   1.200000 CANFD   3 Tx ErrorFrame Not Acknowledge error, dominant error flag fffe c7 31ca Arb. 556 44 0 0 f 64\n"
        "   1.300000 CANFD   1 Rx        100                                   0 0 f 64 " + " ".join(["AB"] * 63) + "\n"
        "End TriggerBlock\n")
    reader = open_log(path)
    frames = reader.read_all()
    assert len(frames) == 3 and [b.line_no for b in reader.report.bad_lines] == [9]  # 63 bytes where 64 are announced
    ref = read_with_python_can(path)[:3]
    for k, m in enumerate(ref):
        assert frames.channel_of(k) == m.channel and int(frames.dlc[k]) == m.dlc
        assert frames.payload(k) == bytes(m.data)
        flag = int(frames.flags[k])
        assert (bool(flag & REMOTE), bool(flag & ERROR), bool(flag & BRS), bool(flag & ESI)) == \
            (m.is_remote_frame, m.is_error_frame, m.bitrate_switch, m.error_state_indicator)


# -- chunks written before CAN FD and channels were kept (codec v1) ------------------------------

V1_IDS = [256, 257, 417001744, 2024, 0, 291, 768, 768, 448585456, 2015, 513, 514]
V1_FLAGS = [16, 16, 17, 16, 20, 18, 24, 8, 25, 0, 16, 16]
V1_DLC = [8, 3, 8, 8, 0, 4, 64, 12, 32, 8, 0, 8]


def _check_v1_frames(frames: FrameArrays) -> None:
    assert len(frames) == 12 and frames.width == 8 and frames.channels == (None,) and not frames.channel.any()
    assert frames.arbitration_id.tolist() == V1_IDS and frames.flags.tolist() == V1_FLAGS and frames.dlc.tolist() == V1_DLC
    assert frames.timestamp[0] == 1_700_000_000.0
    assert frames.data[0].tolist() == [139, 74, 229, 241, 169, 65, 6, 160]
    assert frames.data[6].tolist() == [112, 172, 161, 233, 38, 17, 89, 1]  # an FD frame: the 8 bytes v1 kept


def test_a_v1_chunk_decodes_and_v2_carries_the_channel_table():
    blob = V1_FRAMES.read_bytes()
    assert chunk_version(blob) == 1
    columns, meta = read_chunk(blob)
    assert meta == {} and "channel" not in columns
    _check_v1_frames(FrameArrays.from_columns(columns))
    samples = decode_chunk(V1_SAMPLES.read_bytes())
    assert samples["value"].tolist() == [1.5, 2.5, 3.5]
    frames = FrameArrays.from_columns(columns).widened()
    blob2 = encode_chunk(frames.columns(), {"channels": [0, "can1", None]})
    assert chunk_version(blob2) == 2
    columns2, meta2 = read_chunk(blob2)
    assert meta2 == {"channels": [0, "can1", None]} and columns2["data"].shape == (12, 64)


def _insert_v1_recording(engine) -> uuid.UUID:
    """A recording with one v1 frame chunk and one v1 sample chunk, as a store before revision 0004 held them."""
    from datetime import UTC, datetime

    rid = uuid.uuid4()
    now = datetime.now(UTC)
    types = {"id": sa.Uuid(), "vehicle_id": sa.Uuid(), "recording_id": sa.Uuid(), "started_at": sa.DateTime(timezone=True),
             "ended_at": sa.DateTime(timezone=True), "updated_at": sa.DateTime(timezone=True), "signal_names": sa.JSON(),
             "signal_units": sa.JSON(), "payload": sa.LargeBinary()}

    def table(name, *columns):
        return sa.table(name, *(sa.column(c, types.get(c)) for c in columns))

    recordings = table("recordings", "id", "vehicle_id", "vin", "adapter", "started_at", "ended_at", "state", "notes",
                       "frame_count", "sample_count", "signal_names", "signal_units", "updated_at", "version", "origin", "deleted")
    chunks = table("recording_chunks", "id", "recording_id", "kind", "seq", "t_start", "t_end", "count", "codec", "payload",
                   "origin")
    with engine.begin() as conn:
        conn.execute(recordings.insert().values(
            id=rid, vehicle_id=None, vin="", adapter="socketcan can0", started_at=now, ended_at=now, state="finished",
            notes="", frame_count=12, sample_count=3, signal_names=["rpm", "speed"],
            signal_units={"rpm": "rpm", "speed": "km/h"}, updated_at=now, version=1, origin="old", deleted=False))
        for kind, blob, count in (("frames", V1_FRAMES.read_bytes(), 12), ("samples", V1_SAMPLES.read_bytes(), 3)):
            conn.execute(chunks.insert().values(
                id=uuid.uuid4(), recording_id=rid, kind=kind, seq=0, t_start=1_700_000_000.0, t_end=1_700_000_000.011,
                count=count, codec=CODEC_V1, payload=blob, origin="old"))
    return rid


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite3'}"
    return request.getfixturevalue("postgres_url")


def test_a_store_written_before_0004_migrates_and_reads_its_old_chunks(database_url, tmp_path):
    from alembic import command

    from carvrooom_desktop.storage.engine import make_engine, parse_url
    from carvrooom_desktop.storage.migrate import HEAD_REVISION, alembic_config, current_revision
    from carvrooom_desktop.storage.store import Store

    engine = make_engine(parse_url(database_url))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0003_workshop_schedule")
    rid = _insert_v1_recording(engine)
    engine.dispose()
    store = Store.open(database_url)  # migrates to the head revision
    try:
        assert current_revision(store.engine) == HEAD_REVISION
        with store.engine.connect() as conn:
            codecs = conn.execute(sa.text("SELECT kind, codec FROM recording_chunks ORDER BY kind")).all()
        assert [tuple(r) for r in codecs] == [("frames", CODEC_V1), ("samples", CODEC_V1)]
        _check_v1_frames(store.recordings.load_frames(rid))
        _check_v1_frames(FrameArrays.concat(list(store.recordings.iter_frames(rid))))
        _check_v1_frames(store.recordings.load_frame_chunk(rid, 0))
        assert store.recordings.frame_channels(rid) == [None]
        assert store.recordings.load_samples(rid)["rpm"][1].tolist() == [1.5, 2.5]
        # the old recording exports like a new one (channel unknown: python-can's default channel)
        out = tmp_path / "old.blf"
        assert export_recording(store, rid, out, "blf").rows == 12
        back = read_with_python_can(out)
        assert [m.arbitration_id for m in back] == V1_IDS and {m.channel for m in back} == {0}
        # new chunks of the same store are v2
        frames = store.recordings.load_frames(rid).on_one_channel("can1")
        store.recordings.append_frames(rid, 1, frames)
        with store.engine.connect() as conn:
            codec = conn.execute(sa.text("SELECT codec FROM recording_chunks WHERE seq = 1")).scalar()
        assert codec == CODEC
        assert store.recordings.frame_channels(rid) == [None, "can1"]
        both = store.recordings.load_frames(rid)
        assert both.channels == (None, "can1") and both.channel.tolist() == [0] * 12 + [1] * 12
    finally:
        store.close()


def test_frames_written_and_read_through_the_store_keep_every_column(store):
    frames = FrameArrays.concat([
        open_log(write_with(Path(store.engine.url.database).parent / "a.blf", fd_messages(50))).read_all(),
        open_log(write_with(Path(store.engine.url.database).parent / "b.log", fd_messages(30, seed=2))).read_all(),
    ])
    rid = store.recordings.create()
    store.recordings.append_frames(rid, 0, frames.rows(slice(0, 40)))
    store.recordings.append_frames(rid, 1, frames.rows(slice(40, None)))
    back = store.recordings.load_frames(rid)
    for name in ("timestamp", "arbitration_id", "flags", "dlc", "data"):
        np.testing.assert_array_equal(getattr(back, name), getattr(frames, name))
    assert back.channel_names() == frames.channel_names() and set(back.channels) == {0, 1, "can0", "can1"}


def test_write_log_refuses_an_unknown_format(tmp_path):
    from drivers.logs import LogFileError

    with pytest.raises(LogFileError, match="trc"):
        write_log(tmp_path / "x.xyz", [FrameArrays.empty()], "xyz")
