"""The layer contracts of DESIGN.md, checked on every test run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("ortools", "chromadb", "langgraph", "langchain", "langchain_core", "langchain_google_genai", "reportlab")


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _modules_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"}).stdout
    return set(out.split())


def test_cli_imports_no_qt_and_no_heavy_stack():
    loaded = _modules_after("from carvrooom_desktop.cli import build_parser; import carvrooom_desktop.acquisition.session")
    assert not {m for m in loaded if m.split(".")[0] in ("PySide6", "pyqtgraph", "ui", *HEAVY)}


def test_gui_start_up_imports_no_heavy_stack():
    loaded = _modules_after("import carvrooom_desktop.app, ui.main_window")
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}
