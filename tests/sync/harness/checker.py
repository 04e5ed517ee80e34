"""The history checker: replays what every workstation did and saw, and what the server and the
stores hold at the end, and names every anomaly.

Properties (each anomaly has a ``kind``):

- ``lost``: a committed local change (a change id in a store's outbox, or a logged commit) the
  server never applied; ``phantom``: a change id the server applied that no store ever made;
  ``unacked``: a change still pending after the final sync; ``duplicate``: a change id applied
  twice, or a chunk stored twice.
- ``lost_update``: a field's final server value is not the value of the write with the largest
  (stamp, workstation) among all committed writes to it (last writer by HLC); ``resurrected``:
  a deleted row that is live at the end.
- ``read_your_writes``: a workstation read a field and got a value older (by stamp) than its own
  last committed write to it; ``monotonic_read``: a read older than an earlier read of the same
  field by the same workstation; ``monotonic_checkpoint``: the pulled checkpoint went back;
  ``unknown_value``: a read returned a value no committed write produced.
- ``divergence``: a store's row differs from the server's after the final sync.
- ``chunk_lost`` / ``chunk_differs``: a recorded chunk missing on the server or not byte-equal.
- ``double_booking``: two live bookings overlap on one bay on the server; ``booking_lost``:
  a committed booking the server does not have; ``rejection_unseen``: a booking the server
  rejected without an open conflict on the workstation that made it.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHECKED = {"vehicles": ("make", "model"), "recordings": ("notes",)}
IGNORED_COLUMNS = frozenset()  # every column must agree


@dataclass
class Write:
    ws: str
    pos: int
    n: str
    table: str
    row: str
    values: dict[str, Any]
    change_id: str | None = None
    hlc: int | None = None

    @property
    def committed(self) -> bool:
        return self.change_id is not None


@dataclass
class Read:
    ws: str
    pos: int
    table: str
    row: str
    field: str
    value: Any


@dataclass
class Station:
    """One workstation: its history and, after the final sync, its store."""

    name: str
    writes: list[Write] = field(default_factory=list)
    reads: list[Read] = field(default_factory=list)
    pulled: list[int] = field(default_factory=list)
    outbox: list[dict] = field(default_factory=list)  # every entry (the harness keeps acknowledged ones)
    rows: dict[str, dict[str, dict]] = field(default_factory=dict)  # table -> row id hex -> comparable row
    chunks: dict[str, str] = field(default_factory=dict)  # chunk id hex -> sha256 of (recording, kind, seq, payload)
    conflicts: list[dict] = field(default_factory=list)
    starts: int = 0


@dataclass
class Server:
    applied: list[tuple[str, str]] = field(default_factory=list)  # (change id hex, origin)
    rows: dict[str, dict[str, dict]] = field(default_factory=dict)
    chunks: dict[str, str] = field(default_factory=dict)
    chunk_keys: list[tuple] = field(default_factory=list)


@dataclass
class Report:
    anomalies: list[dict] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def add(self, kind: str, **detail) -> None:
        self.anomalies.append({"kind": kind, **detail})

    @property
    def kinds(self) -> Counter:
        return Counter(a["kind"] for a in self.anomalies)

    def summary(self) -> str:
        c = self.counts
        text = (f"{c['changes']} changes, {c['writes']} logged writes ({c['unlogged_commits']} resolved from the outbox after a kill), {c['reads']} reads, "
                f"{c['changes']} change ids, {c['chunks']} chunks, {c['bookings']} bookings ({c['rejected']} rejected), "
                f"{c['rows_compared']} rows compared: ")
        return text + ("no anomaly" if not self.anomalies else ", ".join(f"{k} x{n}" for k, n in self.kinds.items()))


# -- loading ---------------------------------------------------------------------------------------


def load_log(name: str, path: Path) -> Station:
    st = Station(name)
    pending: dict[str, Write] = {}
    for pos, line in enumerate(path.read_text().splitlines()):
        rec = json.loads(line)
        k = rec["k"]
        if k == "intent":
            w = Write(name, pos, rec["n"], rec["table"], rec["row"], rec["values"])
            st.writes.append(w)
            pending[w.n] = w
        elif k == "commit":
            w = pending.pop(rec["n"])
            w.change_id, w.hlc = rec["change_id"], rec["hlc"]
        elif k == "read":
            st.reads.append(Read(name, pos, rec["table"], rec["row"], rec["field"], rec["value"]))
        elif k == "pulled":
            st.pulled.append(int(rec["seq"]))
        elif k == "start":
            st.starts += 1
            st.pulled.append(-1)  # a restart marker: the checkpoint after it must not be below the one before
    return st


def comparable_row(values: dict) -> dict:
    import uuid
    from datetime import UTC, datetime

    out = {}
    for k, v in values.items():
        if isinstance(v, datetime):
            v = (v if v.tzinfo else v.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
        elif isinstance(v, uuid.UUID):
            v = v.hex
        elif isinstance(v, bytes | memoryview):
            v = hashlib.sha256(bytes(v)).hexdigest()
        elif isinstance(v, float):
            v = round(v, 9)
        out[k] = v
    return out


def chunk_digest(row: dict) -> str:
    key = f"{row['recording_id'].hex}|{row['kind']}|{row['seq']}|".encode()
    return hashlib.sha256(key + bytes(row["payload"])).hexdigest()


def load_store(st: Station, engine) -> None:
    import sqlalchemy as sa

    from carvrooom_desktop.storage.sync_tables import synced_tables

    with engine.connect() as conn:
        st.outbox = [dict(r._mapping) for r in conn.execute(sa.text("SELECT * FROM sync_outbox ORDER BY local_seq"))]
        st.conflicts = [dict(r._mapping) for r in conn.execute(sa.text("SELECT * FROM sync_conflicts"))]
        for t in synced_tables():
            rows = [dict(r._mapping) for r in conn.execute(sa.select(t.table))]
            if t.append_only:
                st.chunks |= {r["id"].hex: chunk_digest(r) for r in rows if r.get("origin") == st.name}
            else:
                st.rows[t.name] = {r["id"].hex: comparable_row(r) for r in rows}
    _resolve_unlogged(st)


def load_server(engine) -> Server:
    import sqlalchemy as sa

    from carvrooom_desktop.storage.sync_tables import synced_tables

    sv = Server()
    with engine.connect() as conn:
        sv.applied = [(r.change_id.hex, r.origin) for r in conn.execute(sa.text("SELECT change_id, origin FROM sync_applied"))]
        for t in synced_tables():
            rows = [dict(r._mapping) for r in conn.execute(sa.select(t.table))]
            if t.append_only:
                sv.chunks = {r["id"].hex: chunk_digest(r) for r in rows}
                sv.chunk_keys = [(r["recording_id"], r["kind"], r["seq"]) for r in rows]
            else:
                sv.rows[t.name] = {r["id"].hex: comparable_row(r) for r in rows}
    return sv


def _resolve_unlogged(st: Station) -> None:
    """A kill between a commit and its log line: the write's outbox entry is there, unclaimed."""
    claimed = {w.change_id for w in st.writes if w.committed}
    by_row = defaultdict(list)
    for e in st.outbox:
        if e["change_id"] not in claimed and e["table_name"] in (*CHECKED, "workshop_bookings") and e["op"] in ("I", "U"):
            by_row[(e["table_name"], e["row_id"])].append(e)
    for w in reversed(st.writes):
        if w.committed:
            continue
        candidates = [e for e in by_row.get((w.table, w.row), ()) if _entry_matches(w, e)]
        if candidates:
            e = candidates[-1]
            by_row[(w.table, w.row)].remove(e)
            w.change_id, w.hlc = e["change_id"], e["hlc"]
            w.values["_resolved"] = True


def _entry_matches(w: Write, e: dict) -> bool:
    if e["op"] == "I" or e["fields"] == "*":
        return True
    return set(k for k in w.values if k in ("make", "model", "notes", "deleted")) <= set(e["fields"].split(","))


# -- checking --------------------------------------------------------------------------------------


def check(stations: list[Station], server: Server) -> Report:
    rep = Report()
    _changes(stations, server, rep)
    winners = _final_values(stations, server, rep)
    _reads(stations, winners, rep)
    _convergence(stations, server, rep)
    _chunks(stations, server, rep)
    _bookings(stations, server, rep)
    return rep


def _changes(stations, server, rep) -> None:
    applied = Counter(cid for cid, _ in server.applied)
    for cid, n in applied.items():
        if n > 1:
            rep.add("duplicate", change_id=cid, times=n)
    made = set()
    for st in stations:
        for e in st.outbox:
            made.add(e["change_id"])
            if e["change_id"] not in applied:
                rep.add("lost", ws=st.name, change_id=e["change_id"], table=e["table_name"], row=e["row_id"])
            if not e["acked"]:
                rep.add("unacked", ws=st.name, change_id=e["change_id"])
        ids = {e["change_id"] for e in st.outbox}
        for w in st.writes:
            rep.counts["writes"] += 1
            if w.values.get("_resolved"):
                rep.counts["unlogged_commits"] += 1
            if w.committed and w.change_id not in ids:
                rep.add("lost", ws=st.name, change_id=w.change_id, table=w.table, row=w.row, note="logged commit not in the outbox")
    for cid in applied.keys() - made:
        rep.add("phantom", change_id=cid)
    rep.counts["changes"] = len(made)


def _key(w: Write) -> tuple[int, str]:
    return int(w.hlc), w.ws


def _final_values(stations, server, rep) -> dict[tuple[str, str, str, Any], tuple[int, str]]:
    """Checks every checked field's final value; returns value -> stamp of the write that produced it."""
    best: dict[tuple[str, str, str], Write] = {}
    stamp_of: dict[tuple[str, str, str, Any], tuple[int, str]] = {}
    deleted: set[tuple[str, str]] = set()
    for st in stations:
        for w in st.writes:
            if not w.committed or w.table not in CHECKED:
                continue
            for f in CHECKED[w.table]:
                if f in w.values:
                    stamp_of[(w.table, w.row, f, w.values[f])] = _key(w)
                    k = (w.table, w.row, f)
                    if k not in best or _key(w) > _key(best[k]):
                        best[k] = w
            if w.values.get("deleted") is True:
                deleted.add((w.table, w.row))
    for (table, row, f), w in best.items():
        final = server.rows.get(table, {}).get(row)
        if final is None:
            rep.add("lost_update", table=table, row=row, field=f, expected=w.values[f], got=None)
        elif final[f] != w.values[f]:
            rep.add("lost_update", table=table, row=row, field=f, expected=w.values[f], got=final[f], by=w.ws)
    for table, row in deleted:
        final = server.rows.get(table, {}).get(row)
        if final is None or not final["deleted"]:
            rep.add("resurrected", table=table, row=row)
    return stamp_of


def _reads(stations, stamp_of, rep) -> None:
    for st in stations:
        own: dict[tuple[str, str, str], tuple[int, str]] = {}
        seen: dict[tuple[str, str, str], tuple[int, str]] = {}
        events = sorted([(w.pos, "w", w) for w in st.writes] + [(r.pos, "r", r) for r in st.reads], key=lambda e: e[0])
        for _pos, kind, ev in events:
            if kind == "w":
                if ev.committed and ev.table in CHECKED:
                    for f in CHECKED[ev.table]:
                        if f in ev.values:
                            own[(ev.table, ev.row, f)] = max(own.get((ev.table, ev.row, f), (0, "")), _key(ev))
                continue
            rep.counts["reads"] += 1
            k = (ev.table, ev.row, ev.field)
            stamp = stamp_of.get((ev.table, ev.row, ev.field, ev.value))
            if stamp is None:
                rep.add("unknown_value", ws=st.name, table=ev.table, row=ev.row, field=ev.field, value=ev.value)
                continue
            if k in own and stamp < own[k]:
                rep.add("read_your_writes", ws=st.name, table=ev.table, row=ev.row, field=ev.field, value=ev.value)
            if k in seen and stamp < seen[k]:
                rep.add("monotonic_read", ws=st.name, table=ev.table, row=ev.row, field=ev.field, value=ev.value)
            seen[k] = max(seen.get(k, (0, "")), stamp)
        last = 0
        for seq in st.pulled:
            if seq == -1:
                continue
            if seq < last:
                rep.add("monotonic_checkpoint", ws=st.name, seq=seq, before=last)
            last = max(last, seq)


def _convergence(stations, server, rep) -> None:
    for st in stations:
        for table, rows in server.rows.items():
            mine = st.rows.get(table, {})
            for row_id, row in rows.items():
                rep.counts["rows_compared"] += 1
                if mine.get(row_id) != row:
                    diff = sorted(k for k in row if (mine.get(row_id) or {}).get(k) != row[k])
                    rep.add("divergence", ws=st.name, table=table, row=row_id, columns=diff[:8])
            for row_id in mine.keys() - rows.keys():
                if not mine[row_id].get("deleted"):
                    rep.add("divergence", ws=st.name, table=table, row=row_id, columns=["(not on the server)"])


def _chunks(stations, server, rep) -> None:
    keys = Counter(server.chunk_keys)
    for key, n in keys.items():
        if n > 1:
            rep.add("duplicate", chunk=str(key), times=n)
    for st in stations:
        for cid, digest in st.chunks.items():
            rep.counts["chunks"] += 1
            if cid not in server.chunks:
                rep.add("chunk_lost", ws=st.name, chunk=cid)
            elif server.chunks[cid] != digest:
                rep.add("chunk_differs", ws=st.name, chunk=cid)


def _bookings(stations, server, rep) -> None:
    bookings = server.rows.get("workshop_bookings", {})
    live = [b for b in bookings.values() if not b["deleted"] and b["status"] not in ("cancelled", "rejected")]
    by_bay = defaultdict(list)
    for b in live:
        by_bay[b["bay_id"]].append(b)
    for bay, group in by_bay.items():
        group.sort(key=lambda b: b["starts_at"])
        for x, y in zip(group, group[1:]):
            if y["starts_at"] < x["ends_at"]:
                rep.add("double_booking", bay=bay, first=x["id"], second=y["id"])
    for st in stations:
        open_rows = {c["row_id"] for c in st.conflicts if c["kind"] == "rejected"}
        for w in st.writes:
            if w.table != "workshop_bookings" or not w.committed:
                continue
            rep.counts["bookings"] += 1
            b = bookings.get(w.row)
            if b is None:
                rep.add("booking_lost", ws=st.name, row=w.row)
            elif b["status"] == "rejected":
                rep.counts["rejected"] += 1
                if w.row not in open_rows:
                    rep.add("rejection_unseen", ws=st.name, row=w.row)


__all__ = ["Read", "Report", "Server", "Station", "Write", "check", "load_log", "load_server", "load_store"]
