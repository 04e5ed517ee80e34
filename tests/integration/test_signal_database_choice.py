import pytest

from carvrooom_desktop.acquisition.signal_databases import (
    choose_for_vehicle,
    database_for_vehicle,
)
from carvrooom_desktop.storage.store import Store
from drivers.signal_db import SignalDatabaseError
from resources import resource_path


def test_the_chosen_database_is_remembered_with_the_vehicle(tmp_path):
    vin = "2HGFA16509H531807"
    with Store.open(f"sqlite:///{tmp_path / 's.sqlite3'}") as store:
        assert database_for_vehicle(store, vin)[0] is None
        chosen = choose_for_vehicle(store, vin, resource_path("dbc", "carvrooom_sim.dbc"))
        assert chosen.has_frame_id(0x0C9)
    with Store.open(f"sqlite:///{tmp_path / 's.sqlite3'}") as store:  # a new session, same car
        database, why = database_for_vehicle(store, vin)
        assert database is not None and why == "" and database.path.name == "carvrooom_sim.dbc"


def test_a_broken_file_is_refused_and_a_moved_file_is_explained(tmp_path):
    broken = tmp_path / "broken.dbc"
    broken.write_text("this is not a DBC file at all {")
    moved = tmp_path / "moved.dbc"
    moved.write_bytes(resource_path("dbc", "carvrooom_sim.dbc").read_bytes())
    with Store.open(f"sqlite:///{tmp_path / 's.sqlite3'}") as store:
        with pytest.raises(SignalDatabaseError):
            choose_for_vehicle(store, "VIN1", broken)
        assert database_for_vehicle(store, "VIN1")[0] is None
        choose_for_vehicle(store, "VIN2", moved)
        moved.unlink()
        database, why = database_for_vehicle(store, "VIN2")
        assert database is None and "missing" in why
