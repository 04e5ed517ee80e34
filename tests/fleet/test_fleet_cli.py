"""``carvrooom fleet seed|list|show`` end to end on a SQLite file."""

from __future__ import annotations

import json

from carvrooom_desktop.cli import run_cli


def test_fleet_cli_seed_list_show(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'fleet.sqlite3'}"
    assert run_cli(["--db", db, "fleet", "seed", "--vehicles", "8", "--today", "2026-12-04", "--json"]) == 0
    seeded = json.loads(capsys.readouterr().out)
    assert seeded["vehicles"] == 8 and seeded["visits"] > 30
    assert run_cli(["--db", db, "fleet", "seed", "--vehicles", "8"]) == 1  # a store holds one fleet
    assert "already holds a fleet" in capsys.readouterr().err
    assert run_cli(["--db", db, "fleet", "list", "--today", "2026-12-04", "--json"]) == 0
    view = json.loads(capsys.readouterr().out)
    assert view["kpis"]["vehicles"] == 8 and len(view["vehicles"]) == 8
    vin = view["vehicles"][0]["vin"]
    assert run_cli(["--db", db, "fleet", "list", "--role", "service manager"]) == 0
    assert "technician" in capsys.readouterr().out
    assert run_cli(["--db", db, "fleet", "show", vin, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["vin"] == vin
    assert run_cli(["--db", db, "fleet", "show", "1HGCM82633A004352"]) == 1
