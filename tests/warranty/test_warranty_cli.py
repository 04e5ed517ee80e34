"""``carvrooom warranty import|list|check|flags`` through the CLI's main function, on a real SQLite file."""

from __future__ import annotations

import json

from test_warranty_csv import GOOD, HEADER

from carvrooom_desktop.cli import COMMAND_MODULES, parse_args, run_cli
from carvrooom_desktop.warranty.csv_io import export_claims
from tests.warranty.warranty_helpers import make_claim


def _run(capsys, *argv):
    code = run_cli(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_list_check_flags(tmp_path, db_url, capsys):
    path = tmp_path / "claims.csv"
    claims = [make_claim("C-1"), make_claim("C-2", claim_date=make_claim().claim_date.replace(month=7), dtcs=("P0420",),
                                            complaint="MIL on again, rough idle")]
    export_claims(claims, path)
    with open(path, "a") as f:
        f.write("C-3,NOTAVIN,2025-06-10,,,,,ignition_coil,,,,,,,,\n")
    code, out, _ = _run(capsys, "--db", db_url, "warranty", "import", str(path))
    assert code == 1  # a bad row: reported, the good rows are in
    assert "imported 2 of 3 claims" in out and "line 4 (C-3): vin 'NOTAVIN' is not 17 characters" in out

    code, out, _ = _run(capsys, "warranty", "list", "--db", db_url)
    assert code == 0 and "C-1" in out and "submitted" in out and "ignition_coil" in out
    code, out, _ = _run(capsys, "warranty", "list", "--db", db_url, "--json")
    assert [c["claim_id"] for c in json.loads(out)] == ["C-1", "C-2"]
    exported = tmp_path / "back.csv"
    assert _run(capsys, "warranty", "list", "--db", db_url, "--csv", str(exported))[0] == 0
    assert exported.read_text().splitlines()[0] == HEADER

    code, out, _ = _run(capsys, "warranty", "check", "C-2", "--db", db_url)
    assert code == 0 and "coverage: covered by 'basic'" in out
    assert "FLAG duplicate" in out and "FLAG dtc_mismatch" in out and "evidence:" in out
    code, out, _ = _run(capsys, "warranty", "check", "C-2", "--db", db_url, "--json")
    data = json.loads(out)
    assert set(data["flags"]) == {"duplicate", "dtc_mismatch"} and data["verdict"]["rule"] == "basic"

    code, out, _ = _run(capsys, "warranty", "flags", "--db", db_url)
    assert code == 0 and "1 of 2 claims flagged" in out and "C-2" in out
    code, out, _ = _run(capsys, "warranty", "flags", "--db", db_url, "--json")
    every = json.loads(out)
    assert [c["claim_id"] for c in every] == ["C-1", "C-2"] and all("verdict" in c and "signals" in c for c in every)


def test_rules_file_and_bad_input_are_clear(tmp_path, db_url, capsys):
    path = tmp_path / "claims.csv"
    path.write_text(HEADER + "\n" + GOOD + "\n")
    assert _run(capsys, "--db", db_url, "warranty", "import", str(path), "--json")[0] == 0
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"format": "carvrooom-warranty-coverage/1", "coverages": [
        {"id": "short", "kind": "basic", "enabled": True, "years": 1, "km": None, "categories": "*"}]}))
    code, out, _ = _run(capsys, "--db", db_url, "warranty", "check", "C-100", "--rules", str(rules))
    assert code == 0 and "not covered: 'short' expired by age" in out
    rules.write_text(json.dumps({"format": "carvrooom-warranty-coverage/1", "coverages": [
        {"id": "short", "kind": "basic", "enabled": "yes", "years": 1, "km": None, "categories": "*"}]}))
    code, _, err = _run(capsys, "--db", db_url, "warranty", "flags", "--rules", str(rules))
    assert code == 1 and "coverages[0] 'short': enabled must be true or false" in err
    code, _, err = _run(capsys, "--db", db_url, "warranty", "check", "NOPE")
    assert code == 1 and "no warranty claim matches 'NOPE'" in err
    path.write_text("claim,vin\n")
    code, _, err = _run(capsys, "--db", db_url, "warranty", "import", str(path))
    assert code == 1 and "missing column(s)" in err


def test_only_the_slices_subcommands_are_registered():
    assert COMMAND_MODULES["warranty"] == "warranty"
    args = parse_args(["warranty", "flags", "--json"])
    assert args.action == "flags" and args.json
    import pytest

    for later in ("evidence", "verify"):
        with pytest.raises(SystemExit):
            parse_args(["warranty", later])
