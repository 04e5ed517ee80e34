"""Fixtures for the log tests: a real SQLite store, workshop-car frames, logs written by python-can's own writers."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

WORKSHOP_DBC = Path(__file__).parent.parent / "drivers" / "fixtures" / "workshop_car.dbc"
WRITERS = {"blf": "BLFWriter", "asc": "ASCWriter", "log": "CanutilsLogWriter", "csv": "CSVWriter", "trc": "TRCWriter"}


def workshop_messages(n: int = 3000, seed: int = 1, t0: float = 1_700_000_000.0):
    """python-can Messages of the workshop car (engine, diagnostics mux, extended mux) plus some unknown ids."""
    import can
    import cantools

    db = cantools.database.load_file(str(WORKSHOP_DBC))
    rng = random.Random(seed)
    engine, diag, body = (db.get_message_by_name(n) for n in ("EngineData", "Diagnostics", "BodyExtMux"))
    out = []
    for k in range(n):
        t = t0 + k * 0.002
        pick = k % 4
        if pick == 0:
            data = engine.encode({"EngineSpeed": 800 + 20 * (k % 200), "CoolantTemp": 60 + (k % 40), "Gear": k % 4,
                                  "ThrottlePos": (k % 50) - 10}, strict=False)
            msg = can.Message(timestamp=t, arbitration_id=engine.frame_id, data=data, is_extended_id=False)
        elif pick == 1:
            page = k % 2
            sig = {"Page": page, "BatteryVoltage": 12.5 + (k % 10) * 0.1} if page == 0 else \
                {"Page": 1, "OilPressure": 250 + k % 30, "OilState": k % 3}
            msg = can.Message(timestamp=t, arbitration_id=diag.frame_id, data=diag.encode(sig, strict=False), is_extended_id=False)
        elif pick == 2:
            sig = {"Selector": 1, "SubSelector": 2, "WindowPos": (k % 100)} if k % 8 == 2 else {"Selector": 0, "DoorCount": 4}
            msg = can.Message(timestamp=t, arbitration_id=body.frame_id, data=body.encode(sig, strict=False), is_extended_id=True)
        else:
            msg = can.Message(timestamp=t, arbitration_id=rng.randrange(0x600, 0x700), data=rng.randbytes(rng.randrange(9)),
                              is_extended_id=False, is_rx=rng.random() < 0.5)
        out.append(msg)
    return out


def write_with_python_can(path: Path, messages) -> Path:
    import can

    ext = path.suffix.lstrip(".")
    if ext == "mf4":
        from can.io.mf4 import MF4Writer as writer_class
    else:
        writer_class = getattr(can, WRITERS[ext])
    writer = writer_class(str(path))
    for m in messages:
        writer.on_message_received(m)
    writer.stop()
    return path


@pytest.fixture
def store(tmp_path):
    from carvrooom_desktop.storage.store import Store

    s = Store.open(f"sqlite:///{tmp_path / 'store.db'}", origin="test-bench")
    yield s
    s.close()


@pytest.fixture(scope="session")
def workshop_log_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("logs")
    messages = workshop_messages()
    for ext in ("blf", "asc", "log", "csv", "trc", "mf4"):
        write_with_python_can(folder / f"drive.{ext}", messages)
    return folder
