"""Fuzzing the importers: valid logs with garbage lines mixed in, damaged binary logs, random bytes.

Properties: a reader never raises once the file opened (only LogFileError for "not a log
at all"); every valid frame is read, in order; every garbage line of a text log is
reported as bad with its own line number. Example counts are fixed by ``max_examples``
(listed in EXAMPLES so the report can quote them).
"""

from __future__ import annotations

import atexit
import random
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.logs import LogFileError, open_log
from tests.logs.conftest import workshop_messages, write_with_python_can

# asammdf's MDF4.__del__ raises on a file it refused to open: noise from its destructor, not from us
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
EXAMPLES = {"text_mix": 400, "blf_damage": 300, "mf4_damage": 40, "random_bytes": 300}
FORMATS = {"log": "candump", "asc": "asc", "csv": "csv", "trc": "trc"}
_MESSAGES = workshop_messages(120, seed=7)
_TMP = Path(tempfile.mkdtemp(prefix="carvrooom-fuzz-"))  # module-level: hypothesis examples share the clean logs
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
_CLEAN = {ext: write_with_python_can(_TMP / f"clean.{ext}", _MESSAGES) for ext in (*FORMATS, "blf", "mf4")}
_REFERENCE = {ext: open_log(path, FORMATS.get(ext)).read_all() for ext, path in _CLEAN.items()}
_GARBAGE = st.text(alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=60)
_FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _first_body_line(ext: str, lines: list[str]) -> int:
    if ext == "csv":
        return 1
    if ext == "trc":
        return next(i for i, line in enumerate(lines) if not line.startswith(";"))
    return 1 if ext == "asc" else 0


@settings(_FAST, max_examples=EXAMPLES["text_mix"])
@given(ext=st.sampled_from(list(FORMATS)), inserts=st.lists(st.tuples(st.floats(0, 1), _GARBAGE), max_size=8),
       cut_last=st.booleans())
def test_text_logs_with_garbage_lines(ext, inserts, cut_last):
    lines = _CLEAN[ext].read_text().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    first = _first_body_line(ext, lines)
    bad_at: list[int] = []
    for where, text in inserts:
        k = first + int(where * (len(lines) - first))
        lines.insert(k, "~" + text)
        bad_at = [b + 1 if b >= k else b for b in bad_at] + [k]
    path = _TMP / f"mixed.{ext}"
    path.write_text("\n".join(lines) + ("" if cut_last else "\n"), encoding="utf-8")
    reader = open_log(path, FORMATS[ext])
    frames = reader.read_all()
    ref = _REFERENCE[ext]
    assert len(frames) == len(ref)
    np.testing.assert_array_equal(frames.arbitration_id, ref.arbitration_id)
    np.testing.assert_array_equal(frames.data, ref.data)
    assert sorted(b.line_no for b in reader.report.bad_lines) == sorted(k + 1 for k in bad_at)


@settings(_FAST, max_examples=EXAMPLES["blf_damage"])
@given(data=st.data())
def test_damaged_blf_never_crashes(data):
    blob = bytearray(_CLEAN["blf"].read_bytes())
    for _ in range(data.draw(st.integers(0, 6))):
        k = data.draw(st.integers(0, len(blob) - 1))
        blob[k] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(blob)))
    path = _TMP / "damaged.blf"
    path.write_bytes(bytes(blob[:cut]))
    try:
        reader = open_log(path, "blf")
        frames = reader.read_all()
    except LogFileError:
        return  # the header itself was hit: "not a BLF file"
    assert len(frames) <= len(_REFERENCE["blf"]) + 50
    if len(frames) < len(_REFERENCE["blf"]):  # lost frames are always accounted for in the report
        assert not reader.report.complete or (reader.report.skipped and reader.report.notes)


@settings(_FAST, max_examples=EXAMPLES["mf4_damage"])
@given(data=st.data())
def test_damaged_mf4_never_crashes(data):
    blob = bytearray(_CLEAN["mf4"].read_bytes())
    rng = random.Random(data.draw(st.integers(0, 2**32)))
    for _ in range(data.draw(st.integers(0, 4))):
        blob[rng.randrange(len(blob))] = rng.randrange(256)
    blob = blob[: data.draw(st.integers(len(blob) // 2, len(blob)))]
    path = _TMP / "damaged.mf4"
    path.write_bytes(bytes(blob))
    try:
        open_log(path, "mf4").read_all()
    except LogFileError:
        pass


@settings(_FAST, max_examples=EXAMPLES["random_bytes"])
@given(blob=st.binary(max_size=3000), ext=st.sampled_from(["log", "asc", "csv", "trc", "blf", "mf4", "txt"]))
def test_random_bytes_are_refused_or_read_never_raised(blob, ext):
    path = _TMP / f"random.{ext}"
    path.write_bytes(blob)
    try:
        reader = open_log(path)
    except LogFileError:
        return
    try:
        reader.read_all()
    except LogFileError:
        assert reader.format in ("blf", "mf4")  # binary formats refuse a file that is not one
