"""The merge, field by field, as pure functions: each table's rule, stale edits, ties, tombstones."""

from __future__ import annotations

from carvrooom_desktop.storage.sync_tables import table_map
from carvrooom_desktop.sync import rules
from carvrooom_desktop.sync.hlc import HybridClock, pack, physical_ms
from carvrooom_desktop.sync.rules import Current, FieldChange, Incoming, merge

T = table_map()


def _current(values, version=3, stamps=None):
    return Current(values, version, 100, stamps or {"*": [100, "ws-a", 1]})


def test_last_writer_wins_by_stamp_then_workstation():
    cur = _current({"notes": "old", "deleted": False})
    newer = merge(T["recordings"], cur, Incoming({"notes": "new"}, {"notes": FieldChange(200, 1)}, "ws-b", 2))
    older = merge(T["recordings"], cur, Incoming({"notes": "new"}, {"notes": FieldChange(50, 3)}, "ws-b", 2))
    tie_lower = merge(T["recordings"], cur, Incoming({"notes": "new"}, {"notes": FieldChange(100, 3)}, "ws-0", 2))
    assert newer.write["notes"] == "new" and newer.version == 4 and newer.stamps["notes"] == [200, "ws-b", 4]
    assert not older.changed and older.outcome == rules.MERGED
    assert not tie_lower.changed


def test_server_wins_for_a_stale_booking_edit_but_not_for_a_fresh_one():
    cur = _current({"status": "confirmed"}, stamps={"*": [100, "ws-a", 1], "status": [150, "ws-a", 3]})
    stale = merge(T["workshop_bookings"], cur, Incoming({"status": "cancelled"}, {"status": FieldChange(900, 2)}, "ws-b"))
    fresh = merge(T["workshop_bookings"], cur, Incoming({"status": "cancelled"}, {"status": FieldChange(900, 3)}, "ws-b"))
    assert stale.outcome == rules.KEPT_SERVER and not stale.changed and stale.detail["theirs"] == {"status": "confirmed"}
    assert fresh.outcome == rules.APPLIED and fresh.write["status"] == "cancelled"


def test_a_job_status_edited_twice_asks_the_user_and_merges_the_rest():
    cur = _current({"status": "planned", "notes": "a"}, stamps={"*": [100, "ws-a", 1], "status": [150, "ws-a", 3]})
    inc = Incoming({"status": "cancelled", "notes": "b"}, {"status": FieldChange(900, 2), "notes": FieldChange(900, 2)}, "ws-b")
    d = merge(T["workshop_jobs"], cur, inc)
    assert d.outcome == rules.CONFLICT and d.write["notes"] == "b" and "status" not in d.write
    assert d.detail["mine"] == {"status": "cancelled"} and d.detail["theirs"] == {"status": "planned"}
    same = merge(T["workshop_jobs"], cur, Incoming({"status": "planned"}, {"status": FieldChange(900, 2)}, "ws-b"))
    assert same.outcome == rules.APPLIED  # the same value twice is no conflict


def test_a_delete_wins_and_a_stale_undelete_does_not_resurrect():
    cur = _current({"deleted": True, "notes": "x"}, stamps={"*": [100, "ws-a", 1], "deleted": [150, "ws-a", 3]})
    stale = merge(T["recordings"], cur, Incoming({"deleted": False}, {"deleted": FieldChange(900, 2)}, "ws-b"))
    seen = merge(T["recordings"], cur, Incoming({"deleted": False}, {"deleted": FieldChange(900, 3)}, "ws-b"))
    gone = merge(T["recordings"], _current({"deleted": False}), Incoming(None, {"deleted": FieldChange(50, None)}, "ws-b"))
    assert not stale.changed and seen.write["deleted"] is False and gone.write["deleted"] is True


def test_a_new_row_is_inserted_with_its_stamp_and_a_refused_booking_becomes_rejected():
    d = merge(T["vehicles"], None, Incoming({"id": 1, "vin": "V", "version": 5}, {"vin": FieldChange(70, None)}, "ws-b", 5))
    assert d.insert and d.version == 5 and d.stamps == {"*": [70, "ws-b", 5]}
    row = rules.rejected_replacement(T["workshop_bookings"], Incoming({"status": "confirmed"}, {}, "ws-b"), "bay taken")
    assert row == {"status": "rejected", "reason": "bay taken"}
    assert rules.rejected_replacement(T["vehicles"], Incoming({"vin": "V"}, {}, "ws-b"), "no") is None


def test_aggregate_takes_the_newest_stamp_and_the_oldest_base():
    agg = rules.aggregate(T["vehicles"], [(("make",), 10, 4), (None, 5, None), (("make", "model"), 30, 6)])
    assert agg["make"] == FieldChange(30, None) and agg["model"] == FieldChange(30, None) and agg["vin"].hlc == 5


def test_hybrid_clock_send_and_receive():
    now = [1_000]
    clock = HybridClock(lambda: now[0])
    first = clock.send()
    now[0] = 900  # the wall clock stepped back
    second = clock.send()
    assert second > first and physical_ms(second) == 1_000
    clock.receive(pack(5_000, 7))
    assert clock.send() == pack(5_000, 8)
