"""One fault run: N workstation processes write for a while through a loopback proxy while the harness
kills them mid-push (SIGKILL), restarts PostgreSQL, cuts the link, and runs one of them on a clock
that is ten minutes off; then every store syncs to the end and the checker replays the history.

PostgreSQL is restarted with ``pg_ctlcluster``; whatever happens, it is running again when the
run returns (``ensure_postgres_running``).
"""

from __future__ import annotations

import glob
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from tests.sync.harness import checker
from tests.sync.harness.proxy import LoopbackProxy

ROOT = Path(__file__).resolve().parents[3]
MID_PUSH = ("push-server", "push-committed")


def _cluster() -> tuple[str, str] | None:
    versions = sorted(os.path.basename(p) for p in glob.glob("/etc/postgresql/*"))
    return (versions[-1], "main") if versions else None


def restart_postgres() -> float:
    """Restart the local cluster; returns how long it took. Raises when it cannot."""
    cluster = _cluster()
    if cluster is None:
        raise RuntimeError("no local PostgreSQL cluster (/etc/postgresql) to restart")
    started = time.monotonic()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, "restart", "-m", "fast"],
                   check=True, capture_output=True, timeout=60)
    return time.monotonic() - started


def ensure_postgres_running() -> None:
    cluster = _cluster()
    if cluster is None:
        return
    status = subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, "status"], capture_output=True)
    if status.returncode != 0:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, "start"], capture_output=True, timeout=60)


def wait_for_postgres(url: str, timeout: float = 30.0) -> None:
    engine = sa.create_engine(url, connect_args={"connect_timeout": 2})
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with engine.connect() as conn:
                    conn.execute(sa.text("SELECT 1"))
                return
            except sa.exc.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        engine.dispose()


@dataclass
class Faults:
    kills: int = 4  # SIGKILLs, each aimed at a push in flight
    pg_restarts: int = 1
    link_cuts: int = 1
    cut_seconds: tuple[float, float] = (1.5, 3.0)
    skew_ms: int = 600_000  # one workstation's clock (sign alternates between runs)


@dataclass
class RunResult:
    report: checker.Report
    workstations: int
    seconds: float
    kills_mid_push: int = 0
    kills_other: int = 0
    pg_restarts: int = 0
    link_cuts: int = 0
    skewed: str = ""
    drain_s: float = 0.0
    log: list[str] = field(default_factory=list)

    @property
    def faults(self) -> int:
        return self.kills_mid_push + self.kills_other + self.pg_restarts + self.link_cuts + (1 if self.skewed else 0)

    def summary(self) -> str:
        return (f"{self.workstations} workstations x {self.seconds:g} s; faults: {self.kills_mid_push} SIGKILL mid-push "
                f"(+{self.kills_other} elsewhere), {self.pg_restarts} PostgreSQL restarts, {self.link_cuts} link cuts, "
                f"clock skew {self.skewed or 'none'}; drained in {self.drain_s:.1f} s; {self.report.summary()}")


def _wait_ready(stations: list[_Station], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    for st in stations:
        log = st.home / "history.jsonl"
        while not (log.exists() and '"k": "start"' in log.read_text()):
            if time.monotonic() > deadline or (st.proc and st.proc.poll() is not None):
                raise RuntimeError(f"{st.name} did not start: {(st.home / 'stderr.log').read_text()[-2000:]}")
            time.sleep(0.1)


class _Station:
    def __init__(self, name: str, home: Path, shared: str, until: float, rate: float, seed: int, skew_ms: int) -> None:
        self.name, self.home, self.shared, self.until, self.rate, self.seed, self.skew_ms = name, home, shared, until, rate, seed, skew_ms
        self.phase = home / "phase"
        self.proc: subprocess.Popen | None = None
        home.mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        self.phase.write_text("".ljust(16))
        env = dict(os.environ, CARVROOOM_HOME=str(self.home), PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1")
        cmd = [sys.executable, "-m", "tests.sync.harness.workstation", "--home", str(self.home), "--name", self.name,
               "--shared", self.shared, "--until", str(self.until), "--rate", str(self.rate), "--seed", str(self.seed),
               "--skew-ms", str(self.skew_ms), "--phase", str(self.phase)]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(self.home / "stderr.log", "ab"))

    def phase_now(self) -> str:
        try:
            return self.phase.read_text().strip()
        except OSError:
            return ""

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def _seed(shared_url: str, workdir: Path) -> None:
    """The workshop before the run: three bays and a job, from a first workstation."""
    from sqlalchemy.orm import Session

    from carvrooom_desktop.storage.store import Store
    from carvrooom_desktop.storage.workshop_models import WorkshopBayRow, WorkshopJobRow
    from carvrooom_desktop.sync.engine import SyncEngine

    home = workdir / "seed"
    home.mkdir(parents=True, exist_ok=True)
    (home / "history.jsonl").touch()
    with Store.open(f"sqlite:///{home / 'carvrooom.sqlite3'}", origin="seed") as store:
        with Session(store.engine) as s, s.begin():
            s.add_all([WorkshopBayRow(name=f"Lift {i}", bay_type="lift", origin="seed") for i in range(3)])
            s.add(WorkshopJobRow(title="service", labour_hours=1.0, bay_type="lift", origin="seed"))
        with SyncEngine(store.engine, shared_url, origin="seed", keep_acked=True) as engine:
            engine.init_shared()
            status = engine.sync_once()
            assert status.state.value == "synced", status


def drain(stations: list[_Station], shared_url: str, rounds: int = 2) -> list[checker.Station]:
    """Every store syncs until nothing is pending, twice round, so each has pulled everybody's last change."""
    from carvrooom_desktop.storage.store import Store
    from carvrooom_desktop.sync.engine import SyncEngine

    for _ in range(rounds):
        for st in stations:
            with Store.open(f"sqlite:///{st.home / 'carvrooom.sqlite3'}", origin=st.name) as store, \
                    SyncEngine(store.engine, shared_url, origin=st.name, keep_acked=True) as engine:
                for _attempt in range(20):
                    status = engine.sync_once()
                    if status.state.value in ("synced", "conflict") and status.pending == 0:
                        break
                    time.sleep(0.5)
                else:
                    raise RuntimeError(f"{st.name} did not drain: {status}")
    loaded = []
    for st in stations:
        hist = checker.load_log(st.name, st.home / "history.jsonl")
        with Store.open(f"sqlite:///{st.home / 'carvrooom.sqlite3'}", origin=st.name) as store:
            checker.load_store(hist, store.engine)
        loaded.append(hist)
    return loaded


def fault_run(shared_url: str, workdir: Path, *, workstations: int = 5, rate: float = 20.0, seconds: float = 60.0,
              faults: Faults | None = None, seed: int = 0, pg_url_for_wait: str | None = None) -> RunResult:
    """``shared_url`` is a direct URL of an empty, fresh schema; the workstations reach it through the proxy."""
    faults = faults or Faults()
    rng = random.Random(seed)
    workdir.mkdir(parents=True, exist_ok=True)
    _seed(shared_url, workdir)
    url = sa.engine.make_url(shared_url)
    proxy = LoopbackProxy((url.host or "127.0.0.1", url.port or 5432))
    via_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    until = time.time() + seconds + 300  # a safety stop; the harness ends the run with SIGTERM
    skew = faults.skew_ms * (1 if seed % 2 == 0 else -1)
    stations = [_Station(f"ws{i}", workdir / f"ws{i}", via_proxy, until, rate, seed, skew if i == 1 else 0)
                for i in range(workstations)]
    result = RunResult(checker.Report(), workstations, seconds, skewed=f"ws1 {skew / 60000:+.0f} min" if workstations > 1 else "")
    try:
        for st in stations:
            st.start()
        _wait_ready(stations)  # importing and opening a store takes seconds on a busy machine
        start = time.time()
        end = start + seconds
        events = (["kill"] * faults.kills + ["restart"] * faults.pg_restarts + ["cut"] * faults.link_cuts)
        rng.shuffle(events)
        slots = sorted(rng.uniform(start + 2, end - 4) for _ in events)
        for when, event in zip(slots, events):
            time.sleep(max(0.0, when - time.time()))
            if event == "kill":
                victim = rng.choice(stations)
                deadline = time.monotonic() + 4.0
                while victim.phase_now() not in MID_PUSH and time.monotonic() < deadline:
                    time.sleep(0.001)
                mid = victim.phase_now() in MID_PUSH
                victim.kill()
                result.log.append(f"{time.time() - start:6.1f} s  SIGKILL {victim.name} ({victim.phase_now() or 'idle'})")
                result.kills_mid_push += mid
                result.kills_other += not mid
                time.sleep(rng.uniform(0.2, 1.0))
                if time.time() < end - 1:
                    victim.start()
            elif event == "restart":
                took = restart_postgres()
                result.pg_restarts += 1
                result.log.append(f"{time.time() - start:6.1f} s  PostgreSQL restarted ({took:.1f} s)")
            else:
                proxy.cut()
                time.sleep(rng.uniform(*faults.cut_seconds))
                proxy.restore()
                result.link_cuts += 1
                result.log.append(f"{time.time() - start:6.1f} s  link cut and restored")
        time.sleep(max(0.0, end - time.time()))
        for st in stations:
            st.stop()
    finally:
        for st in stations:
            st.kill()
        proxy.close()
        ensure_postgres_running()
    wait_for_postgres(pg_url_for_wait or shared_url)
    began = time.monotonic()
    seed_station = _Station("seed", workdir / "seed", shared_url, until, rate, seed, 0)
    loaded = drain([seed_station, *stations], shared_url)
    result.drain_s = time.monotonic() - began
    from carvrooom_desktop.sync.engine import server_engine

    engine = server_engine(shared_url)
    try:
        server = checker.load_server(engine)
    finally:
        engine.dispose()
    result.report = checker.check(loaded, server)
    return result


__all__ = ["Faults", "RunResult", "ensure_postgres_running", "fault_run", "restart_postgres"]
