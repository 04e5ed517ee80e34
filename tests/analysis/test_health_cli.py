"""``carvrooom health`` and ``carvrooom rul`` subcommands, registered on a parser of their own
(the lead adds them to carvrooom_desktop.cli.COMMANDS)."""

import argparse
import json

import pytest

from carvrooom_desktop.cli import health, rul


def parse(argv):
    parser = argparse.ArgumentParser(prog="carvrooom")
    parser.add_argument("--db")
    sub = parser.add_subparsers(dest="command")
    health.add_parser(sub)
    rul.add_parser(sub)
    return parser.parse_args(argv)


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
