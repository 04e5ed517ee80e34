"""Cold start: process launch to main window shown (target <= 1.5 s).

Runs `python -m carvrooom_desktop` offscreen with CARVROOOM_EXIT_AFTER_SHOWN=1: the
app prints the seconds from interpreter start to the first shown event and quits.
The baseline is a bare PySide6 QMainWindow shown the same way, measured in the same run.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

BARE_QT = """
import time, sys
from PySide6.QtWidgets import QApplication, QMainWindow
from PySide6.QtCore import QTimer
app = QApplication(sys.argv)
w = QMainWindow(); w.resize(1280, 800); w.show()
QTimer.singleShot(0, app.quit)
app.exec()
"""


def _launch(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, check=True, capture_output=True, timeout=60)
    return time.perf_counter() - started


def main(repeats: int = 5) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CARVROOOM_HOME": home, "CARVROOOM_EXIT_AFTER_SHOWN": "1"}
        _launch(["-m", "carvrooom_desktop"], env)  # first run creates the store and settings: not a cold start of a user
        ours = statistics.median(_launch(["-m", "carvrooom_desktop"], env) for _ in range(repeats))
        bare = statistics.median(_launch(["-c", BARE_QT], env) for _ in range(repeats))
    print("\nCold start to main window shown (offscreen, median of 5, whole process incl. interpreter)")
    print(f"  CarVrooom Desktop                          {ours:8.3f} s  {ours / bare:6.2f}x bare PySide6 window")
    print(f"  bare PySide6 QMainWindow                   {bare:8.3f} s  {1.0:6.2f}x")
    print(f"  target <= 1.5 s: {'met' if ours <= 1.5 else 'NOT met'}")
    return {"carvrooom_s": ours, "bare_qt_s": bare}


if __name__ == "__main__":
    main()
