"""``carvrooom health`` and ``carvrooom rul``, through the real CLI entry point (COMMANDS)."""

import json
from pathlib import Path

import pytest

from carvrooom_desktop.cli import COMMANDS, build_parser, health, rul, run_cli


def parse(argv):
    return build_parser().parse_args(argv)


def test_health_and_rul_are_registered():
    assert health in COMMANDS and rul in COMMANDS


def test_health_sim_with_a_fault_as_json(capsys):
    args = parse(["health", "--sim", "--fault", "failing_alternator", "--minutes", "4", "--json"])
    assert args.run(args) == 0
    out = json.loads(capsys.readouterr().out)
    charging = [f for f in out["findings"] if f["system"] == "charging" and f["enough_data"]]
    assert charging and max(f["severity"] for f in charging) in ("warning", "critical")
    assert any(s["system"] == "charging" and s["score"] < 60 for s in out["scores"]["systems"])


def test_health_sim_table(capsys):
    args = parse(["health", "--sim", "--minutes", "3"])
    assert args.run(args) == 0
    text = capsys.readouterr().out
    assert "Scores" in text and "vehicle" in text


def test_health_rejects_bad_minutes_and_fault_without_sim():
    with pytest.raises(ValueError):
        args = parse(["health", "--sim", "--minutes", "0"])
        args.run(args)
    with pytest.raises(SystemExit):
        parse(["health", "--fault", "x"])  # needs --sim or --recording


def test_rul_evaluate_needs_datasets(monkeypatch, tmp_path):
    from carvrooom_desktop.errors import CarVrooomError

    monkeypatch.setattr(rul, "DEV_DATASETS", tmp_path / "absent")
    monkeypatch.delenv(rul.ENV, raising=False)
    args = parse(["rul", "evaluate", "battery"])
    with pytest.raises(CarVrooomError):
        args.run(args)


def test_health_on_a_stored_recording_keeps_pad_wear_with_the_vehicle(tmp_path, capsys):
    from carvrooom_desktop.health.sources import store_simulated_drive
    from carvrooom_desktop.storage.health_models import HealthModelRepository
    from carvrooom_desktop.storage.store import Store

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    with Store.open(url) as store:
        rid, vehicle_id = store_simulated_drive(store, ("misfire_cyl3",), minutes=6.0)
    assert run_cli(["--db", url, "health", "--recording", str(rid)[:8], "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["source"] == f"recording {rid}"
    ignition = [f for f in out["findings"] if f["system"] == "ignition" and f["enough_data"]]
    assert any(f["severity"] == "critical" and "cylinder 3" in f["check"] for f in ignition)
    assert out["rul"][0]["name"] == "brake_pads_front" and out["rul"][0]["estimate"]["lower"] is not None
    with Store.open(url) as store:
        assert HealthModelRepository(store.engine).get(vehicle_id, "brake_pads_front") is not None
    # A table for people, with the wear-item estimates.
    assert run_cli(["--db", url, "health", "--recording", str(rid)[:8]]) == 0
    text = capsys.readouterr().out
    assert "Remaining life of wear items" in text and "Front brake pads" in text


def test_health_errors_are_clear(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert run_cli(["--db", url, "health", "--recording", "abc"]) == 1
    assert "no recording matches" in capsys.readouterr().err
    assert run_cli(["health", "--sim", "--fault", "flux_capacitor"]) == 2
    assert run_cli(["health", "--sim", "--minutes", "-1"]) == 1


DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets"


@pytest.mark.skipif(not (DATASETS / "nasa_battery").is_dir(), reason="shared datasets absent")
def test_rul_evaluate_battery_prints_the_table_beside_the_published_error(capsys):
    assert run_cli(["rul", "evaluate", "battery", "--datasets", str(DATASETS)]) == 0
    text = capsys.readouterr().out
    assert "B0005" in text and "0.179" in text and "mean RE" in text


@pytest.mark.slow
@pytest.mark.skipif(not (DATASETS / "cmapss" / "test_FD001.txt").is_file(), reason="shared datasets absent")
def test_rul_evaluate_cmapss_prints_the_table_beside_the_published_one(capsys):
    assert run_cli(["rul", "evaluate", "cmapss", "--subset", "FD001", "--datasets", str(DATASETS)]) == 0
    text = capsys.readouterr().out
    row = next(line for line in text.splitlines() if line.startswith("FD001 "))
    rmse = float(row.split()[2])
    assert rmse < 14.0  # 11.94 when measured; the DCNN of Li et al. 2018 reports 12.61
    assert "DCNN, Li, Ding, Sun 2018" in text and "This work" in text
