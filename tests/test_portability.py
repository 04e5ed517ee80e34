"""Windows portability, checked on Linux: no module of ours needs a POSIX-only module to import or to run the CLI.

What this proves. In a fresh interpreter, every attempt *by our own code* (``carvrooom_desktop``,
``drivers``, ``analysis``, ``agents``, ``ui``, ``resources``) to import ``termios``, ``tty``, ``pty``,
``fcntl``, ``resource``, ``grp``, ``pwd`` or ``_posixsubprocess`` fails as it would on Windows
(both the first import, through a ``sys.meta_path`` finder, and a cached one, through a wrapper of
``builtins.__import__``). In that interpreter every module of those packages imports (the GUI ones
under ``QT_QPA_PLATFORM=offscreen``), ``scan --sim``, ``record --sim`` and ``diagnose --sim --offline``
succeed, and the pseudo-terminal ELM327 (``simulate --elm pty``, the "sim-elm" source) fails with the
project's own error naming ``tcp:PORT``. A static check adds that those modules are imported only
inside functions, so code paths the run does not reach are covered too.

What it does not prove (a real Windows machine must confirm). Imports by third-party packages and the
standard library are let through, because on Linux they take their POSIX branch (pyserial picks
``serialposix`` because ``os.name == "posix"``, ``subprocess`` wants ``_posixsubprocess``); on Windows
they take other branches that this test never runs. Nor does it check Windows-only behaviour: COM port
listing through SetupAPI, paths and file locking (SQLite WAL on NTFS), the keyring backend, Qt's
``windows`` platform plugin, console encoding, PyInstaller's Windows bundle, or ``os.times()`` reporting
no child CPU time.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = ("carvrooom_desktop", "drivers", "analysis", "agents", "ui", "resources")
POSIX_ONLY = ("termios", "tty", "pty", "fcntl", "resource", "grp", "pwd", "_posixsubprocess")

HARNESS = r'''
import builtins, contextlib, importlib, io, json, os, pkgutil, sys, traceback

OURS = %(ours)r
POSIX_ONLY = %(posix_only)r
SKIP = {"carvrooom_desktop.storage.migrations.env"}  # an Alembic script: runs only inside Alembic's context
blocked = []


def _ours(module_name):
    return (module_name or "").partition(".")[0] in OURS


def _refuse(importer, name):
    blocked.append([importer, name])
    raise ModuleNotFoundError(f"No module named {name!r} (blocked: POSIX-only, absent on Windows)", name=name)


class PosixOnlyBlocker:
    """First imports: refused when the nearest frame outside importlib belongs to our packages."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] not in POSIX_ONLY:
            return None
        frame = sys._getframe(1)
        while frame is not None:
            module = frame.f_globals.get("__name__", "")
            if not (module.startswith("importlib") or module == __name__ or frame.f_code.co_filename.startswith("<frozen")):
                break
            frame = frame.f_back
        importer = frame.f_globals.get("__name__", "") if frame is not None else ""
        if _ours(importer):
            _refuse(importer, name)
        return None


_real_import = builtins.__import__


def _import(name, globals=None, locals=None, fromlist=(), level=0):
    """Cached imports too (sys.modules is looked at before any finder): refused for our callers."""
    if level == 0 and name.partition(".")[0] in POSIX_ONLY:
        importer = (globals or {}).get("__name__", "")
        if _ours(importer):
            _refuse(importer, name)
    return _real_import(name, globals, locals, fromlist, level)


for name in POSIX_ONLY:
    sys.modules.pop(name, None)
sys.meta_path.insert(0, PosixOnlyBlocker())
builtins.__import__ = _import

report = {"imported": 0, "failed": {}, "cli": {}, "blocked": blocked, "probes": {}}
PROBE = "drivers._portability_probe"  # not a real module: code that claims to be ours, to check the blocker itself


def probe(label, code):
    try:
        exec(code, {"__name__": PROBE})
        report["probes"][label] = "imported"
    except ImportError:
        report["probes"][label] = "refused"


probe("first import (finder)", "import pty")

def _failed(name):
    report["failed"][name] = "".join(traceback.format_exception_only(*sys.exc_info()[:2])).strip()

for package in OURS:
    try:
        root = importlib.import_module(package)
    except Exception:
        _failed(package)
        continue
    report["imported"] += 1
    for info in pkgutil.walk_packages(root.__path__, package + ".", onerror=_failed):
        if info.name in SKIP or info.name in report["failed"]:
            continue
        try:
            importlib.import_module(info.name)
            report["imported"] += 1
        except Exception:
            _failed(info.name)

probe("cached import (__import__)", "import termios" if "termios" in sys.modules else "import tty")
report["termios_cached"] = "termios" in sys.modules  # third-party code (pyserial on Linux) loaded it: let through
report["blocked"] = blocked = [b for b in blocked if b[0] != PROBE]

from carvrooom_desktop.cli import run_cli


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = run_cli(list(argv))
        except SystemExit as e:
            code = e.code
        except BaseException:
            code = "raised: " + traceback.format_exc()
    report["cli"][" ".join(argv)] = {"rc": code, "out": out.getvalue(), "err": err.getvalue()}


cli("scan", "--sim")
cli("record", "--sim", "--seconds", "2")
cli("sessions", "list")
cli("diagnose", "--sim", "--fault", "vacuum_leak", "--offline")
cli("simulate", "--elm", "pty", "--seconds", "1")

from carvrooom_desktop.acquisition.source import SourceSpec, open_source
from drivers.errors import AdapterNotFound

try:
    open_source(SourceSpec(kind="sim-elm")).close()
    report["sim_elm"] = "opened"
except AdapterNotFound as e:
    report["sim_elm"] = f"AdapterNotFound: {e}"
except Exception as e:
    report["sim_elm"] = f"{type(e).__name__}: {e}"

sys.__stdout__.write("\nREPORT " + json.dumps(report) + "\n")
sys.__stdout__.flush()
os._exit(0)  # leftover daemon threads of the sessions must not keep the interpreter alive
''' % {"ours": OURS, "posix_only": POSIX_ONLY}


def test_every_module_and_the_cli_work_without_posix_only_modules(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CARVROOOM_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    env.pop("CARVROOOM_DB_URL", None)
    env.pop("GEMINI_API_KEY", None)
    env.pop("GOOGLE_API_KEY", None)
    result = subprocess.run([sys.executable, "-c", HARNESS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=280)
    lines = [line for line in result.stdout.splitlines() if line.startswith("REPORT ")]
    assert lines, f"harness died (rc {result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    report = json.loads(lines[-1][len("REPORT "):])

    assert report["failed"] == {}, json.dumps(report["failed"], indent=1)
    assert report["imported"] > 150  # every module of the six packages, not a few

    cli = report["cli"]
    # The harness refuses what it should: a first import and one already in sys.modules.
    assert report["probes"] == {"first import (finder)": "refused", "cached import (__import__)": "refused"}
    assert report["termios_cached"]  # pyserial (third party) imported termios and was let through

    scan = cli["scan --sim"]
    assert scan["rc"] == 0, scan
    assert "Vehicle" in scan["out"] and "Trouble codes" in scan["out"] and "Readiness" in scan["out"], scan
    record = cli["record --sim --seconds 2"]
    assert record["rc"] == 0 and "frames" in record["out"], record
    assert (tmp_path / "home" / "data" / "carvrooom.sqlite3").is_file()  # the store is the temporary SQLite file
    listing = cli["sessions list"]
    assert listing["rc"] == 0 and "no recordings" not in listing["out"], listing  # the recording is in that store
    diagnose = cli["diagnose --sim --fault vacuum_leak --offline"]
    assert diagnose["rc"] == 0, diagnose
    assert "Probable causes" in diagnose["out"] and "vacuum leak" in diagnose["out"].lower(), diagnose

    simulate = cli["simulate --elm pty --seconds 1"]
    assert simulate["rc"] == 1, simulate
    assert "pseudo-terminals need Linux or macOS: use tcp:PORT" in simulate["err"], simulate
    assert report["sim_elm"] == "AdapterNotFound: pseudo-terminals need Linux or macOS: use tcp:PORT"

    # The only POSIX-only imports our code tried are the pty face's, and they were refused.
    assert report["blocked"], "the blocker never fired: the test proves nothing"
    assert {tuple(b) for b in report["blocked"]} == {("drivers.simulator.elm_face", "tty")}, report["blocked"]


def test_posix_only_modules_are_imported_only_inside_functions():
    """Statically, so code paths the run above does not reach are covered: no module-level import of them."""
    offenders = []
    for package in OURS:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in _module_level_statements(tree.body):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
                for name in names:
                    if name.partition(".")[0] in POSIX_ONLY:
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: import {name}")
    assert offenders == []


def _module_level_statements(body):
    """Statements that run at import: the module body and its if/try/with blocks, not function or class bodies' defs."""
    for node in body:
        yield node
        if isinstance(node, ast.ClassDef):
            yield from _module_level_statements(node.body)
        elif isinstance(node, ast.If | ast.With | ast.For | ast.While):
            yield from _module_level_statements(node.body + getattr(node, "orelse", []))
        elif isinstance(node, ast.Try):
            for handler in node.handlers:
                yield from _module_level_statements(handler.body)
            guarded = any(_catches_import_error(h.type) for h in node.handlers)  # try: import fcntl / except ImportError
            yield from _module_level_statements(([] if guarded else node.body) + node.orelse + node.finalbody)


def _catches_import_error(kind) -> bool:
    names = [e.id for e in kind.elts if isinstance(e, ast.Name)] if isinstance(kind, ast.Tuple) else \
        [kind.id] if isinstance(kind, ast.Name) else []
    return any(n in ("ImportError", "ModuleNotFoundError") for n in names)
