"""Random frames into SignalDatabase.decode: our exception or values, never anything else."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.signal_db import SignalDecodeError, load_signal_database

FIXTURES = Path(__file__).parent / "fixtures"
DATASETS_DBC = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "dbc"  # /work/shared beside the repo

DATABASES = [load_signal_database(FIXTURES / name) for name in
             ("workshop_car.dbc", "workshop_car.kcd", "workshop_car.sym", "workshop_car.arxml")]
REAL = DATASETS_DBC / "toyota_nodsu_pt_generated.dbc"
if REAL.is_file():
    DATABASES.append(load_signal_database(REAL))
KNOWN_IDS = sorted({m.frame_id for db in DATABASES for m in db.messages})


@settings(max_examples=400, deadline=None)
@given(db_index=st.integers(0, len(DATABASES) - 1),
       frame_id=st.one_of(st.sampled_from(KNOWN_IDS), st.integers(0, 0x1FFFFFFF)),
       data=st.binary(min_size=0, max_size=64),
       truncated=st.booleans(), qualified=st.booleans())
def test_decode_raises_only_our_exception(db_index, frame_id, data, truncated, qualified):
    db = DATABASES[db_index]
    try:
        values = db.decode(frame_id, data, allow_truncated=truncated, qualified=qualified)
    except SignalDecodeError:
        return
    assert all(isinstance(v, (int, float)) for v in values.values())
