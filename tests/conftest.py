"""Shared fixtures: every test gets its own CARVROOOM_HOME, an in-memory keyring, and PostgreSQL when asked."""

from __future__ import annotations

import os
import threading
import time
import uuid

import keyring
import keyring.backend
import pytest

PG_URL = os.environ.get("CARVROOOM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 10

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        self.secrets.pop((service, username), None)


THREAD_GRACE_S = 3.0  # a stopping thread may take a moment to finish its last poll


@pytest.fixture(autouse=True)
def no_thread_left(request):
    """Fails a test that leaves a thread of its own running (napari's habit for QThreads, for every thread).

    Threads that existed before the test are not its business; a thread gets a short grace
    period to finish. Mark a test ``threads_allowed`` only with a comment saying why.
    """
    before = set(threading.enumerate())
    yield
    if request.node.get_closest_marker("threads_allowed"):
        return
    deadline = time.monotonic() + THREAD_GRACE_S
    while True:
        # _DummyThread: a thread Python did not start (a Qt pool thread that once ran Python code);
        # idle pool threads are Qt's business, checked by the GUI fixture's pool wait.
        left = [t for t in threading.enumerate()
                if t not in before and t.is_alive() and not isinstance(t, threading._DummyThread)]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    if left:
        pytest.fail(f"the test left {len(left)} thread(s) running: {', '.join(sorted(t.name for t in left))}")


@pytest.fixture(autouse=True)
def carvrooom_home(tmp_path, monkeypatch):
    home = tmp_path / "carvrooom-home"
    monkeypatch.setenv("CARVROOOM_HOME", str(home))
    monkeypatch.delenv("CARVROOOM_DB_URL", raising=False)
    return home


@pytest.fixture(autouse=True)
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def postgres_url():
    """A fresh schema on the local PostgreSQL; skipped when unreachable unless CI requires it."""
    import sqlalchemy as sa

    engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as e:
        engine.dispose()
        if os.environ.get("CARVROOOM_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required (CARVROOOM_REQUIRE_POSTGRES=1) but unreachable at {PG_URL}: {e}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.engine.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()
