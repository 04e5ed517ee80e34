"""Loading DBC, KCD, ARXML and SYM files through cantools, tolerant of real-world files.

1. ``cantools.database.load_file(strict=True)``.
2. Failing that, ``strict=False`` (overlapping signals, signals that do not fit their
   message): loads, with a warning naming what strict mode refused.
3. A DBC that still does not load is repaired in memory, one problem at a time (at most
   :data:`MAX_REPAIRS`), then loaded with ``cantools.database.load_string(strict=False)``:
   a statement that does not parse is skipped, a value table (``VAL_``) or value type
   (``SIG_VALTYPE_``) for a signal that does not exist is dropped. Each repair is a warning
   with the line number in the file. The file itself is never changed.

Anything else raises :class:`SignalDatabaseError` with the file name and the reason.
Warnings are kept on the result (``SignalDatabase.warnings``) and logged.
"""

from __future__ import annotations

import logging
import os
import re
import warnings as py_warnings
from pathlib import Path

import cantools
from cantools.database.can import Database

from drivers.signal_db.database import LoadMode, SignalDatabase
from drivers.signal_db.errors import SignalDatabaseError

log = logging.getLogger(__name__)

FORMATS: dict[str, str] = {".dbc": "dbc", ".kcd": "kcd", ".arxml": "arxml", ".sym": "sym"}
MAX_REPAIRS = 50
_REASON_CHARS = 300

_DBC_KEYWORDS = re.compile(
    r"^[ \t]*(VERSION|NS_|BS_|BU_|BO_TX_BU_|BO_|SG_MUL_VAL_|SG_|CM_|BA_DEF_DEF_REL_|BA_DEF_DEF_|BA_DEF_REL_|BA_DEF_SGTYPE_|"
    r"BA_DEF_|BA_REL_|BA_SGTYPE_|BA_|VAL_TABLE_|VAL_|SIG_GROUP_|SIG_VALTYPE_|SIGTYPE_VALTYPE_|SIG_TYPE_REF_|"
    r"EV_|ENVVAR_DATA_|SGTYPE_VAL_|SGTYPE_|CAT_DEF_|CAT_|FILTER|BU_SG_REL_|BU_EV_REL_|BU_BO_REL_)\b", re.MULTILINE)
_UNUSED_ENTRY = re.compile(r"^\s*(VAL_|SIG_VALTYPE_)\s+(\d+)\s+(\w+)", re.MULTILINE)


def load_signal_database(path: str | os.PathLike[str], *, database_format: str | None = None,
                         encoding: str | None = None) -> SignalDatabase:
    """Load ``path`` (format from its extension unless ``database_format`` is given)."""
    path = Path(path)
    fmt = (database_format or FORMATS.get(path.suffix.lower(), "")).lower()
    if fmt not in FORMATS.values():
        raise SignalDatabaseError(
            f"{path.name}: not a signal database this program reads (.dbc, .kcd, .arxml or .sym)")
    if not path.is_file():
        raise SignalDatabaseError(f"{path.name}: no such file ({path})")

    notes: list[str] = []
    mode: LoadMode = "strict"
    with py_warnings.catch_warnings(record=True) as caught:
        py_warnings.simplefilter("always")
        try:
            db = _load_file(path, fmt, encoding, strict=True)
        except OSError as e:
            raise SignalDatabaseError(f"{path.name}: cannot read the file: {e}") from e
        # cantools' parsers raise many types (its own errors, ValueError, KeyError, XML and
        # text-parser errors): at this boundary every one means "this file does not load so".
        except Exception as strict_error:  # noqa: BLE001
            strict_note = f"{path.name} loads only with strict=False: {_reason(strict_error)}"
            notes.append(strict_note)
            mode = "lenient"
            try:
                db = _load_file(path, fmt, encoding, strict=False)
            except Exception as lenient_error:
                if fmt != "dbc":
                    raise SignalDatabaseError(
                        f"{path.name} does not parse as {fmt.upper()}: {_reason(lenient_error)}") from lenient_error
                notes[notes.index(strict_note)] = (
                    f"{path.name} does not load as it is ({_reason(strict_error)}); "
                    "loaded with strict=False after the repairs that follow")
                db = _load_repaired_dbc(path, encoding, lenient_error, notes)
                mode = "repaired"
    notes.extend(f"{path.name}: {w.message}" for w in caught)
    if not isinstance(db, Database):
        raise SignalDatabaseError(f"{path.name} is a diagnostics database, not a CAN signal database")
    for note in notes:
        log.warning("%s", note)
    result = SignalDatabase(path, fmt, db, load_mode=mode, warnings=notes)
    log.info("loaded %r", result)
    return result


def _load_file(path: Path, fmt: str, encoding: str | None, *, strict: bool) -> Database:
    return cantools.database.load_file(path, database_format=fmt, encoding=encoding, strict=strict)  # type: ignore[return-value]


def _load_repaired_dbc(path: Path, encoding: str | None, error: Exception, notes: list[str]) -> Database:
    try:
        text = path.read_text(encoding=encoding or "cp1252", errors="replace")  # cantools' own DBC default
    except OSError as e:
        raise SignalDatabaseError(f"{path.name}: cannot read the file: {e}") from e
    first_reason = _reason(error)
    for _ in range(MAX_REPAIRS):
        text, repairs = _repair(text, getattr(error, "e_dbc", None) or error)
        if not repairs:
            raise SignalDatabaseError(f"{path.name} does not parse as DBC: {_reason(error)}") from error
        notes.extend(f"{path.name}: {r}" for r in repairs)
        try:
            return cantools.database.load_string(text, database_format="dbc", strict=False)  # type: ignore[return-value]
        except Exception as e:  # noqa: BLE001  (any parser failure, as above: repaired in the next round)
            error = e
    raise SignalDatabaseError(
        f"{path.name} does not parse as DBC: more than {MAX_REPAIRS} broken statements (first: {first_reason})") from error


def _repair(text: str, error: BaseException) -> tuple[str, list[str]]:
    """The DBC text with the statement(s) behind ``error`` removed, and what was removed."""
    offset = getattr(error, "offset", None)
    if isinstance(offset, int) and 0 <= offset <= len(text):  # textparser.ParseError: where parsing stopped
        start, end = _statement_at(text, offset)
        if start == end:
            return text, []
        line = text.count("\n", 0, start) + 1
        statement = " ".join(text[start:end].split())
        return _blank(text, start, end), [
            f"line {line}: skipped a statement that does not parse: {statement[:120]}"]
    message = str(error)
    if "unused VAL_" in message or "unused SIG_VALTYPE_" in message:
        repairs = []
        for keyword, frame_id, signal in _UNUSED_ENTRY.findall(message):
            pattern = re.compile(rf"^[ \t]*{keyword}[ \t]+{frame_id}[ \t]+{re.escape(signal)}\b", re.MULTILINE)
            match = pattern.search(text)
            if match is None:
                continue
            start, end = _statement_at(text, match.start())
            text = _blank(text, start, end)
            what = "value table" if keyword == "VAL_" else "value type"
            repairs.append(f"dropped the {what} {keyword} {frame_id} {signal}: the message has no such signal")
        return text, repairs
    return text, []


def _blank(text: str, start: int, end: int) -> str:
    """``text`` without ``text[start:end]``, its line breaks kept so line numbers stay those of the file."""
    return text[:start] + "\n" * text.count("\n", start, end) + text[end:]


def _statement_at(text: str, offset: int) -> tuple[int, int]:
    """Span of the DBC statement containing ``offset``: from its keyword to its ``;`` (outside
    quotes), or to the end of the line for BO_/SG_/BU_ lines, which have none."""
    line_start = text.rfind("\n", 0, offset) + 1
    start = None
    for match in _DBC_KEYWORDS.finditer(text, 0, line_start + len(text[line_start:].split("\n", 1)[0])):
        if match.start() <= offset:
            start = match.start()
    if start is None:
        return offset, offset
    keyword = _DBC_KEYWORDS.match(text, start).group(1)  # type: ignore[union-attr]
    if keyword in ("BO_", "SG_", "BU_", "BS_", "VERSION"):
        end = text.find("\n", start)
        return start, len(text) if end < 0 else end + 1
    quoted = False
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "\\" and quoted:
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            end = i + 1
            if text.startswith("\n", end):
                end += 1
            return start, end
        i += 1
    end = text.find("\n", start)
    return start, len(text) if end < 0 else end + 1


def _reason(error: BaseException) -> str:
    reason = " ".join(str(error).split()) or type(error).__name__
    return reason if len(reason) <= _REASON_CHARS else reason[: _REASON_CHARS - 1] + "…"
