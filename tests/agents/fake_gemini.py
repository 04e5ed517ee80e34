"""A local HTTP server that speaks the Gemini REST shape (``POST /v1beta/models/<id>:generateContent``).

The real ``ChatGoogleGenerativeAI`` is pointed at it with ``base_url``, so the whole
production path runs: google-genai's httpx client, headers, JSON (de)serialisation,
usage metadata, the structured-output parser. Modes: ``expert`` (a correct answer made
by the offline expert from the case in the prompt), ``429``, ``503``, ``invalid_json``,
``out_of_range``. ``silent_server`` is a socket that accepts and never answers.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from agent_fakes import expert_reply


def _texts(node: Any) -> str:
    if not node:
        return ""
    contents = node if isinstance(node, list) else [node]
    return "\n".join(p.get("text", "") for c in contents for p in c.get("parts", []))


class FakeGemini:
    def __init__(self, mode: str = "expert") -> None:
        self.mode = mode
        self.requests: list[dict[str, Any]] = []
        self.gate: threading.Event | None = None  # when set, answers wait until it opens (a slow model)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                outer.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if outer.gate is not None:
                    outer.gate.wait(30)
                status, payload = outer.answer(self.path, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.mode in ("429", "503"):
            code = int(self.mode)
            status = "RESOURCE_EXHAUSTED" if code == 429 else "UNAVAILABLE"
            return code, {"error": {"code": code, "message": "fake " + status.lower(), "status": status}}
        config = body.get("generationConfig", {})
        schema = config.get("responseJsonSchema") or config.get("response_json_schema") or {}
        system, user = _texts(body.get("systemInstruction")), _texts(body.get("contents"))
        if not schema:  # follow-up chat: plain text
            text = f"(fake Gemini) About your question: {user.splitlines()[-1][:80]}"
        elif self.mode == "invalid_json":
            text = '{"causes": [ {"title": "Vacuum leak", "confidence": 0.9,'  # cut off mid-object
        else:
            text = expert_reply(schema.get("title", ""), system, user)
            if self.mode == "out_of_range":
                data = json.loads(text)
                for c in data.get("causes", []):
                    c["confidence"] = c["confidence"] * 100  # percent instead of a probability
                text = json.dumps(data)
        return 200, {
            "candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": len(system + user) // 4, "candidatesTokenCount": len(text) // 4,
                              "totalTokenCount": (len(system + user) + len(text)) // 4},
            "modelVersion": path.split("/models/")[-1].split(":")[0],
        }

    def __enter__(self) -> FakeGemini:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


class SilentServer:
    """Accepts connections and never answers (a link that hangs)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.held: list[socket.socket] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
                self.held.append(conn)
            except OSError:
                continue

    def __enter__(self) -> SilentServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self.thread.join()
        for conn in self.held:
            conn.close()
        self.sock.close()


def closed_port_url() -> str:
    """A local port nobody listens on (connection refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


DNS_FAILURE_URL = "http://gemini.carvrooom.invalid"  # .invalid never resolves (RFC 6761)
