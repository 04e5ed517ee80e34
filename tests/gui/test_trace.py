"""The CAN trace against the simulated car on a virtual bus: modes, filters, inline decoding, statistics, transmit."""

from __future__ import annotations

import numpy as np
import pytest

from carvrooom_desktop.domain import FrameArrays
from ui.trace_model import BUS, COUNT, DATA, DELTA, ID, MESSAGE

pytestmark = pytest.mark.slow


def column(model, col):
    return [model.index(r, col).data() for r in range(model.rowCount())]


@pytest.fixture
def trace(gui, qtbot):
    from ui.session_controller import ConnectRequest

    with qtbot.waitSignal(gui.controller.connected, timeout=60_000):
        gui.controller.connect_to(ConnectRequest(kind="sim", seed=5))
    page = gui.window.show_workspace("trace")
    qtbot.waitUntil(lambda: page.feed is not None and page.model.rowCount() > 200, timeout=20_000)
    return page


def test_scrolling_and_fixed_modes_decode_and_filter(trace, qtbot, gui, save_screenshot):
    model = trace.model
    assert model.decoder is not None  # the car's DBC came with the session
    ids = set(column(model, ID)[-200:])
    assert "0C9" in ids  # ENGINE_1 (0xC9 = 201) is broadcast by the simulated car
    # only what the view showed was decoded, not every frame
    assert model.decoded_count < 200 < len(model.trace)

    trace.mode_combo.setCurrentIndex(1)  # fixed: one row per id
    rows = column(model, ID)
    assert len(rows) == len(set(rows)) and "0C9" in rows
    row = rows.index("0C9")
    assert int(model.index(row, COUNT).data()) > 5  # count
    assert float(model.index(row, DELTA).data()) == pytest.approx(0.01, abs=0.008)  # ENGINE_1 is sent every 10 ms
    text = model.index(row, MESSAGE).data()
    assert text.startswith("ENGINE_1: ") and "engine_speed=" in text

    trace.text_filter.setText("throttle")
    trace.apply_filters()
    assert column(model, ID) == ["0C9"]
    trace.text_filter.setText("")
    trace.id_filter.setText("1A0-1F0, 3C0")
    trace.apply_filters()
    assert set(column(model, ID)) <= {"1A0", "1F0", "3C0"} and len(column(model, ID)) >= 2
    trace.id_filter.setText("zz9")
    trace.apply_filters()
    assert "zz9" in trace.filter_message.text()
    assert set(column(model, ID)) <= {"1A0", "1F0", "3C0"}  # the old filter stays
    trace.id_filter.setText("")
    trace.apply_filters()

    qtbot.waitUntil(lambda: trace.stats_model.rowCount() >= 5, timeout=5000)
    qtbot.waitUntil(lambda: trace.bus_load_label.text() != "Bus load: –", timeout=5000)
    load = float(trace.bus_load_label.text().split(":")[1].split("%")[0])
    assert 0 < load < 100
    stats = {s.arbitration_id: s for s in trace.stats_model.rows()}
    assert stats[0xC9].frames_per_second > 50
    trace.mode_combo.setCurrentIndex(0)
    qtbot.wait(2500)
    save_screenshot(gui.window, "trace.png")


def test_transmit_single_and_periodic_frames(trace, qtbot, gui):
    trace.tx_id.setText("123")
    trace.tx_data.setText("DE AD BE EF")
    trace.tx_period.setValue(0)
    trace.transmit()
    assert trace.tx_message.text().startswith("Sent 0x123")
    qtbot.waitUntil(lambda: "123" in column(trace.model, ID)[-400:], timeout=5000)
    row = column(trace.model, ID).index("123")
    assert trace.model.index(row, DATA).data() == "DE AD BE EF"

    trace.tx_id.setText("124")
    trace.tx_period.setValue(50)
    trace.transmit()
    assert "every 50 ms" in trace.tx_message.text()
    assert trace.stop_tx_button.isEnabled()
    trace.mode_combo.setCurrentIndex(1)
    qtbot.waitUntil(lambda: "124" in column(trace.model, ID)
                    and int(trace.model.index(column(trace.model, ID).index("124"), COUNT).data()) >= 4, timeout=10_000)
    trace.stop_periodic()
    assert trace.tx_message.text() == "Stopped 1 periodic frame(s)"


def test_transmit_is_refused_for_a_role_without_the_permission(trace, gui):
    gui.settings.role = "warranty clerk"
    trace.tx_id.setText("123")
    trace.transmit()
    assert trace.tx_message.text() == "Not sent: a warranty clerk may not transmit CAN frames (Settings: role)"


def test_bad_transmit_input_is_explained(trace, gui):
    trace.tx_id.setText("800")  # beyond 11 bits
    trace.transmit()
    assert "beyond 11-bit ids" in trace.tx_message.text()
    trace.tx_id.setText("7DF")
    trace.tx_data.setText("01 02 03 04 05 06 07 08 09")
    trace.transmit()
    assert "at most 8 bytes" in trace.tx_message.text()


def test_trace_model_delta_t_per_id_and_capacity():
    from ui.trace_model import TraceTableModel

    model = TraceTableModel(capacity=10)

    def frames(ts, ids):
        n = len(ts)
        return FrameArrays(np.array(ts, float), np.array(ids, np.uint32), np.zeros(n, np.uint8),
                           np.full(n, 8, np.uint8), np.zeros((n, 8), np.uint8))

    model.add_frames(frames([1.0, 1.1, 1.25], [0x10, 0x20, 0x10]))
    model.add_frames(frames([1.5, 1.6], [0x20, 0x10]))
    assert column(model, DELTA) == ["", "", "0.2500", "0.4000", "0.3500"]
    model.add_frames(frames(np.arange(10) + 2.0, [0x30] * 10))
    assert model.rowCount() == 10 and model.trace.dropped == 5
    model.set_mode("fixed")
    assert column(model, ID) == ["030"] and column(model, COUNT) == ["10"]


def test_the_same_id_on_two_buses_is_two_messages():
    from ui.trace_model import TraceTableModel

    model = TraceTableModel(capacity=100)

    def frames(ts, channels, table):
        n = len(ts)
        return FrameArrays(np.array(ts, float), np.full(n, 0x100, np.uint32), np.zeros(n, np.uint8),
                           np.full(n, 8, np.uint8), np.zeros((n, 8), np.uint8), np.array(channels, np.uint16), table)

    model.add_frames(frames([1.0, 1.1, 1.3], [0, 1, 0], (0, 1)))  # python-can channels 0 and 1: shown 1 and 2
    model.add_frames(frames([1.6], [0], (1,)))  # another table: its channel 0 is bus 2
    assert column(model, BUS) == ["1", "2", "1", "2"]
    assert column(model, DELTA) == ["", "", "0.3000", "0.5000"]  # intervals per bus, not per id alone
    model.set_mode("fixed")
    assert column(model, BUS) == ["1", "2"] and column(model, COUNT) == ["2", "2"]


def test_trace_frames_keep_the_newest_and_their_intervals_across_many_batches():
    from ui.trace_model import TraceFrames

    rng = np.random.default_rng(0)
    trace = TraceFrames(capacity=5000)
    parts_t, parts_id, t = [], [], 0.0
    for _ in range(300):
        n = int(rng.integers(1, 700))
        ts = t + np.cumsum(rng.uniform(0, 0.001, n))
        t = ts[-1]
        ids = rng.integers(0, 20, n).astype(np.uint32)
        trace.append(FrameArrays(ts, ids, np.zeros(n, np.uint8), np.full(n, 8, np.uint8), np.zeros((n, 8), np.uint8)))
        parts_t.append(ts)
        parts_id.append(ids)
    ts, ids = np.concatenate(parts_t), np.concatenate(parts_id)
    assert len(trace) == 5000 and trace.dropped == len(ts) - 5000
    np.testing.assert_array_equal(trace.frames.timestamp, ts[-5000:])
    last: dict[int, float] = {}
    expected = np.empty(len(ts))
    for i, (x, k) in enumerate(zip(ts, ids, strict=True)):
        expected[i] = x - last.get(int(k), np.nan)
        last[int(k)] = x
    np.testing.assert_allclose(trace.delta, expected[-5000:])


def test_a_session_with_a_frame_window_is_read_directly():
    from ui.trace_feed import SessionFrameFeed, feed_for

    class WindowedSession:
        has_frame_window = True

        def __init__(self):
            self.asked = []

        def frames_since(self, cursor):
            self.asked.append(cursor)
            n = 3
            return FrameArrays(np.arange(n, dtype=float), np.full(n, 0x7E8, np.uint32), np.zeros(n, np.uint8),
                               np.full(n, 8, np.uint8), np.zeros((n, 8), np.uint8)), cursor + n

    session = WindowedSession()
    feed = feed_for(session)
    assert isinstance(feed, SessionFrameFeed)
    assert len(feed.take()) == 3 and len(feed.take()) == 3
    assert session.asked == [0, 3]
    with pytest.raises(RuntimeError, match="cannot transmit"):
        from ui.trace_feed import TransmitSpec

        feed.send(TransmitSpec(0x7DF, b"\x02\x01\x0c"))
