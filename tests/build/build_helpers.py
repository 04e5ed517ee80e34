"""Run build/carvrooom.spec without PyInstaller building anything: its Analysis/PYZ/EXE/COLLECT calls are recorded."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "build" / "carvrooom.spec"


class Recorder:
    def __init__(self) -> None:
        self.calls: dict[str, list[tuple[tuple[Any, ...], dict[str, Any]]]] = {}

    def stub(self, name: str) -> Any:
        recorder = self

        class Stub:
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                recorder.calls.setdefault(name, []).append((args, kwargs))
                self.kwargs = kwargs
                self.pure, self.scripts, self.binaries = [], [], []
                self.datas = list(kwargs.get("datas", []))

        return Stub


def run_spec() -> Recorder:
    rec = Recorder()
    namespace = {"SPECPATH": str(SPEC.parent), "__file__": str(SPEC), "__name__": "__main__",
                 **{name: rec.stub(name) for name in ("Analysis", "PYZ", "EXE", "COLLECT")}}
    saved = list(sys.path)  # the spec puts build/ on sys.path for bundle_parts
    try:
        exec(compile(SPEC.read_text(), str(SPEC), "exec"), namespace)
    finally:
        sys.path[:] = saved
    return rec
