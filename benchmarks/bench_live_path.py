"""Live path end to end on a python-can virtual bus, at 45,000 frames/s (5x a saturated 1 Mbit/s bus).

Ours: BusReader -> FramePipeline (columnar batches, bus load) -> Recorder (zstd chunks into a
SQLite store, committed twice a second) and BatchDecoder (vectorised, per message id) ->
ring buffers, with a plot-like consumer reading 10 s windows of every signal 30 times a
second and reducing each to min/max per pixel over 1280 px.
Baseline, same producer and rate: python-can's Notifier with a listener that decodes every
frame with cantools (``decode_message``) into per-signal lists, as the session did before.

A producer thread sends the simulator's broadcast messages (random payloads, valid
multiplexer values) in paced bursts. The CAN FD variant (``--fd-share 0.25``) replaces that
share of them with CAN FD frames of opendbc's hyundai_canfd messages (8 to 32 bytes, BRS
set), decoded with one database that holds both (ids the two share left to the simulator);
batches with FD frames travel, are recorded and decoded in 64-byte rows. Per run: frames sent, read, recorded and decoded
(no frame may be lost), the largest lag of a batch, and CPU: process CPU time / wall
time, with the producer thread's own CPU (python-can's send, a deepcopy per frame) shown
apart, since a real adapter's driver does not cost it. Printed: medians of REPEATS runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

import can
import numpy as np

from carvrooom_desktop.acquisition.bus_reader import BusReader
from carvrooom_desktop.acquisition.decimation import minmax_bins
from carvrooom_desktop.acquisition.decode import BatchDecoder
from carvrooom_desktop.acquisition.frame_pipeline import FramePipeline
from carvrooom_desktop.acquisition.recorder import Recorder
from carvrooom_desktop.acquisition.ring_buffer import SignalBoard
from carvrooom_desktop.acquisition.signal_databases import broadcast_definitions
from carvrooom_desktop.storage.store import Store
from drivers.simulator.broadcast import load_sim_dbc

FD_DBC = Path(__file__).resolve().parent.parent / "tests" / "drivers" / "fixtures" / "hyundai_canfd.dbc"

RATE = 45_000  # frames/s
SECONDS = 4.0
REPEATS = 3
PLOT_HZ = 30
PLOT_WINDOW = 10.0  # s shown
WIDTH = 1280  # px


def _frames(dbc, n: int = 4_096, seed: int = 0) -> list[can.Message]:
    rng = np.random.default_rng(seed)
    out = []
    messages = list(dbc.messages)
    for i in range(n):
        message = messages[i % len(messages)]
        values = {}
        for s in message.signals:
            lo = s.minimum if s.minimum is not None else 0
            hi = s.maximum if s.maximum is not None else 1
            values[s.name] = float(rng.uniform(lo, hi)) if not s.is_multiplexer else 0
        mux = next((s for s in message.signals if s.is_multiplexer), None)
        if mux is not None:
            ids = sorted({k for s in message.signals for k in (s.multiplexer_ids or ())})
            values[mux.name] = ids[i % len(ids)]
        data = message.encode(values, strict=False)
        out.append(can.Message(arbitration_id=message.frame_id, data=data, is_extended_id=False))
    return out


def with_fd_frames(classic: list[can.Message], share: float, seed: int = 1):
    """(frames with ``share`` of them CAN FD frames of hyundai_canfd, one cantools database decoding both)."""
    import cantools

    from carvrooom_desktop.acquisition.decode import load_database

    sim = load_sim_dbc()
    fd_db = load_database(FD_DBC)
    taken = {m.frame_id for m in sim.messages}
    fd_messages = [m for m in fd_db.messages if m.frame_id not in taken]
    merged = cantools.database.can.Database(messages=[*sim.messages, *fd_messages], strict=False)
    rng = np.random.default_rng(seed)
    out = []
    for i, msg in enumerate(classic):
        if rng.random() < share:
            m = fd_messages[i % len(fd_messages)]
            out.append(can.Message(arbitration_id=m.frame_id, data=rng.bytes(m.length), is_extended_id=m.is_extended_frame,
                                   is_fd=True, bitrate_switch=True))
        else:
            out.append(msg)
    return out, merged


class Producer(threading.Thread):
    """Sends ``frames`` round-robin at ``rate`` for ``seconds`` in bursts of about a millisecond."""

    def __init__(self, channel: str, frames: list[can.Message], rate: float, seconds: float) -> None:
        super().__init__(name="producer", daemon=True)
        self.bus = can.Bus(interface="virtual", channel=channel)
        self.frames, self.rate, self.seconds = frames, rate, seconds
        self.sent = 0
        self.cpu = 0.0
        self.wall = 0.0

    def run(self) -> None:
        send, frames, n_frames = self.bus.send, self.frames, len(self.frames)
        total = int(self.rate * self.seconds)
        cpu0 = time.thread_time()
        start = time.perf_counter()
        sent = 0
        while sent < total:
            due = int((time.perf_counter() - start) * self.rate) + 1
            if due <= sent:
                time.sleep(0.0005)
                continue
            for k in range(sent, min(due, total, sent + 200)):
                send(frames[k % n_frames])
                sent += 1
            self.sent = sent
        self.wall = time.perf_counter() - start
        self.cpu = time.thread_time() - cpu0
        self.bus.shutdown()


class PlotConsumer(threading.Thread):
    """Reads a window of every signal ``PLOT_HZ`` times a second and reduces it to min/max per pixel."""

    def __init__(self, read, names: list[str]) -> None:
        super().__init__(name="plot", daemon=True)
        self.read, self.names = read, names
        self.stop_event = threading.Event()
        self.ticks = 0
        self.points = 0

    def run(self) -> None:
        period = 1.0 / PLOT_HZ
        next_due = time.perf_counter() + period
        while not self.stop_event.wait(max(0.0, next_due - time.perf_counter())):
            next_due = max(next_due + period, time.perf_counter())  # a fixed 30 Hz schedule, no catching up
            for name in self.names:
                t, v = self.read(name)
                if len(t):
                    x1 = float(t[-1])
                    out_t, _ = minmax_bins(t, v, v, x1 - PLOT_WINDOW, x1, WIDTH)
                    self.points += len(out_t)
            self.ticks += 1


def run_ours(dbc, frames, rate: float, seconds: float, tmp: Path, run: int) -> dict:
    channel = f"bench-live-ours-{run}"
    listener_bus = can.Bus(interface="virtual", channel=channel)
    store = Store.open(f"sqlite:///{tmp / f'live{run}.sqlite3'}")
    board = SignalBoard()
    for definition in broadcast_definitions(dbc):
        board.add(definition, 60_000)
    names = [d.name for d in board.definitions()][:32]
    reader = BusReader(listener_bus, name="live-bus").start()
    pipeline = FramePipeline(reader, t0=time.time()).start()
    pipeline.set_decoder(BatchDecoder(dbc), board.buffers)
    recording_id = store.recordings.create(adapter="benchmark virtual bus")
    recorder = Recorder(store.recordings, recording_id, {})
    pipeline.attach(recorder)
    plot = PlotConsumer(lambda name: board.window(name, PLOT_WINDOW), names)
    producer = Producer(channel, frames, rate, seconds)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    plot.start()
    producer.start()
    producer.join()
    deadline = time.monotonic() + 30
    while reader.total < producer.sent and time.monotonic() < deadline:
        time.sleep(0.005)
    pipeline.detach()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    plot.stop_event.set()
    plot.join()
    error = recorder.stop()
    pipeline.stop()
    reader.stop()
    listener_bus.shutdown()
    recorded = store.recordings.get(recording_id).frame_count
    store.close()
    return {"sent": producer.sent, "achieved": producer.sent / producer.wall, "read": reader.total, "recorded": recorded,
            "lost": producer.sent - min(reader.total, recorded), "cpu": cpu / wall, "producer_cpu": producer.cpu / wall,
            "path_us": (cpu - producer.cpu) / producer.sent * 1e6, "lag": pipeline.max_lag, "plot_hz": plot.ticks / wall,
            "error": error}


class CantoolsListener(can.Listener):
    """The baseline consumer: one decode_message per frame into per-signal lists."""

    def __init__(self, dbc) -> None:
        self.dbc = dbc
        self.count = 0
        self.columns: dict[str, tuple[list[float], list[float]]] = {}
        self.lock = threading.Lock()

    def on_message_received(self, msg: can.Message) -> None:
        self.count += 1
        try:
            message = self.dbc.get_message_by_frame_id(msg.arbitration_id)
            decoded = message.decode(msg.data, decode_choices=False)
        except Exception:  # noqa: BLE001
            return
        with self.lock:
            for sig, value in decoded.items():
                t, v = self.columns.setdefault(f"{message.name}.{sig}", ([], []))
                t.append(msg.timestamp)
                v.append(float(value))

    def window(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        with self.lock:
            t, v = self.columns.get(name, ([], []))
            t, v = np.array(t[-60_000:]), np.array(v[-60_000:])
        if len(t):
            keep = t >= t[-1] - PLOT_WINDOW
            return t[keep], v[keep]
        return t, v


def run_baseline(dbc, frames, rate: float, seconds: float, run: int) -> dict:
    channel = f"bench-live-base-{run}"
    listener_bus = can.Bus(interface="virtual", channel=channel)
    listener = CantoolsListener(dbc)
    notifier = can.Notifier(listener_bus, [listener], timeout=0.05)
    names = [f"{m.name}.{s.name}" for m in dbc.messages for s in m.signals][:32]
    plot = PlotConsumer(listener.window, names)
    producer = Producer(channel, frames, rate, seconds)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    plot.start()
    producer.start()
    producer.join()
    deadline = time.monotonic() + 30
    while listener.count < producer.sent and time.monotonic() < deadline:
        time.sleep(0.005)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    plot.stop_event.set()
    plot.join()
    notifier.stop()
    listener_bus.shutdown()
    return {"sent": producer.sent, "achieved": producer.sent / producer.wall, "read": listener.count, "recorded": 0,
            "lost": producer.sent - listener.count, "cpu": cpu / wall, "producer_cpu": producer.cpu / wall,
            "path_us": (cpu - producer.cpu) / producer.sent * 1e6, "drain": wall - producer.wall, "plot_hz": plot.ticks / wall}


def main(rate: float = RATE, seconds: float = SECONDS, repeats: int = REPEATS, fd_share: float = 0.0) -> dict[str, float]:
    dbc = load_sim_dbc()
    frames = _frames(dbc)
    if fd_share > 0:
        frames, dbc = with_fd_frames(frames, fd_share)
    ours, base = [], []
    with tempfile.TemporaryDirectory() as d:
        for run in range(repeats):
            ours.append(run_ours(dbc, frames, rate, seconds, Path(d), run))
            base.append(run_baseline(dbc, frames, rate, seconds, run))

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    share = sum(m.is_fd for m in frames) / len(frames)
    kind = f", {share:.0%} of them CAN FD (8-32 bytes)" if share else ""
    print(f"\nLive path, virtual bus at {rate:,.0f} frames/s{kind} for {seconds:.0f} s (median of {repeats})")
    print(f"  {'':<44} {'ours':>12} {'Notifier+cantools':>18}")
    print(f"  {'frames/s the producer achieved':<44} {med(ours, 'achieved'):>12,.0f} {med(base, 'achieved'):>18,.0f}")
    print(f"  {'frames lost (sent - read/recorded), worst':<44} {max(r['lost'] for r in ours):>12,} {max(r['lost'] for r in base):>18,}")
    print(f"  {'frames recorded / sent (all runs)':<44} {sum(r['recorded'] for r in ours):>6,}/{sum(r['sent'] for r in ours):<6,} {'(no recorder)':>17}")
    print(f"  {'CPU, whole process (CPU s / wall s)':<44} {med(ours, 'cpu'):>12.2f} {med(base, 'cpu'):>18.2f}")
    print(f"  {'  of which the producer (python-can send)':<44} {med(ours, 'producer_cpu'):>12.2f} {med(base, 'producer_cpu'):>18.2f}")
    print(f"  {'  the rest: receive, decode, store, plot':<44} {med(ours, 'cpu') - med(ours, 'producer_cpu'):>12.2f} "
          f"{med(base, 'cpu') - med(base, 'producer_cpu'):>18.2f}")
    print(f"  {'CPU us per frame, without the producer':<44} {med(ours, 'path_us'):>12.2f} {med(base, 'path_us'):>18.2f}")
    print(f"  {'plot consumer ticks/s (target 30)':<44} {med(ours, 'plot_hz'):>12.1f} {med(base, 'plot_hz'):>18.1f}")
    print(f"  {'largest batch lag (s) / baseline drain (s)':<44} {med(ours, 'lag'):>12.3f} {med(base, 'drain'):>18.3f}")
    ratio = med(base, "path_us") / med(ours, "path_us")
    print(f"  CPU per frame: ours {ratio:.2f}x less than Notifier + per-frame cantools (which records nothing)")
    ok = max(r["lost"] for r in ours) == 0 and med(ours, "achieved") >= 0.98 * rate and not any(r["error"] for r in ours)
    print(f"  target: no frame lost at >= {rate:,.0f} frames/s: {'met' if ok else 'NOT met'}")
    return {"ours_cpu": med(ours, "cpu"), "base_cpu": med(base, "cpu"), "ratio": ratio, "lost": max(r["lost"] for r in ours),
            "achieved": med(ours, "achieved")}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=RATE)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--fd-share", type=float, default=None,
                        help="share of CAN FD frames (default: the classic run, then a run with 25%% FD frames)")
    args = parser.parse_args()
    for share in ([args.fd_share] if args.fd_share is not None else [0.0, 0.25]):
        main(args.rate, args.seconds, args.repeats, share)
