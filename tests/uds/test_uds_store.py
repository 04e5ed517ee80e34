"""A car's module list in the store (SQLite and the shared PostgreSQL): written from a scan, read back
newest per address by the reports' seam, synced like every table."""

from __future__ import annotations

import pytest

from carvrooom_desktop.domain import Vehicle
from carvrooom_desktop.storage.store import Store
from carvrooom_desktop.storage.sync_tables import synced_tables
from carvrooom_desktop.storage.vehicle_modules import VehicleModuleRepository, modules_of_vehicle
from drivers.uds.module_scan import scan_car
from tests.uds.uds_helpers import FAST, VIN, modules_on_bus


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    with Store.open(url, origin="ws-uds") as s:
        yield s


def test_a_scan_is_kept_per_vehicle_and_read_back_by_the_seam(store):
    with modules_on_bus("abs_wheel_speed_open", "busy:HVAC") as (modules, bus):
        scan = scan_car(bus, timing=FAST)
    vehicle_id = store.vehicles.upsert(Vehicle(vin=VIN))
    repository = VehicleModuleRepository(store.engine, store.origin)
    assert repository.save_scan(vehicle_id, scan.vin, [m.to_dict() for m in scan.modules]) == 8
    listed = modules_of_vehicle(store.engine, vehicle_id)
    assert [m.address for m in listed] == sorted(m.address.label for m in scan.modules)
    abs_module = next(m for m in listed if m.short == "ABS")
    assert abs_module.code_count == 1 and abs_module.codes[0].dtc == "C0035-13" and abs_module.codes[0].failure_text == "Circuit open"
    assert abs_module.codes[0].snapshot[0]["name"] == "Odometer" and abs_module.identification["vin"] == VIN
    hvac = next(m for m in listed if m.short == "HVAC")
    assert hvac.state == "busy: response pending without end"
    assert [m.short for m in modules_of_vehicle(store.engine, vin=VIN)] == [m.short for m in listed]

    # After a clear, the next scan updates the same rows (a new version), it does not add rows.
    cleared = [dict(m.to_dict(), dtcs=[]) if m.short == "ABS" else m.to_dict() for m in scan.modules]
    repository.save_scan(vehicle_id, VIN, cleared[:3])  # a partial rescan: modules not reached keep their rows
    again = modules_of_vehicle(store.engine, vehicle_id)
    assert len(again) == 8 and next(m for m in again if m.short == "ABS").code_count == 0
    assert modules_of_vehicle(store.engine) == []


def test_the_module_table_syncs():
    assert "vehicle_modules" in {t.name for t in synced_tables() if not t.append_only}


def test_downgrade_removes_the_module_table_and_upgrade_brings_it_back(tmp_path):
    import sqlalchemy as sa
    from alembic import command

    from carvrooom_desktop.storage.migrate import alembic_config

    with Store.open(f"sqlite:///{tmp_path / 'd.sqlite3'}") as s, s.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0009_fleet_telematics")
        assert not sa.inspect(conn).has_table("vehicle_modules")
        command.upgrade(alembic_config(conn), "0010_vehicle_modules")
        assert sa.inspect(conn).has_table("vehicle_modules")
