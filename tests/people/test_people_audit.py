"""The audit trail: chained, signed, not forked by concurrent writers, and every tampering named."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from carvrooom_desktop.people import People
from carvrooom_desktop.people.audit import AuditTrail
from carvrooom_desktop.people.chain import entry_hash
from tests.people.people_helpers import open_people


def _fill(people: People, n: int) -> None:
    for i in range(n):
        people.audit.append("tina", "start recordings", record=f"recording:{i}", after={"notes": f"run {i}"},
                            checkpoint=(i + 1) % 10 == 0)


def _sql(people: People, statement: str, **params) -> None:
    with people.engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def test_intact_chain_verifies(people: People):
    _fill(people, 25)
    report = people.audit.verify()
    assert report.ok, report.problems
    assert report.entries == 25 and report.checkpoints == 2 and report.unsigned_tail == {people.origin: 5}
    assert "intact" in report.summary()


def test_an_edited_row_is_named(people: People):
    _fill(people, 20)
    _sql(people, "UPDATE audit_entries SET actor = 'mallory' WHERE seq = 7")
    report = people.audit.verify()
    assert not report.ok
    assert report.first_problem.startswith("entry #7 of workstation")
    assert "was edited after it was written" in report.first_problem


def test_a_deleted_row_is_named(people: People):
    _fill(people, 20)
    _sql(people, "DELETE FROM audit_entries WHERE seq = 12")
    report = people.audit.verify()
    assert "entry #12 of workstation" in report.first_problem and "is missing (deleted)" in report.first_problem


def test_a_deleted_tail_is_seen_by_its_checkpoint(people: People):
    _fill(people, 20)  # checkpoints at 10 and 20
    _sql(people, "DELETE FROM audit_entries WHERE seq > 15")
    report = people.audit.verify()
    assert "tail" in report.first_problem and "#16..#20 are gone" in report.first_problem


def test_a_deleted_tail_with_its_checkpoints_is_seen_by_the_keyring(people: People):
    _fill(people, 20)
    _sql(people, "DELETE FROM audit_entries WHERE seq > 15")
    _sql(people, "DELETE FROM audit_checkpoints WHERE count > 15")
    report = people.audit.verify()
    assert any("keyring's last signed head is entry #20" in p for p in report.problems), report.problems


def test_a_forged_row_with_a_recomputed_hash_is_caught(people: People):
    _fill(people, 20)
    with people.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT * FROM audit_entries WHERE seq = 5")).mappings().one()
    forged = dict(row, actor="mallory", action="clear trouble codes")
    forged["entry_hash"] = entry_hash(forged["origin"], 5, forged["at"], "mallory", "clear trouble codes", forged["outcome"],
                                      forged["record"], forged["before"], forged["after"], forged["prev_hash"])
    _sql(people, "UPDATE audit_entries SET actor = :a, action = :b, entry_hash = :h WHERE seq = 5",
         a="mallory", b="clear trouble codes", h=forged["entry_hash"])
    report = people.audit.verify()
    assert report.first_problem.startswith("entry #6 of workstation") and "does not follow entry #5" in report.first_problem


def test_a_forged_row_at_the_end_of_a_signed_stretch_is_caught(people: People):
    _fill(people, 10)  # checkpoint at 10: re-forging #10 (its hash recomputed) no longer matches it
    with people.engine.connect() as conn:
        r = conn.execute(sa.text("SELECT * FROM audit_entries WHERE seq = 10")).mappings().one()
    h = entry_hash(r["origin"], 10, r["at"], "mallory", r["action"], r["outcome"], r["record"], r["before"], r["after"], r["prev_hash"])
    _sql(people, "UPDATE audit_entries SET actor = 'mallory', entry_hash = :h WHERE seq = 10", h=h)
    report = people.audit.verify()
    assert "does not match the signed checkpoint at #10" in report.first_problem


def test_a_swapped_checkpoint_is_caught(people: People):
    _fill(people, 20)
    with people.engine.connect() as conn:
        first = conn.execute(sa.text("SELECT head_hash, signature FROM audit_checkpoints WHERE count = 10")).one()
    _sql(people, "UPDATE audit_checkpoints SET head_hash = :h, signature = :s WHERE count = 20", h=first[0], s=first[1])
    report = people.audit.verify()
    assert "checkpoint at #20" in report.first_problem and "signature does not verify" in report.first_problem


def test_a_checkpoint_signed_by_another_key_is_caught(people: People, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from carvrooom_desktop.people.chain import checkpoint_message
    from carvrooom_desktop.people.signing import key_id_of, public_hex

    _fill(people, 10)
    mallory = Ed25519PrivateKey.generate()
    pub = public_hex(mallory)
    kid = key_id_of(pub)
    with people.engine.connect() as conn:
        cp = conn.execute(sa.text("SELECT origin, head_hash, signed_at FROM audit_checkpoints WHERE count = 10")).one()
    sig = mallory.sign(checkpoint_message(cp[0], 10, cp[1], cp[2], kid)).hex()
    _sql(people, "INSERT INTO audit_keys (id, origin, key_id, public_key, created_at) VALUES (:i, :o, :k, :p, 'x')",
         i="0" * 32 if people.engine.dialect.name == "sqlite" else "00000000-0000-0000-0000-000000000001", o=cp[0], k=kid, p=pub)
    _sql(people, "UPDATE audit_checkpoints SET key_id = :k, signature = :s WHERE count = 10", k=kid, s=sig)
    report = people.audit.verify()
    assert any("key" in p and ("swapped" in p or "behind the app's back" in p) for p in report.problems), report.problems


def test_threads_appending_at_once_never_fork_the_chain(sqlite_url):
    store, people = open_people(sqlite_url)
    try:
        errors: list[BaseException] = []

        def write(who: str) -> None:
            trail = AuditTrail(people.engine, people.origin)
            try:
                for i in range(25):
                    trail.append(who, "edit the schedule", record=f"job:{i}")
            except BaseException as e:  # noqa: BLE001  (reported below)
                errors.append(e)

        threads = [threading.Thread(target=write, args=(f"user{n}",)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        report = people.audit.verify()
        assert report.ok and report.entries == 100, report.problems
    finally:
        store.close()


WRITER = textwrap.dedent("""
    import sys
    from carvrooom_desktop.people.audit import AuditTrail
    from carvrooom_desktop.storage.engine import make_engine
    trail = AuditTrail(make_engine(sys.argv[1]), "ws-people", checkpoint_every=1000)
    for i in range(40):
        trail.append(sys.argv[2], "delete recordings", record=f"recording:{i}", checkpoint=False)
""")


def test_processes_appending_to_one_sqlite_file_never_fork_the_chain(sqlite_url):
    store, people = open_people(sqlite_url)
    try:
        procs = [subprocess.Popen([sys.executable, "-c", WRITER, sqlite_url, f"proc{n}"]) for n in range(3)]
        assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
        report = people.audit.verify()
        assert report.ok and report.entries == 120, report.problems
        with people.engine.connect() as conn:
            seqs = [r[0] for r in conn.execute(sa.text("SELECT seq FROM audit_entries ORDER BY seq"))]
        assert seqs == list(range(1, 121))
    finally:
        store.close()


def test_show_filters_by_user_record_and_time(people: People):
    _fill(people, 5)
    people.audit.append("sam", "edit the schedule", record="job:abc")
    assert [e.actor for e in people.audit.entries(user="sam")] == ["sam"]
    assert [e.record for e in people.audit.entries(record="job:")] == ["job:abc"]
    assert people.audit.entries(since="2999-01-01") == []


def test_no_secret_in_before_after():
    from carvrooom_desktop.people.chain import canonical

    text = canonical({"password": "hunter22", "nested": {"api_key": "k-123"}, "ok": 1})
    assert "hunter22" not in text and "k-123" not in text and '"ok":1' in text


def test_threads_on_each_backend_never_fork_the_chain(people: People):
    """The same race on SQLite (BEGIN IMMEDIATE) and PostgreSQL (advisory lock): one chain, no gap."""
    errors: list[BaseException] = []

    def write(who: str) -> None:
        trail = AuditTrail(people.engine, people.origin, checkpoint_every=1000)
        try:
            for i in range(15):
                trail.append(who, "edit the schedule", record=f"job:{i}", checkpoint=False)
        except BaseException as e:  # noqa: BLE001  (reported below)
            errors.append(e)

    threads = [threading.Thread(target=write, args=(f"user{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = people.audit.verify()
    assert report.ok and report.entries == 60, report.problems


@given(st.text(), st.text(), st.text(), st.integers(min_value=1, max_value=2**53 - 1))
@settings(max_examples=300, deadline=None)
def test_the_fast_entry_encoding_is_rfc8785(actor, record, after, seq):
    import rfc8785

    from carvrooom_desktop.people.chain import entry_document

    try:
        expected = rfc8785.dumps({"origin": "ws", "seq": seq, "at": "2026-12-04T08:00:00.000000Z", "actor": actor,
                                  "action": "sign in", "outcome": "ok", "record": record, "before": "null", "after": after,
                                  "prev": "0" * 64})
    except Exception:  # noqa: BLE001  (a lone surrogate: RFC 8785 refuses it, so must we)
        with pytest.raises(Exception):  # noqa: B017
            entry_document("ws", seq, "2026-12-04T08:00:00.000000Z", actor, "sign in", "ok", record, "null", after, "0" * 64)
        return
    assert entry_document("ws", seq, "2026-12-04T08:00:00.000000Z", actor, "sign in", "ok", record, "null", after,
                          "0" * 64) == expected
