"""The ELM327-emulator package as a test peer (CC-BY-NC-SA: tests only, never shipped).

``start_emulator("car", "pty")`` runs ``elm -s car`` on a pseudo-terminal (``-b`` batch mode
writes the pty name first) or on a loopback TCP port (``-n PORT``), and waits until it answers.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ELM = shutil.which("elm") or str(Path(sys.executable).with_name("elm"))
SCENARIOS = ("car", "default", "engineoff")
TRANSPORTS = ("pty", "tcp")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def start_emulator(scenario: str, transport: str, workdir: Path) -> Iterator[str]:
    """Yields the port to give the app: a pty path or ``socket://127.0.0.1:PORT``."""
    if not Path(ELM).exists():
        pytest.skip("ELM327-emulator not installed (pip install ELM327-emulator)")
    out = workdir / f"elm-{scenario}-{transport}.out"
    args = [ELM, "-s", scenario, "-b", str(out)]
    port = None
    if transport == "tcp":
        port = _free_port()
        args += ["-n", str(port)]
    # It writes elm.log into its working directory.
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir)
    try:
        deadline = time.monotonic() + 20
        address = None
        while time.monotonic() < deadline and address is None:
            if transport == "tcp":
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    address = f"socket://127.0.0.1:{port}"
                except OSError:
                    time.sleep(0.1)
            elif out.exists() and out.read_text().strip():
                address = out.read_text().splitlines()[0].strip()
            else:
                time.sleep(0.1)
        if address is None:
            raise RuntimeError(f"the ELM327-emulator ({scenario}, {transport}) did not start in 20 s")
        yield address
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
