"""The technician's whole path on the ELM327-emulator (a peer we did not write), from the CLI:
scan, a 30-second recording, health and offline diagnosis, on its ``car``, ``default`` and
``engineoff`` scenarios, over a pseudo-terminal and over TCP.

What the peer does that our simulator does not (NOTES.md): ``car`` answers the odometer PID
from ECU 7EA with mode byte 0x61 and garbles multi-PID replies; ``default`` advertises no PID 01
and answers NO DATA to every trouble-code mode; ``engineoff`` never reaches a car. Each such
reply must become a line in the report, never the end of the scan.
"""

from __future__ import annotations

import json

import pytest

from carvrooom_desktop.__main__ import main
from tests.integration.elm_emulator import TRANSPORTS, start_emulator

pytestmark = pytest.mark.slow

EMULATOR_VINS = {"WP0ZZZ99ZTS390000", "MAT403096BNL00000", "SB1ZS3JE60E282102"}  # it answers 0902 with one of these
RECORD_SECONDS = 30


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _items(report: dict) -> dict[str, str]:
    return {n["item"]: n["reason"] for n in report["not_read"]}


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("scenario", ["car", "default"])
def test_scan_record_health_and_diagnose(scenario, transport, tmp_path, capsys):
    with start_emulator(scenario, transport, tmp_path) as port:
        code, out, err = _cli(capsys, "scan", "--elm", port, "--json")
        assert code == 0, err
        scan = json.loads(out)
        assert scan["vehicle"]["vin"] in EMULATOR_VINS
        assert scan["supported_pids"] and "0C" in scan["supported_pids"]
        assert scan["ecus"] == {"7E8": scan["supported_pids"]}
        missing = _items(scan)
        assert all(reason for reason in missing.values())
        if scenario == "car":
            # Its odometer reply comes from 7EA with mode byte 0x61: one line in the report, the rest read.
            assert "odometer (PID A6)" in missing and "7EA0661A6" in missing["odometer (PID A6)"]
            assert scan["vehicle"]["odometer_km"] is None
            assert not any("codes" in item for item in missing)  # 43 00: read, and there are none
            assert scan["mil_on"] is False and scan["readiness"]
            assert scan["tests"], "mode 06 answers without the echoed MID; it is still read"
            assert scan["calibration_ids"] and scan["cvns"]
        else:
            assert {"readiness and MIL (PID 01)", "stored codes (mode 03)", "pending codes (mode 07)"} <= set(missing)
            assert "NO DATA" in missing["stored codes (mode 03)"]
            assert scan["mil_on"] is None and scan["dtcs"] == []

        code, _out, err = _cli(capsys, "record", "--elm", port, "--seconds", str(RECORD_SECONDS), "--notes", scenario)
        assert code == 0, err
        recording_id = _out.split()[0]
        code, out, err = _cli(capsys, "sessions", "show", recording_id[:8])
        assert code == 0, err
        assert "engine_speed" in out

        code, out, err = _cli(capsys, "health", "--recording", recording_id, "--json")
        assert code == 0, err
        health = json.loads(out)
        assert health["findings"] and health["scores"]
        code, out, err = _cli(capsys, "diagnose", "--recording", recording_id, "--offline", "--json")
        assert code == 0, err
        diagnosis = json.loads(out)["diagnosis"]
        assert diagnosis["source"] == "offline" and diagnosis["urgency"]


def test_recording_keeps_its_rate_on_the_peer(tmp_path, capsys):
    """The samples of a recording on the peer: every polled signal at the poll rate (10 Hz), none lost."""
    from carvrooom_desktop.storage.store import Store
    from carvrooom_desktop.storage.engine import resolve_url

    with start_emulator("car", "pty", tmp_path) as port:
        code, out, err = _cli(capsys, "record", "--elm", port, "--seconds", "10")
        assert code == 0, err
    recording_id = out.split()[0]
    with Store.open(resolve_url(None, None), origin="test") as store:
        samples = store.recordings.load_samples(store.recordings.find(recording_id).id)
    assert {"engine_speed", "vehicle_speed", "coolant_temp"} <= set(samples)
    for name, (t, _v) in samples.items():
        assert len(t) >= 60, f"{name}: {len(t)} samples in 10 s"  # ≥6 Hz of the 10 Hz poll on a loaded machine


@pytest.mark.parametrize("command", ["health", "diagnose"])
def test_health_and_diagnose_on_a_live_car(command, tmp_path, capsys):
    """CLI parity: ``--elm PORT --seconds N`` records first, then analyses that recording."""
    extra = ["--offline"] if command == "diagnose" else []
    with start_emulator("car", "tcp", tmp_path) as port:
        code, out, err = _cli(capsys, command, "--elm", port, "--seconds", "5", "--json", *extra)
    assert code == 0, err
    assert "recording " in err and "not read: odometer (PID A6)" in err
    result = json.loads(out)
    assert result["source"].startswith("recording ")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_engine_off_says_so_and_keeps_nothing_half_done(transport, tmp_path, capsys):
    """``engineoff``: the adapter answers, the car never does. A clear message, no crash, nothing stored."""
    with start_emulator("engineoff", transport, tmp_path) as port:
        code, _out, err = _cli(capsys, "scan", "--elm", port)
        assert code == 1
        assert "cannot reach the car" in err and "ignition" in err
        code, _out, err = _cli(capsys, "record", "--elm", port, "--seconds", "2")
        assert code == 1 and "ignition" in err
    code, out, _err = _cli(capsys, "sessions", "list")
    assert code == 0 and "ELM327" not in out
