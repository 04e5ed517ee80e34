"""``carvrooom schedule``: solve a problem file, and the store workflow (add, optimise, list, show, export-ics)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from carvrooom_desktop.cli import run_cli
from carvrooom_desktop.workshop.scheduling.problem import SCHEMA_PATH

EXAMPLE = str(SCHEMA_PATH.parent / "example-week.json")
ROOT = Path(__file__).resolve().parents[2]


def test_solve_example_as_json(capsys):
    assert run_cli(["schedule", "solve", EXAMPLE, "--json", "--deterministic", "--time-limit", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "OPTIMAL" and out["gap"] == 0 and out["objective"] <= out["greedy_objective"]
    assert {"objective", "greedy_objective", "best_bound", "wall_time_s", "first_plan_s"} <= set(out)
    assert {u["job"]: u["reason"] for u in out["unschedulable"]} == {
        "RO-1010": "no bay of type 'adas calibration'", "RO-1011": "part 'timing belt kit' has no delivery date"}
    assert len({b["job"] for b in out["bookings"]}) == 10


def test_solve_example_as_text_and_calendars(capsys, tmp_path):
    assert run_cli(["schedule", "solve", EXAMPLE, "--deterministic", "--time-limit", "3", "--ics", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("status OPTIMAL (cp-sat)  objective ") and "dispatcher" in out and "gap 0.0%" in out
    assert "Mon 07 Dec 2026" in out and "RO-1003A (wheel alignment)" in out
    assert "not scheduled:\n  RO-1010 (ADAS camera calibration): no bay of type 'adas calibration'" in out
    assert (tmp_path / "technician-Ana.ics").exists() and (tmp_path / "bay-Alignment.ics").exists()


def test_bad_problem_file_is_a_clear_error(capsys, tmp_path):
    data = json.loads(Path(EXAMPLE).read_text())
    data["jobs"][4]["hours"] = -1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    assert run_cli(["schedule", "solve", str(bad)]) == 1
    assert capsys.readouterr().err == f'carvrooom: {bad}: jobs[4] "RO-1004": hours must be a positive number, got -1\n'


def test_store_workflow(capsys, tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'shop.sqlite3'}"]
    assert run_cli(["schedule", "add", "hours", "mon-fri=08:00-17:00", *db]) == 0
    assert run_cli(["schedule", "add", "bay", "Lift 1", "--type", "general lift", *db]) == 0
    assert run_cli(["schedule", "add", "technician", "Ana", "--skill", "brakes", "--skill", "general service",
                    "--shift", "mon-fri=08:00-16:30/12:00-12:30", *db]) == 0
    assert run_cli(["schedule", "add", "job", "--title", "brake pads", "--hours", "1.5", "--skill", "brakes", "--bay-type",
                    "general lift", "--reference", "RO-1", "--promised", "2026-12-07T12:00+01:00", *db]) == 0
    assert run_cli(["schedule", "add", "job", "--title", "inspection", "--hours", "1", "--skill", "general service", "--bay-type",
                    "general lift", "--reference", "RO-2", "--after", "RO-1:15", *db]) == 0
    capsys.readouterr()
    # a job nobody here can do: refused, nothing saved
    assert run_cli(["schedule", "add", "job", "--title", "weld", "--hours", "1", "--skill", "welding", "--bay-type", "general lift",
                    "--reference", "RO-3", *db]) == 1
    assert "no technician has the skill 'welding'" in capsys.readouterr().err
    assert run_cli(["schedule", "optimise", "--start", "2026-12-07T08:00+01:00", "--days", "3", "--deterministic",
                    "--time-limit", "2", *db]) == 0
    out = capsys.readouterr().out
    assert "wrote 2 booking(s)" in out and "tentative" in out
    assert run_cli(["schedule", "list", "--json", *db]) == 0
    board = {r["reference"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(board) == {"RO-1", "RO-2"} and board["RO-1"]["status"] == "planned"
    assert board["RO-1"]["booked"][0]["bay"] == "Lift 1" and board["RO-1"]["booked"][0]["status"] == "tentative"
    assert run_cli(["schedule", "show", "--technician", "ana", "--start", "2026-12-07T00:00+01:00", *db]) == 0
    shown = capsys.readouterr().out
    assert "Ana" in shown and "RO-1 (brake pads)" in shown and "RO-2 (inspection)" in shown
    assert run_cli(["schedule", "export-ics", "--out", str(tmp_path / "ics"), "--start", "2026-12-07T00:00+01:00", *db]) == 0
    assert sorted(p.name for p in (tmp_path / "ics").iterdir()) == ["bay-Lift_1.ics", "technician-Ana.ics"]


def test_add_file_with_a_job_nobody_can_do_saves_nothing(capsys, tmp_path):
    data = json.loads(Path(EXAMPLE).read_text())
    data["jobs"][0]["skill"] = "welding"
    shop = tmp_path / "shop.json"
    shop.write_text(json.dumps(data))
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    assert run_cli(["schedule", "add", "file", str(shop), "--db", url]) == 1
    err = capsys.readouterr().err
    assert 'job "RO-1001" (oil and filter service): no technician has the skill \'welding\'' in err
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        for table in ("workshop_bays", "workshop_technicians", "workshop_jobs", "workshop_shifts"):
            assert conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
    engine.dispose()


def test_the_cli_imports_no_ortools_until_a_solve_runs():
    code = ("import sys\nfrom carvrooom_desktop.cli import build_parser\nimport carvrooom_desktop.cli.schedule\n"
            "import carvrooom_desktop.workshop.scheduling, carvrooom_desktop.workshop.shop\n"
            "build_parser().parse_args(['schedule', 'solve', 'x.json'])\nprint('ortools' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
