"""Start-up stays fast: no heavy stack, no python-can/cantools/pyqtgraph before they are needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_AT_START = ("ortools", "chromadb", "langgraph", "langchain", "langchain_core", "reportlab", "pyqtgraph", "can", "cantools")

SCRIPT = """
import json, sys, time
started = time.perf_counter()
from PySide6.QtWidgets import QApplication
from carvrooom_desktop.app import build_gui
ctx = build_gui([])
ctx.window.show()
QApplication.processEvents()
shown = time.perf_counter() - started
loaded = sorted({m.split('.')[0] for m in sys.modules})
ctx.window.close()
ctx.close()
print(json.dumps({"shown_s": shown, "modules": loaded}))
"""


def test_cold_start_shows_the_window_quickly_without_heavy_imports(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CARVROOOM_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=False, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    early = set(NOT_AT_START) & set(result["modules"])
    assert not early, f"imported at start-up: {sorted(early)}"
    print(f"window shown {result['shown_s']:.2f} s after start (target 1.5 s)")
    # The target is 1.5 s; the bound leaves room for a loaded 2-core CI machine.
    assert result["shown_s"] < 4.0
