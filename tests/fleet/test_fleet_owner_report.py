"""The owner's health report: one page, the same bytes for the same data, plain words from the visit."""

from __future__ import annotations

import pypdf
import pytest

from carvrooom_desktop.cli import run_cli
from carvrooom_desktop.errors import InvalidRequest, NotFound
from carvrooom_desktop.fleet.queries import load_fleet
from carvrooom_desktop.reports.owner_data import GREEN, Workshop, build_owner_report
from carvrooom_desktop.reports.owner_pdf import render_owner_report
from tests.fleet.fleet_helpers import TODAY, seeded_store


@pytest.fixture
def fleet(tmp_path):
    store = seeded_store(f"sqlite:///{tmp_path / 'fleet.sqlite3'}")
    yield store
    store.close()


def _text(path) -> str:
    reader = pypdf.PdfReader(str(path))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def test_fleet_owner_report_one_page_and_deterministic(fleet, tmp_path):
    view = load_fleet(fleet.engine, today=TODAY)
    vin = next(v.vin for v in view.vehicles if len(v.history) > 3)
    report = build_owner_report(fleet.engine, vin)
    assert len(report.systems) == 6 and {s.light for s in report.systems} <= {"green", "amber", "red", "grey"}
    a, b = render_owner_report(report, tmp_path / "a.pdf"), render_owner_report(build_owner_report(fleet.engine, vin), tmp_path / "b.pdf")
    assert a.read_bytes() == b.read_bytes()
    text = _text(a)
    assert vin in text and report.workshop.name in text and "What is due next".upper() in text.upper()


def test_fleet_owner_report_before_after_and_cleared_codes(fleet, tmp_path):
    view = load_fleet(fleet.engine, today=TODAY)
    for car in view.vehicles:
        report = build_owner_report(fleet.engine, car.vin)
        if report.before_after and report.cleared:
            break
    else:
        pytest.fail("no car of the seeded fleet had a repair with codes cleared at its newest visit")
    assert report.light == GREEN or report.due  # repaired now, or something is still due
    text = _text(render_owner_report(report, tmp_path / "r.pdf"))
    assert "before" in text and report.cleared[-1][0] in text


def test_fleet_owner_report_workshop_details_and_refusals(fleet, tmp_path):
    vin = load_fleet(fleet.engine, today=TODAY).vehicles[0].vin
    shop = Workshop("Garage Dupont", "1 rue de la Gare", "+33 1 23 45 67 89", "atelier@dupont.example")
    text = _text(render_owner_report(build_owner_report(fleet.engine, vin, workshop=shop), tmp_path / "w.pdf"))
    assert "Garage Dupont" in text and "+33 1 23 45 67 89" in text
    with pytest.raises(NotFound):
        build_owner_report(fleet.engine, "1HGCM82633A004352")
    with pytest.raises(InvalidRequest):
        build_owner_report(fleet.engine, "not a vin!")
    with pytest.raises(NotFound):
        build_owner_report(fleet.engine, "deadbeef")


def test_fleet_owner_report_from_a_recording(tmp_path):
    from carvrooom_desktop.health.sources import store_simulated_drive
    from carvrooom_desktop.storage.store import Store

    with Store.open(f"sqlite:///{tmp_path / 'bench.sqlite3'}", origin="ws") as store:
        recording_id, _vehicle = store_simulated_drive(store, faults=("worn_brake_pads",), minutes=3)
        report = build_owner_report(store.engine, str(recording_id)[:8])  # the car has no visit: the recording's own checks
        brakes = next(s for s in report.systems if s.system == "Brakes and chassis")
        assert brakes.light in ("amber", "red") and report.due[0][0] == "Repair: Brakes and chassis"
        _text(render_owner_report(report, tmp_path / "rec.pdf"))


def test_fleet_owner_report_cli(fleet, tmp_path, capsys):
    vin = load_fleet(fleet.engine, today=TODAY).vehicles[0].vin
    db = str(fleet.engine.url)
    out = tmp_path / "owner.pdf"
    assert run_cli(["--db", db, "report", "owner", vin, "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF") and vin in capsys.readouterr().out
    assert run_cli(["--db", db, "report", "owner", "1HGCM82633A004352", "-o", str(out)]) == 1


def test_fleet_owner_report_is_e_mailed_through_the_alerts_mail_server(fleet, tmp_path, capsys):
    from carvrooom_desktop.alerts.config import AlertSettings, SmtpSettings, save_alert_settings
    from tests.alerts.alerts_helpers import smtp_server

    vin = load_fleet(fleet.engine, today=TODAY).vehicles[0].vin
    db, out = str(fleet.engine.url), tmp_path / "owner.pdf"
    with smtp_server() as (port, inbox):
        save_alert_settings(AlertSettings(smtp=SmtpSettings(host="127.0.0.1", port=port, security="none", timeout_s=5)))
        assert run_cli(["--db", db, "report", "owner", vin, "-o", str(out), "--email", "Owner <owner@example.com>"]) == 0
        assert inbox.wait_for(1) and "e-mailed to owner@example.com" in capsys.readouterr().out
        _to, mail = inbox.messages[0]
        [part] = [p for p in mail.walk() if p.get_filename() == "owner.pdf"]
        assert part.get_payload(decode=True) == out.read_bytes() and vin in mail["Subject"]
    # the server is gone: the report is still written, and the refusal is said
    out.unlink()
    assert run_cli(["--db", db, "report", "owner", vin, "-o", str(out), "--email", "owner@example.com"]) == 1
    assert out.exists()
