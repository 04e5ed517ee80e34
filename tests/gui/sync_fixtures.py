"""What the GUI's sync tests share: the fresh shared database of tests/sync and a port nobody listens on."""

from __future__ import annotations

import socket

from tests.sync.conftest import shared_url  # noqa: F401 - a fixture: a fresh schema on the real PostgreSQL, at head

WAIT_MS = 20_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unreachable_url() -> str:
    return f"postgresql://shop@127.0.0.1:{free_port()}/workshop"
