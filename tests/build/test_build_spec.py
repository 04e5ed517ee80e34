"""The PyInstaller spec, checked without building: it runs, its hidden imports resolve in this venv, it bundles the
feature stacks' data and licences, and keeps test-only packages out. (The build itself runs in .ci/run / make bundle.)"""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

from tests.build.build_helpers import ROOT, run_spec


@pytest.fixture(scope="module")
def spec():
    return run_spec()


@pytest.mark.slow
def test_every_hidden_import_resolves(spec):
    (args, kwargs), = spec.calls["Analysis"]
    hidden = kwargs["hiddenimports"]
    for stack in ("chromadb.api.rust", "chromadb.telemetry.product.posthog", "chromadb.db.impl.sqlite", "udsoncan.client",
                  "isotp", "desktop_notifier.backends.dbus", "paho.mqtt.client", "chromadb_rust_bindings", "_cffi_backend",
                  "ortools.sat.python.cp_model", "reportlab.pdfbase._fontdata", "langgraph.checkpoint.sqlite"):
        assert stack in hidden, stack
    unresolved = []
    for name in hidden:
        try:
            if importlib.util.find_spec(name) is None:
                unresolved.append(name)
        except ImportError as exc:  # a platform-only interface of python-can (usb2can needs pywin32)
            if not name.startswith("can.interfaces."):
                unresolved.append(f"{name}: {exc}")
    assert unresolved == []
    assert not any(n.startswith(("chromadb.server", "chromadb.test", "chromadb.cli")) for n in hidden)


@pytest.mark.slow
def test_data_files_licences_and_exclusions(spec):
    (args, kwargs), = spec.calls["Analysis"]
    targets = {(os.path.basename(src), dest) for src, dest in kwargs["datas"]}
    dests = {dest.replace("\\", "/") for _, dest in kwargs["datas"]}
    assert {("LICENSE", "licences"), ("LGPL-3.0.txt", "licences"), ("README.md", "licences")} <= targets
    assert any(d.startswith("chromadb/migrations") for d in dests)  # Chroma's SQL migrations
    assert "reportlab/fonts" in dests and "udsoncan" in dests and "desktop_notifier/resources" in dests
    assert "carvrooom_desktop/storage/migrations/versions" in dests
    excludes = set(kwargs["excludes"])
    assert {"elm", "pytest", "hypothesis", "vcr", "mypy", "aiosmtpd", "PyInstaller", "piplicenses", "onnxruntime"} <= excludes
    assert kwargs["runtime_hooks"] == [str(ROOT / "build" / "frozen_selfcheck.py")]
    # Linux: one executable (a console program that also starts the GUI)
    assert [kw["name"] for _, kw in spec.calls["EXE"]] == (["carvrooom", "carvrooom-cli"] if sys.platform == "win32" else ["carvrooom"])
