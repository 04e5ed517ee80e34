"""``carvrooom import / export / decode`` as a user runs them: a subprocess against a real SQLite file."""

from __future__ import annotations

import csv
import os
import subprocess
import sys

import pytest

from drivers.logs import open_log
from tests.logs.conftest import WORKSHOP_DBC


def carvrooom(*args, home, check=True):
    env = {**os.environ, "CARVROOOM_HOME": str(home)}
    result = subprocess.run([sys.executable, "-m", "carvrooom_desktop", *map(str, args)], capture_output=True, text=True,
                            env=env, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_import_then_export_every_format(carvrooom_home, workshop_log_dir, tmp_path):
    out = carvrooom("import", workshop_log_dir / "drive.blf", "--dbc", WORKSHOP_DBC, "--vin", "WVWZZZ1JZXW000001", home=carvrooom_home)
    recording_id, summary = out.stdout.strip().split("  ", 1)
    assert "3000 frames" in summary and "signal(s) decoded" in summary
    assert "\r" not in out.stderr  # no progress bar when stderr is not a terminal
    listing = carvrooom("sessions", "list", home=carvrooom_home).stdout
    assert recording_id[:8] in listing and "WVWZZZ1JZXW000001" in listing
    for fmt, ext in (("blf", "blf"), ("asc", "asc"), ("candump", "log")):
        target = tmp_path / f"again.{ext}"
        carvrooom("export", recording_id[:8], "--format", fmt, "-o", target, home=carvrooom_home)
        assert len(open_log(target).read_all()) == 3000
    target = tmp_path / "signals.csv"
    carvrooom("export", recording_id[:8], "--format", "csv", "-o", target, "--period", "0.5", home=carvrooom_home)
    rows = list(csv.reader(target.open()))
    assert rows[0][0] == "time_s" and "EngineData.EngineSpeed [rpm]" in rows[0] and len(rows) > 5
    again = carvrooom("export", recording_id[:8], "--format", "csv", "-o", target, home=carvrooom_home, check=False)
    assert again.returncode == 1 and "--force" in again.stderr


def test_decode_to_csv(carvrooom_home, workshop_log_dir, tmp_path):
    target = tmp_path / "decoded.csv"
    out = carvrooom("decode", workshop_log_dir / "drive.asc", "--dbc", WORKSHOP_DBC, "-o", target, home=carvrooom_home)
    assert "3000 frames" in out.stderr
    rows = list(csv.reader(target.open()))
    assert rows[0] == ["time_s", "signal", "value", "unit", "label"]
    gears = [r for r in rows[1:] if r[1] == "EngineData.Gear"]
    assert gears and {r[4] for r in gears} <= {"Park", "Reverse", "Neutral", "Drive"}
    times = [float(r[0]) for r in rows[1:]]
    assert times == sorted(times)


@pytest.mark.parametrize(("args", "message"), [
    (("import", "/no/such/file.blf"), "no such file"),
    (("decode", "{notes}", "--dbc", WORKSHOP_DBC), "not a CAN log"),
    (("decode", "{notes}", "--dbc", "/no/such.dbc"), "no such file"),
    (("export", "ffffffff", "--format", "csv"), "no recording"),
])
def test_clear_errors(carvrooom_home, tmp_path, args, message):
    notes = tmp_path / "notes.txt"
    notes.write_text("Customer says the engine stalls when cold.\n")
    result = carvrooom(*(str(a).format(notes=notes) for a in args), home=carvrooom_home, check=False)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_progress_is_drawn_only_on_a_terminal():
    import io

    from carvrooom_desktop.cli.import_log import TerminalProgress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = TerminalProgress("importing x.blf", stream=stream)
        bar(0, 2_000_000)
        bar(2_000_000, 2_000_000)
        bar.done()
    assert "\rimporting x.blf  100.0%  2.0/2.0 MB" in tty.getvalue()
    assert pipe.getvalue() == ""


def test_fd_log_on_two_channels_with_a_database_per_channel(carvrooom_home, tmp_path):
    """``--dbc 1=FD.dbc --dbc 2=car.dbc``: each channel decoded with its own database; export to every frame format."""
    import random

    import can
    import cantools

    from tests.logs.test_decoder_fd import HYUNDAI

    hyundai = cantools.database.load_file(str(HYUNDAI), strict=False)
    workshop = cantools.database.load_file(str(WORKSHOP_DBC))
    engine = workshop.get_message_by_name("EngineData")
    rng = random.Random(8)
    log = tmp_path / "two_buses.blf"
    writer = can.BLFWriter(str(log))
    for k in range(400):
        if k % 2:
            m = hyundai.get_message_by_frame_id(0x100) if k == 1 else rng.choice(hyundai.messages)  # 0x100: EngineData on bus 2
            msg = can.Message(arbitration_id=m.frame_id, data=rng.randbytes(m.length), is_fd=True, bitrate_switch=True, channel=0)
        else:
            data = engine.encode({"EngineSpeed": 2000, "CoolantTemp": 90, "Gear": 3, "ThrottlePos": 10}, strict=False)
            msg = can.Message(arbitration_id=engine.frame_id, data=data, channel=1)
        writer.on_message_received(can.Message(timestamp=1.7e9 + k * 1e-3, **{a: getattr(msg, a) for a in (
            "arbitration_id", "data", "is_fd", "bitrate_switch", "channel")}))
    writer.stop()
    out = carvrooom("import", log, "--dbc", f"1={HYUNDAI}", "--dbc", f"2={WORKSHOP_DBC}", home=carvrooom_home)
    recording_id, summary = out.stdout.strip().split("  ", 1)
    assert "400 frames" in summary and "signal(s) decoded" in summary
    decoded = tmp_path / "decoded.csv"
    carvrooom("decode", log, "--dbc", f"1={HYUNDAI}", "--dbc", f"2={WORKSHOP_DBC}", "-o", decoded, home=carvrooom_home)
    rows = list(csv.reader(decoded.open()))[1:]
    speeds = {r[2] for r in rows if r[1] == "EngineData.EngineSpeed"}
    assert speeds == {"2000"}  # channel 2 only: the FD bus's id 0x100 frames are not read as EngineData
    fd_messages = {m.name for m in hyundai.messages}
    assert len({r[1].split(".")[0] for r in rows} & fd_messages) > 20  # and channel 1 with the FD database
    for fmt, ext in (("trc", "trc"), ("mf4", "mf4"), ("blf", "blf"), ("asc", "asc"), ("candump", "log")):
        target = tmp_path / f"again.{ext}"
        carvrooom("export", recording_id[:8], "--format", fmt, "-o", target, home=carvrooom_home)
        back = open_log(target).read_all()
        assert len(back) == 400 and back.width == 64, fmt
        assert len(back.present_channels()) == 2, fmt
