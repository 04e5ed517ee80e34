"""Import a log into a real SQLite store, export it again, compare two recordings."""

from __future__ import annotations

import csv
import threading

import numpy as np
import pytest

from carvrooom_desktop.acquisition.comparison import NotComparable, compare_recordings
from carvrooom_desktop.acquisition.decode import BatchDecoder, load_database
from carvrooom_desktop.acquisition.log_export import export_recording
from carvrooom_desktop.acquisition.log_import import import_log
from carvrooom_desktop.domain import RecordingState
from drivers.logs import LogFileError, open_log
from tests.logs.conftest import WORKSHOP_DBC

VIN = "WVWZZZ1JZXW000001"


def test_import_stores_frames_and_decoded_signals(store, workshop_log_dir):
    path = workshop_log_dir / "drive.blf"
    seen = []
    result = import_log(store, path, dbc=WORKSHOP_DBC, vin=VIN, progress=lambda d, t: seen.append((d, t)), chunk_frames=1000,
                        store_signals=True)
    recording = store.recordings.get(result.recording_id)
    assert recording.state is RecordingState.FINISHED and recording.vin == VIN
    assert recording.frame_count == result.report.frames == 3000
    assert "drive.blf" in recording.notes and "3000 frames" in recording.notes
    assert seen[-1][0] == seen[-1][1]
    frames = store.recordings.load_frames(recording.id)
    original = open_log(path).read_all()
    np.testing.assert_array_equal(frames.data, original.data)
    # the stored samples are exactly what the decoder gives for the whole log
    expected = BatchDecoder(load_database(WORKSHOP_DBC)).decode(original).signals
    samples = store.recordings.load_samples(recording.id)
    assert set(samples) == set(expected) == set(result.signals)
    for name, (t, v) in expected.items():
        np.testing.assert_array_equal(samples[name][0], t)
        np.testing.assert_array_equal(samples[name][1], v)
    assert recording.signal_units["EngineData.EngineSpeed"] == "rpm"
    assert result.undecoded_frames == 750  # the unknown ids in the fixture
    assert store.vehicles.get_by_vin(VIN) is not None
    assert store.vehicles.signal_database_path(VIN) == str(WORKSHOP_DBC.resolve())


def test_import_by_default_stores_frames_only_and_decodes_for_the_report(store, workshop_log_dir):
    result = import_log(store, workshop_log_dir / "drive.asc", dbc=WORKSHOP_DBC)
    recording = store.recordings.get(result.recording_id)
    assert recording.frame_count == 3000 and recording.sample_count == 0 and recording.signal_names == ()
    assert result.signals["EngineData.EngineSpeed"] == 750 and result.signals["BodyExtMux.WindowPos"] == 375
    assert "decoded with workshop_car.dbc" in recording.notes
    raw = import_log(store, workshop_log_dir / "drive.asc")
    assert "not decoded" in store.recordings.get(raw.recording_id).notes


def test_import_of_a_damaged_log_keeps_the_good_lines(store, tmp_path):
    log = tmp_path / "damaged.log"
    log.write_text("(1.0) can0 100#401F500300000000\n(1.1) can0 10#\x00\x01garbage\n(1.2) can0 100#401F500300000000\n")
    result = import_log(store, log, dbc=WORKSHOP_DBC)
    assert result.report.frames == 2 and [b.line_no for b in result.report.bad_lines] == [2]
    recording = store.recordings.get(result.recording_id)
    assert "1 bad line(s)" in recording.notes and "first bad line 2" in recording.notes


def test_cancelled_import_is_kept_as_interrupted(store, workshop_log_dir):
    cancel = threading.Event()

    def progress(done, total):
        cancel.set()  # cancel after the first block

    result = import_log(store, workshop_log_dir / "drive.log", progress=progress, cancel=cancel)
    assert result.cancelled
    assert store.recordings.get(result.recording_id).state is RecordingState.INTERRUPTED


def test_not_a_log_raises_before_anything_is_stored(store, tmp_path):
    junk = tmp_path / "photo.jpg"
    junk.write_bytes(b"\xff\xd8\xff\xe0" + bytes(2000))
    with pytest.raises(LogFileError):
        import_log(store, junk)
    assert store.recordings.list() == []


@pytest.mark.parametrize("fmt", ["blf", "asc", "candump"])
def test_export_frames_round_trip(store, workshop_log_dir, tmp_path, fmt):
    result = import_log(store, workshop_log_dir / "drive.blf", chunk_frames=500)
    out = tmp_path / f"export.{fmt}"
    done = []
    exported = export_recording(store, result.recording_id, out, fmt, progress=lambda d, t: done.append((d, t)))
    assert exported.rows == 3000 and done[-1] == (3000, 3000)
    back = open_log(out, fmt).read_all()
    original = store.recordings.load_frames(result.recording_id)
    np.testing.assert_array_equal(back.arbitration_id, original.arbitration_id)
    np.testing.assert_array_equal(back.data, original.data)


def test_csv_export_aligns_polled_samples_and_decoded_frames(store, tmp_path):
    """A live-style recording: polled samples (OBD) + raw frames; the CSV puts both on one time grid."""
    from tests.logs.conftest import workshop_messages

    repo = store.recordings
    rid = repo.create(vin=VIN, signal_units={"coolant_temp": "degC"})
    messages = workshop_messages(400, t0=100.0)  # 0.8 s of frames, t = 100.000 .. 100.798
    from drivers.logs.pycan import add_message
    from drivers.logs.base import FrameColumns

    cols = FrameColumns()
    for m in messages:
        add_message(cols, m)
    repo.append_frames(rid, 0, cols.to_frames())
    repo.append_samples(rid, 0, np.zeros(3, np.uint16), np.array([100.0, 100.35, 100.7]), np.array([80.0, 81.0, 82.0]))
    repo.finish(rid)
    out = tmp_path / "aligned.csv"
    result = export_recording(store, rid, out, "csv", dbc=WORKSHOP_DBC, period=0.1)
    rows = list(csv.reader(out.open()))
    header = rows[0]
    assert header[:2] == ["time_s", "coolant_temp [degC]"] and "EngineData.EngineSpeed [rpm]" in header
    assert result.rows == len(rows) - 1 == 8  # 0.0 .. 0.7 s
    col = {h: i for i, h in enumerate(header)}
    times = [float(r[0]) for r in rows[1:]]
    assert times == pytest.approx([0.1 * k for k in range(8)])
    coolant = [float(r[col["coolant_temp [degC]"]]) for r in rows[1:]]
    assert coolant == [80, 80, 80, 80, 81, 81, 81, 82]  # latest value at or before each row
    # the engine speed at row k is the last EngineData frame at or before t0 + 0.1 k
    speed_col = col["EngineData.EngineSpeed [rpm]"]
    decoded = BatchDecoder(load_database(WORKSHOP_DBC)).decode(repo.load_frames(rid)).signals["EngineData.EngineSpeed"]
    for k, row in enumerate(rows[1:]):
        idx = np.searchsorted(decoded[0], 100.0 + 0.1 * k + 1e-12, side="right") - 1
        assert float(row[speed_col]) == pytest.approx(decoded[1][idx])


def test_csv_export_streams_in_windows(store, tmp_path, monkeypatch):
    import carvrooom_desktop.acquisition.log_export as log_export

    monkeypatch.setattr(log_export, "WINDOW_S", 0.25)  # many windows over a 1 s recording
    repo = store.recordings
    rid = repo.create(signal_units={"rpm": "rpm", "volts": "V"})
    t = np.arange(0, 1.0, 0.01) + 50.0
    repo.append_samples(rid, 0, np.zeros(len(t), np.uint16), t, np.arange(len(t), dtype=float))
    repo.append_samples(rid, 1, np.ones(2, np.uint16), np.array([50.5, 50.95]), np.array([12.0, 14.0]))
    out = tmp_path / "windows.csv"
    export_recording(store, rid, out, "csv", period=0.05)
    rows = list(csv.reader(out.open()))[1:]
    assert len(rows) == 20
    assert [float(r[1]) for r in rows] == pytest.approx([5.0 * k for k in range(20)])
    assert [r[2] for r in rows[:10]] == [""] * 10 and float(rows[10][2]) == 12.0 and float(rows[19][2]) == 14.0


def test_cancelled_export_leaves_no_file(store, workshop_log_dir, tmp_path):
    result = import_log(store, workshop_log_dir / "drive.blf", chunk_frames=500)
    cancel = threading.Event()
    cancel.set()
    out = tmp_path / "x.blf"
    assert export_recording(store, result.recording_id, out, "blf", cancel=cancel).cancelled
    assert not out.exists()
    with pytest.raises(ValueError, match="cannot export"):
        export_recording(store, result.recording_id, out, "xls")
    with pytest.raises(ValueError, match="raw frames only"):
        export_recording(store, result.recording_id, tmp_path / "x.csv", "csv")


def _recording(store, vin, temps, dtcs):
    repo = store.recordings
    rid = repo.create(vin=vin, signal_units={"coolant_temp": "degC", "engine_speed": "rpm"})
    t = 1000.0 + np.arange(len(temps), dtype=float)
    idx = np.concatenate([np.zeros(len(t), np.uint16), np.ones(len(t), np.uint16)])
    repo.append_samples(rid, 0, idx, np.concatenate([t, t]), np.concatenate([temps, np.full(len(t), 800.0)]))
    repo.finish(rid)
    if dtcs is not None:
        store.vehicles.add_scan(None, {"dtcs": [{"code": c, "description": f"text {c}"} for c in dtcs]}, rid)
    return rid


def test_before_after_comparison(store):
    before = _recording(store, VIN, np.linspace(20, 70, 101), ["P0128", "P0171"])
    after = _recording(store, VIN, np.linspace(20, 90, 51), ["P0171", "P0300"])
    result = compare_recordings(store, before, after)
    by_name = {s.name: s for s in result.signals}
    coolant = by_name["coolant_temp"]
    assert coolant.unit == "degC"
    assert coolant.before.max == 70 and coolant.after.max == 90 and coolant.delta("max") == 20
    assert coolant.before.p95 == pytest.approx(np.percentile(np.linspace(20, 70, 101), 95))
    assert coolant.before.count == 101 and coolant.after.count == 51
    assert by_name["engine_speed"].delta("mean") == 0
    t_before, _ = result.series["coolant_temp"][0]
    assert t_before[0] == 0 and t_before[-1] == 100  # common time base: seconds from each start
    assert result.duration_s == (100.0, 50.0)
    assert result.dtcs.fixed == ("P0128",) and result.dtcs.remaining == ("P0171",) and result.dtcs.new == ("P0300",)
    assert result.dtcs.descriptions["P0128"] == "text P0128"


def test_comparison_without_a_scan_says_codes_are_unknown(store):
    before = _recording(store, VIN, np.full(10, 80.0), None)
    after = _recording(store, VIN, np.full(10, 85.0), [])
    result = compare_recordings(store, before, after, signals=["coolant_temp", "missing_signal"])
    assert result.dtcs.before is None and result.dtcs.after == () and not result.dtcs.known
    assert any("unknown" in w for w in result.warnings) and any("missing_signal" in w for w in result.warnings)
    assert [s.name for s in result.signals] == ["coolant_temp", "missing_signal"]
    assert result.signals[1].before is None


def test_comparison_refuses_two_vehicles(store):
    a = _recording(store, VIN, np.full(5, 80.0), [])
    b = _recording(store, "JH4KA7561PC008269", np.full(5, 80.0), [])
    with pytest.raises(NotComparable, match="different vehicles"):
        compare_recordings(store, a, b)
    with pytest.raises(NotComparable):
        compare_recordings(store, a, a)


def test_comparison_decodes_frames_with_a_dbc(store, workshop_log_dir):
    first = import_log(store, workshop_log_dir / "drive.blf", vin=VIN).recording_id  # raw frames only
    second = import_log(store, workshop_log_dir / "drive.asc", vin=VIN).recording_id
    result = compare_recordings(store, first, second, dbc=WORKSHOP_DBC, signals=["EngineData.CoolantTemp"])
    row = result.signals[0]
    assert row.before is not None and row.before == row.after  # the same drive written in two formats


@pytest.mark.postgres
def test_import_and_compare_on_the_shared_postgresql(postgres_url, workshop_log_dir, tmp_path):
    """The workshop's shared database: same import, export and comparison as on SQLite."""
    from carvrooom_desktop.storage.store import Store

    with Store.open(postgres_url, origin="ws-pg") as pg:
        first = import_log(pg, workshop_log_dir / "drive.blf", dbc=WORKSHOP_DBC, vin=VIN, chunk_frames=1000)
        second = import_log(pg, workshop_log_dir / "drive.log", dbc=WORKSHOP_DBC, vin=VIN)
        assert pg.recordings.get(first.recording_id).frame_count == 3000
        out = tmp_path / "pg.csv"
        assert export_recording(pg, first.recording_id, out, "csv", period=1.0, dbc=WORKSHOP_DBC).rows == 6
        result = compare_recordings(pg, first.recording_id, second.recording_id, dbc=WORKSHOP_DBC)
        engine = {s.name: s for s in result.signals}["EngineData.EngineSpeed"]
        assert engine.before == engine.after and engine.before.count == 750


def test_a_forced_wrong_format_is_refused_before_a_recording_exists(store, workshop_log_dir):
    for fmt in ("blf", "mf4"):
        with pytest.raises(LogFileError, match="not a"):
            import_log(store, workshop_log_dir / "drive.asc", format=fmt)
    assert store.recordings.list() == []


def test_a_store_failure_mid_import_keeps_the_chunks_written(store, workshop_log_dir, monkeypatch):
    """The disk fills on the third chunk: the error reaches the caller, the first two chunks stay readable."""
    from sqlalchemy.exc import OperationalError

    real = store.recordings.append_chunk
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OperationalError("INSERT", {}, Exception("database or disk is full"))
        return real(*args, **kwargs)

    monkeypatch.setattr(store.recordings, "append_chunk", failing)
    with pytest.raises(OperationalError):
        import_log(store, workshop_log_dir / "drive.blf", chunk_frames=500)
    (recording,) = store.recordings.list()
    assert recording.state is RecordingState.INTERRUPTED and recording.frame_count == 1000
    assert len(store.recordings.load_frames(recording.id)) == 1000
