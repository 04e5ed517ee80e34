"""CSV import/export: exact columns, bad rows with line numbers and reasons, one transaction per import."""

from __future__ import annotations

import pytest

from carvrooom_desktop.domain.progress import Cancelled, CancelToken
from carvrooom_desktop.storage.warranty_claims import WarrantyClaimRepository
from carvrooom_desktop.warranty import csv_io
from carvrooom_desktop.warranty.claim import ClaimStatus
from carvrooom_desktop.warranty.csv_io import COLUMNS, ClaimFileError, export_claims, import_claims
from tests.warranty.warranty_helpers import make_claim

HEADER = ",".join(COLUMNS)
GOOD = "C-100,WVWZZZ1KZ8W123456,2025-06-10,2025-06-09,2023-03-01,31200,IC-22448-10,ignition_coil,IGN-COIL-R,MIL flashing,coil 2 short,replaced coil 2,P0302 P0300,D001,189.50,"


def _file(tmp_path, *lines: str, name: str = "claims.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_columns_are_exactly_the_portals():
    assert COLUMNS == ("claim_id", "vin", "claim_date", "repair_date", "in_service_date", "odometer_km", "part_number",
                       "part_category", "labour_op", "complaint", "cause", "correction", "dtcs", "dealer_id", "amount",
                       "recording_sha256")


def test_bad_rows_are_reported_by_line_and_good_rows_import(tmp_path, repo):
    path = _file(
        tmp_path, HEADER, GOOD,
        GOOD.replace("C-100", "C-101").replace("WVWZZZ1KZ8W123456", "WVWZZZ1KZ8W12345"),  # line 3: 16 characters
        GOOD.replace("C-100", "C-102").replace("2025-06-10", "10/06/2025"),  # line 4: not ISO
        '"C-103","WVWZZZ1KZ8W123456",2025-06-10,,,,,ignition_coil,,"a complaint',  # lines 5-6: one quoted field over two lines
        'on two lines",,,P0302,D001,12.00,',
        GOOD.replace("C-100", "C-104").replace("ignition_coil", "sunroof").replace("P0302 P0300", "P0302 X123"),  # line 7
        GOOD,  # line 8: C-100 again
        GOOD.replace("C-100", "C-105").replace("189.50", "18.505"),  # line 9
        "C-106,too,few",  # line 10
        "",  # a blank line is no row
        GOOD.replace("C-100", "C-107").replace(",D001,189.50,", ",D001,189.50," + "z" * 64),  # line 12
    )
    report = import_claims(repo, path)
    assert report.imported == 2 and report.rows == 9
    by_line = {b.line: b for b in report.bad}
    assert sorted(by_line) == [3, 4, 7, 8, 9, 10, 12]
    assert "vin 'WVWZZZ1KZ8W12345' is not 17 characters" in by_line[3].reason and by_line[3].claim_id == "C-101"
    assert "claim_date '10/06/2025' is not a date" in by_line[4].reason
    assert "part_category 'sunroof' is not one of" in by_line[7].reason and "dtcs: X123 is not" in by_line[7].reason
    assert by_line[8].reason == "claim_id is already on line 2"
    assert "amount" in by_line[9].reason and "has 3 fields, expected 16" in by_line[10].reason
    assert "recording_sha256 is not 64 hex digits" in by_line[12].reason
    assert str(by_line[3]).startswith("line 3 (C-101): ")
    stored = {c.claim_id: c for c in repo.list()}
    assert set(stored) == {"C-100", "C-103"} and stored["C-103"].complaint == "a complaint\non two lines"
    assert stored["C-100"].status is ClaimStatus.SUBMITTED and stored["C-100"].dtcs == ("P0302", "P0300")
    again = import_claims(repo, path)
    assert again.imported == 0 and any(b.reason == "claim_id is already in the store" for b in again.bad)


def test_a_file_with_wrong_columns_is_refused_whole(tmp_path, repo):
    path = _file(tmp_path, HEADER.replace("labour_op", "labor_op"), GOOD)
    with pytest.raises(ClaimFileError, match="missing column.s. labour_op; unknown column.s. labor_op"):
        import_claims(repo, path)
    with pytest.raises(ClaimFileError, match="is empty"):
        import_claims(repo, _file(tmp_path, "", name="empty.csv"))
    with pytest.raises(ClaimFileError, match="cannot read"):
        import_claims(repo, tmp_path / "missing.csv")
    assert repo.count() == 0


def test_an_import_that_fails_midway_saves_nothing(tmp_path, repo, monkeypatch):
    lines = [HEADER] + [GOOD.replace("C-100", f"C-{i}") for i in range(12_000)]
    path = _file(tmp_path, *lines)
    calls = []
    real = WarrantyClaimRepository.add_many

    def crash_on_second_batch(self, claims, conn=None):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk I/O error")
        return real(self, claims, conn)

    monkeypatch.setattr(WarrantyClaimRepository, "add_many", crash_on_second_batch)
    with pytest.raises(OSError):
        import_claims(repo, path)
    assert repo.count() == 0
    token = CancelToken()
    monkeypatch.setattr(WarrantyClaimRepository, "add_many", real)
    seen = []
    with pytest.raises(Cancelled):
        import_claims(repo, path, progress=lambda done, total: (seen.append(done), token.cancel()), cancel=token)
    assert seen == [csv_io.PROGRESS_EVERY] and repo.count() == 0


def test_export_and_import_round_trip(tmp_path, store, repo):
    claims = [make_claim("C-1", recording_sha256="ab" * 32, complaint='says "rough", at idle'),
              make_claim("C-2", odometer_km=None, repair_date=None, in_service_date=None, dtcs=(), amount_cents=5)]
    path = tmp_path / "out.csv"
    assert export_claims(claims, path) == 2
    assert path.read_text().splitlines()[0] == ",".join(COLUMNS)
    assert import_claims(repo, path).imported == 2
    back = {c.claim_id: c for c in repo.list()}
    for c in claims:
        got = back[c.claim_id]
        assert (got.vin, got.claim_date, got.repair_date, got.in_service_date, got.odometer_km, got.dtcs, got.amount_cents,
                got.complaint, got.recording_sha256) == (c.vin, c.claim_date, c.repair_date, c.in_service_date, c.odometer_km,
                                                         c.dtcs, c.amount_cents, c.complaint, c.recording_sha256)
