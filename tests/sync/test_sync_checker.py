"""The history checker finds what it claims to find: hand-made histories with one anomaly each,
and a deliberately broken engine (pulled rows overwrite pending edits) run through two real stores."""

from __future__ import annotations

import random
import uuid

import pytest

from carvrooom_desktop.storage.models import VehicleRow
from tests.sync.harness import checker
from tests.sync.harness.checker import Read, Server, Station, Write, check
from tests.sync.harness.workstation import Log, Workload

ROW = "aa" * 16


def _vehicle(make, deleted=False):
    return {"id": ROW, "make": make, "model": "m", "deleted": deleted, "version": 2}


def _station(name, writes=(), reads=(), make="w1.x.2", outbox=None, pulled=()):
    st = Station(name, list(writes), list(reads), list(pulled))
    st.outbox = outbox if outbox is not None else [
        {"change_id": w.change_id, "acked": 1, "table_name": w.table, "row_id": w.row} for w in writes if w.committed]
    st.rows = {"vehicles": {ROW: _vehicle(make)}}
    return st


def _server(stations, make="w1.x.2"):
    return Server(applied=[(e["change_id"], s.name) for s in stations for e in s.outbox],
                  rows={"vehicles": {ROW: _vehicle(make)}})


def _w(ws, pos, value, hlc, cid=None):
    return Write(ws, pos, value, "vehicles", ROW, {"make": value}, cid or uuid.uuid4().hex, hlc)


def test_a_clean_history_has_no_anomaly():
    a = _station("w1", [_w("w1", 0, "w1.x.1", 10), _w("w1", 1, "w1.x.2", 30)],
                 [Read("w1", 2, "vehicles", ROW, "make", "w1.x.2")], pulled=[0, 3, 5])
    b = _station("w2", [_w("w2", 0, "w2.x.1", 20)], [Read("w2", 1, "vehicles", ROW, "make", "w2.x.1"),
                                                     Read("w2", 5, "vehicles", ROW, "make", "w1.x.2")])
    report = check([a, b], _server([a, b]))
    assert report.anomalies == [] and report.counts["reads"] == 3


@pytest.mark.parametrize("kind", ["lost", "phantom", "duplicate", "unacked", "lost_update", "read_your_writes",
                                  "monotonic_read", "unknown_value", "divergence", "monotonic_checkpoint", "resurrected"])
def test_each_anomaly_is_found(kind):
    writes = [_w("w1", 0, "w1.x.1", 10), _w("w1", 1, "w1.x.2", 30)]
    reads = [Read("w1", 2, "vehicles", ROW, "make", "w1.x.2")]
    a = _station("w1", writes, reads, pulled=[1, 2])
    b = _station("w2", [_w("w2", 0, "w2.x.1", 20)])
    server = _server([a, b])
    if kind == "lost":
        server.applied.pop()
    elif kind == "phantom":
        server.applied.append((uuid.uuid4().hex, "w3"))
    elif kind == "duplicate":
        server.applied.append(server.applied[0])
    elif kind == "unacked":
        a.outbox[0]["acked"] = 0
    elif kind == "lost_update":
        server.rows["vehicles"][ROW]["make"] = b.rows["vehicles"][ROW]["make"] = a.rows["vehicles"][ROW]["make"] = "w2.x.1"
    elif kind == "read_your_writes":
        a.reads.append(Read("w1", 3, "vehicles", ROW, "make", "w1.x.1"))  # after writing w1.x.2 (stamp 30)
    elif kind == "monotonic_read":
        b.reads += [Read("w2", 3, "vehicles", ROW, "make", "w1.x.2"), Read("w2", 4, "vehicles", ROW, "make", "w2.x.1")]
    elif kind == "unknown_value":
        b.reads.append(Read("w2", 3, "vehicles", ROW, "make", "never written"))
    elif kind == "divergence":
        b.rows["vehicles"][ROW]["model"] = "other"
    elif kind == "monotonic_checkpoint":
        a.pulled += [-1, 1]  # restarted and went back to an older checkpoint
    elif kind == "resurrected":
        a.writes.append(Write("w1", 4, "w1.x.9", "vehicles", ROW, {"deleted": True}, uuid.uuid4().hex, 40))
        a.outbox.append({"change_id": a.writes[-1].change_id, "acked": 1, "table_name": "vehicles", "row_id": ROW})
        server.applied.append((a.writes[-1].change_id, "w1"))
    report = check([a, b], server)
    assert kind in report.kinds, report.anomalies


def test_a_write_killed_before_its_commit_line_is_resolved_from_the_outbox():
    st = Station("w1", [Write("w1", 0, "w1.x.1", "vehicles", ROW, {"make": "w1.x.1"})])
    st.outbox = [{"change_id": "cd" * 16, "table_name": "vehicles", "row_id": ROW, "op": "U", "fields": "make", "hlc": 77, "acked": 1}]
    checker._resolve_unlogged(st)
    assert st.writes[0].change_id == "cd" * 16 and st.writes[0].hlc == 77
    rolled_back = Station("w1", [Write("w1", 0, "w1.x.1", "vehicles", ROW, {"make": "w1.x.1"})])
    checker._resolve_unlogged(rolled_back)
    assert not rolled_back.writes[0].committed


@pytest.mark.postgres
def test_a_broken_engine_that_lets_pulls_overwrite_pending_edits_is_caught(workstations, shared_url, tmp_path, monkeypatch):
    """The rule of sync/apply.py removed: the checker must see the consequences."""
    a, b = workstations("w1"), workstations("w2")
    vid = uuid.uuid4()
    logs = {ws.name: tmp_path / f"{ws.name}.jsonl" for ws in (a, b)}
    work = {ws.name: Workload(ws.store, Log(logs[ws.name]), ws.name, random.Random(0)) for ws in (a, b)}
    row = VehicleRow(id=vid, vin="V", make="w1.0.1", model="w1.0.2", origin="w1")
    work["w1"]._write("vehicles", vid, {"make": row.make, "model": row.model}, lambda s: s.add(row))
    a.sync(), b.sync()

    def set_make(name, value):
        def apply(s):
            s.get(VehicleRow, vid).make = value
        work[name]._write("vehicles", vid, {"make": value}, apply)

    def read(name):
        work[name].log(k="read", table="vehicles", row=vid.hex, field="make",
                       value=b.store.vehicles.get_by_vin("V").make if name == "w2" else a.store.vehicles.get_by_vin("V").make)

    monkeypatch.setattr("carvrooom_desktop.sync.apply.pending_fields", lambda *args: {})
    set_make("w1", "w1.0.3")
    set_make("w2", "w2.0.1")  # later stamp, still pending on w2
    a.sync()
    b.engine._pull_all(None)  # the broken pull overwrites w2's pending edit with w1's older one
    read("w2")
    b.sync(), a.sync(), b.sync()
    monkeypatch.undo()
    stations = []
    for ws in (a, b):
        st = checker.load_log(ws.name, logs[ws.name])
        checker.load_store(st, ws.store.engine)
        stations.append(st)
    server_engine = a.engine._server
    report = check(stations, checker.load_server(server_engine))
    assert {"read_your_writes", "lost_update"} <= set(report.kinds), report.anomalies
