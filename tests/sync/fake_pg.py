"""A TCP peer that speaks just enough of the PostgreSQL protocol to refuse a password.

The local server trusts every connection, so it cannot show what a refused password looks like.
This answers the startup as a real server with ``password`` authentication does: SSL/GSS
refused (``N``), a cleartext password asked for, then ``FATAL 28P01 password authentication
failed``. libpq (and so psycopg) sees the same bytes it would see from PostgreSQL.
"""

from __future__ import annotations

import socket
import struct
import threading

SSL_REQUEST, GSS_REQUEST = 80877103, 80877104


def _error(code: str, message: str) -> bytes:
    fields = b"".join(k + v.encode() + b"\0" for k, v in ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", code), (b"M", message)))
    body = fields + b"\0"
    return b"E" + struct.pack("!i", len(body) + 4) + body


class PasswordRefusingServer:
    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self.attempts = 0
        self._thread = threading.Thread(target=self._serve, name="fake-pg", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self._answer(conn)
                except OSError:
                    pass

    def _answer(self, conn: socket.socket) -> None:
        while True:
            (length,) = struct.unpack("!i", _read(conn, 4))
            body = _read(conn, length - 4)
            (code,) = struct.unpack("!i", body[:4])
            if code in (SSL_REQUEST, GSS_REQUEST):
                conn.sendall(b"N")
                continue
            break
        user = body[4:].split(b"\0")
        name = user[user.index(b"user") + 1].decode() if b"user" in user else "?"
        conn.sendall(b"R" + struct.pack("!ii", 8, 3))  # AuthenticationCleartextPassword
        kind = _read(conn, 1)
        (length,) = struct.unpack("!i", _read(conn, 4))
        _read(conn, length - 4)
        if kind == b"p":
            self.attempts += 1
        conn.sendall(_error("28P01", f'password authentication failed for user "{name}"'))

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(2)


def _read(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise OSError("peer closed")
        data += chunk
    return data
