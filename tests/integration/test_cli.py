"""The CLI as a user runs it: a subprocess, against the simulated car and a real SQLite file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from carvrooom_desktop.domain import RecordingState
from carvrooom_desktop.storage.store import Store


def carvrooom(*args: str, home, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "CARVROOOM_HOME": str(home)}
    result = subprocess.run([sys.executable, "-m", "carvrooom_desktop", *args], capture_output=True, text=True, env=env, timeout=timeout)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_version(carvrooom_home):
    from carvrooom_desktop import __version__

    assert carvrooom("--version", home=carvrooom_home).stdout.strip() == f"carvrooom {__version__}"


def test_scan_healthy_car(carvrooom_home):
    out = carvrooom("scan", "--sim", home=carvrooom_home).stdout
    assert "Trouble codes: none" in out and "MIL       off" in out and "Readiness" in out


@pytest.mark.parametrize(("fault", "code", "mil"), [("vacuum_leak", "P0171", True), ("misfire_cyl3", "P0303", True),
                                                    ("degraded_catalyst", "P0420", True), ("thermostat_stuck_open", "P0128", True),
                                                    ("failing_alternator", "P0562", False)])  # not emissions-related: no MIL
def test_scan_json_with_a_fault(carvrooom_home, fault, code, mil):
    report = json.loads(carvrooom("scan", "--sim", "--fault", fault, "--json", home=carvrooom_home).stdout)
    assert code in [d["code"] for d in report["dtcs"] if d["kind"] == "stored"]
    assert report["mil_on"] is mil and report["vin"]["valid"] and report["freeze_frames"]


def test_unknown_fault_is_a_usage_error_listing_the_known_ones(carvrooom_home):
    result = carvrooom("scan", "--sim", "--fault", "flux_capacitor", home=carvrooom_home, check=False)
    assert result.returncode == 2 and "flux_capacitor" in result.stderr and "vacuum_leak" in result.stderr


def test_record_then_list_and_show(carvrooom_home):
    out = carvrooom("record", "--sim", "--seconds", "2", "--notes", "idle check", home=carvrooom_home).stdout
    recording_id = out.split()[0]
    listing = json.loads(carvrooom("sessions", "list", "--json", home=carvrooom_home).stdout)
    assert [r["id"] for r in listing] == [recording_id]
    assert listing[0]["state"] == "finished" and listing[0]["frames"] > 100 and listing[0]["samples"] > 20
    shown = carvrooom("sessions", "show", recording_id[:8], home=carvrooom_home).stdout
    assert "engine_speed" in shown and "idle check" in shown


def test_unreachable_database_is_a_clear_error(carvrooom_home):
    result = carvrooom("--db", "postgresql+psycopg://nobody:pw@127.0.0.1:1/none", "sessions", "list", home=carvrooom_home, check=False)
    assert result.returncode == 1 and "cannot open the database" in result.stderr and "pw@" not in result.stderr


def test_killed_while_recording_keeps_what_was_committed(carvrooom_home):
    env = {**os.environ, "CARVROOOM_HOME": str(carvrooom_home)}
    proc = subprocess.Popen([sys.executable, "-m", "carvrooom_desktop", "record", "--sim", "--seconds", "60"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    db = carvrooom_home / "data" / "carvrooom.sqlite3"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:  # wait until at least two chunks are committed
            time.sleep(0.5)
            if db.exists():
                with Store.open(f"sqlite:///{db}") as store:
                    recs = store.recordings.list()
                    if recs and recs[0].sample_count > 20:
                        break
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with Store.open(f"sqlite:///{db}") as store:
        rec = store.recordings.list()[0]
        assert rec.state is RecordingState.RECORDING  # nobody closed it
        assert len(store.recordings.load_samples(rec.id)["engine_speed"][0]) > 0
        assert len(store.recordings.load_frames(rec.id)) == rec.frame_count
