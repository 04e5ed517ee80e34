"""Signal databases (DBC, KCD, ARXML, SYM) through cantools: load, list signals, decode frames."""

from drivers.signal_db.database import LoadMode, MessageInfo, SignalDatabase, SignalInfo
from drivers.signal_db.errors import SignalDatabaseError, SignalDecodeError
from drivers.signal_db.loader import FORMATS, load_signal_database

__all__ = [
    "FORMATS",
    "LoadMode",
    "MessageInfo",
    "SignalDatabase",
    "SignalDatabaseError",
    "SignalDecodeError",
    "SignalInfo",
    "load_signal_database",
]
