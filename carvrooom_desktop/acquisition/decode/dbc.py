"""Loading a signal database for decoding: one small function, so the loader can be swapped."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import cantools.database.can


def load_database(path: str | os.PathLike[str]) -> cantools.database.can.Database:
    """A DBC (or KCD/ARXML/SYM) as a cantools Database, tolerant of real-world files.

    Uses drivers.signal_db (strict, then lenient, then repaired loading, with warnings);
    its errors (SignalDatabaseError, a DriverError) say which file and why.
    """
    from drivers.signal_db import load_signal_database

    return load_signal_database(path).cantools_database
