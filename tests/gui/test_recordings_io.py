"""Recordings page against a real SQLite store: drop a DBC and a log, import with progress, cancel,
bad lines, export, notes, recent files, the trace of a recording and a replay into the Live page."""

from __future__ import annotations

from pathlib import Path

import cantools
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from resources import resource_path
from ui.trace_model import MESSAGE

pytestmark = pytest.mark.slow

SIM_DBC = Path(resource_path("dbc", "carvrooom_sim.dbc"))


def write_candump(path: Path, n: int, bad_every: int = 0) -> Path:
    """ENGINE_1 frames every 10 ms, encoded with the simulator's DBC (engine speed ramps 800 -> 3000 rpm)."""
    db = cantools.database.load_file(str(SIM_DBC))
    msg = db.get_message_by_name("ENGINE_1")
    lines = []
    for k in range(n):
        data = msg.encode({"engine_speed": 800 + 2200 * k / n, "throttle_position": 10, "engine_load": 30, "timing_advance": 5,
                           "intake_manifold_pressure": 40, "gear": 1, "fuel_closed_loop": 1})
        lines.append(f"(1700000000.{k * 10000:06d}) vcan0 0C9#{data.hex().upper()}" if k < 100 else
                     f"({1700000000 + k * 0.01:.6f}) vcan0 0C9#{data.hex().upper()}")
        if bad_every and k % bad_every == 5:
            lines.append("this is no frame")
    path.write_text("\n".join(lines) + "\n")
    return path


def drop_files(window, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(400, 300), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert event.isAccepted()


def test_drop_dbc_and_log_import_export_notes_trace_and_replay(gui, qtbot, tmp_path):
    window = gui.window
    page = window.show_workspace("recordings")
    log = write_candump(tmp_path / "engine.log", 500, bad_every=100)
    drop_files(window, [log, SIM_DBC])  # the DBC is loaded first so the log decodes
    qtbot.waitUntil(lambda: page.io_message.text().startswith("Imported"), timeout=30_000)
    text = page.io_message.text()
    assert "500 frames" in text.replace(",", "") or "500" in text
    assert "Bad lines: 7 (" in text  # numbered, and the valid frames around them kept
    assert gui.workbench.io.database is not None
    assert set(gui.workbench.io.recent_files()) == {str(log), str(SIM_DBC)}
    # the list refreshes after the import (an earlier refresh may show it still being written)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and str(page.model.row_at(0).state) == "finished", timeout=10_000)
    recording = page.model.row_at(0)
    assert recording.frame_count == 500  # raw frames are the truth; signals are decoded from them on demand

    # open it: the broadcast signals its frames carry are offered, decoded with the dropped DBC when ticked
    page.select_row(0)
    page.open_button.click()
    qtbot.waitUntil(lambda: page.signal_list is not None and page.signal_list.count() >= 7, timeout=10_000)
    listed = [page.signal_list.item(r).text() for r in range(page.signal_list.count())]
    page.signal_list.item(listed.index("ENGINE_1.engine_speed")).setCheckState(Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: page.viewer.point_count("ENGINE_1.engine_speed") == 500, timeout=10_000)
    assert page.viewer.history("ENGINE_1.engine_speed").v[0] == pytest.approx(800, abs=0.25)

    # notes
    page.select_row(0)
    page.notes_edit.setText("customer: hesitation at 2000 rpm")
    page.notes_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and "hesitation" in page.model.row_at(0).notes, timeout=10_000)

    # export as candump and as CSV (no file dialog: the page's request carries the path)
    out = tmp_path / "out.log"
    page.export_requested.emit(recording.id, str(out), "candump")
    qtbot.waitUntil(lambda: page.io_message.text().startswith("Exported"), timeout=20_000)
    assert len(out.read_text().splitlines()) == 500
    csv = tmp_path / "out.csv"
    page.export_requested.emit(recording.id, str(csv), "csv")
    qtbot.waitUntil(lambda: str(csv) in page.io_message.text(), timeout=20_000)
    assert "ENGINE_1.engine_speed" in csv.read_text().splitlines()[0]

    # the recording's frames in the trace, decoded with the dropped DBC
    page.select_row(0)
    page.trace_button.click()
    trace = window.page("trace")
    qtbot.waitUntil(lambda: trace.model.rowCount() == 500, timeout=10_000)
    assert trace.model.index(0, MESSAGE).data().startswith("ENGINE_1: engine_speed=800")
    assert trace.live_button.isVisible()
    trace.live_button.click()  # not connected: the page says so and stays usable
    assert trace.subtitle.text().startswith("Not connected")

    # replay into the Live page at 16x
    window.show_workspace("recordings")
    page.select_row(0)
    page.replay_speed.setCurrentIndex(2)
    page.replay_button.click()
    live = window.page("live")
    qtbot.waitUntil(lambda: live.replay_bar.isVisible() and live.source is gui.workbench.io.replay, timeout=10_000)
    assert live.replay_bar.speed.currentData() == 16.0
    assert not live.record_button.isEnabled()  # a replay records nothing
    live.add_signals(["ENGINE_1.engine_speed"])
    qtbot.waitUntil(lambda: live.plots.point_count("ENGINE_1.engine_speed") > 100, timeout=10_000)
    qtbot.waitUntil(lambda: "of 5.0 s" in live.replay_bar.position.text(), timeout=5000)
    live.replay_bar.stop_button.click()
    assert gui.workbench.io.replay is None and not live.replay_bar.isVisible() and live.source is None


def test_cancel_an_import_keeps_what_was_read(gui, qtbot, tmp_path):
    window = gui.window
    page = window.show_workspace("recordings")
    log = write_candump(tmp_path / "long.log", 200_000)
    page.progress.valueChanged.connect(lambda _v: page.cancel_requested.emit())  # cancel at the first progress report
    page.import_requested.emit(str(log))
    assert page.cancel_button.isVisible()
    qtbot.waitUntil(lambda: page.io_message.text().startswith("Import cancelled"), timeout=60_000)
    assert not page.progress.isVisible()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and str(page.model.row_at(0).state) == "interrupted", timeout=10_000)
    kept = page.model.row_at(0)
    assert 0 < kept.frame_count < 200_000
    assert str(kept.state) == "interrupted"


def test_a_file_that_is_no_log_is_refused_clearly(gui, qtbot, tmp_path):
    page = gui.window.show_workspace("recordings")
    junk = tmp_path / "notes.asc"
    junk.write_bytes(b"\x00\x01 nothing here")
    page.import_requested.emit(str(junk))
    qtbot.waitUntil(lambda: page.io_message.text().startswith("Import failed"), timeout=20_000)
    assert "notes.asc" in page.io_message.text() or "log" in page.io_message.text().lower()
