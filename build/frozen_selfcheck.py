"""PyInstaller runtime hook: a self-check of the frozen bundle, run only with CARVROOOM_FROZEN_SELFCHECK=1.

The CLI smoke test never reaches the stacks the app imports lazily or by name (LangGraph and its
SQLite checkpointer, the Gemini client, asammdf's MF4 reader, pyqtgraph in the workspaces, Chroma's
implementations, desktop-notifier's backend, paho), so
build/build_linux.sh runs this to prove they load from the bundle. Everything stays local: the
Gemini client is pointed at a closed localhost port (build_linux.sh also runs it without a network).
Without the variable this hook does nothing and the app starts as usual.
"""

import os
import sys


def _selfcheck() -> int:
    import tempfile
    from pathlib import Path

    work = Path(tempfile.mkdtemp(prefix="carvrooom-selfcheck-"))
    os.environ.setdefault("CARVROOOM_HOME", str(work / "home"))

    # MF4: python-can's writer (asammdf) writes a log, the app's reader reads it back.
    import can
    from can.io.mf4 import MF4Writer

    from drivers.logs.formats import open_log

    mf4 = work / "check.mf4"
    with MF4Writer(str(mf4)) as writer:
        for i in range(20):
            writer.on_message_received(can.Message(timestamp=i * 0.01, arbitration_id=0x7E8, data=bytes([i] * 8)))
    frames = open_log(mf4).read_all()
    print(f"selfcheck mf4: {len(frames)} frames read back through asammdf")
    if len(frames) != 20:
        return 1

    # Diagnosis with a (deliberately unreachable) Gemini model: LangGraph fan-out, the real client, offline fallback.
    from agents.models import GeminiModels, ModelConfig
    from agents.runner import run_diagnosis
    from carvrooom_desktop.diagnosis.cases import case_from_simulator

    config = ModelConfig(api_key="selfcheck-not-a-key", base_url="http://127.0.0.1:9", timeout_s=3.0, max_retries=1)
    models = GeminiModels(config)
    case = case_from_simulator(("vacuum_leak",), seed=0)
    run = run_diagnosis(case.input, models, config, budget_s=20.0, no_model_reason="selfcheck")
    top = run.diagnosis.causes[0].title if run.diagnosis.causes else "(none)"
    print(f"selfcheck diagnosis: source={run.diagnosis.source} top cause={top!r}")

    # Follow-up chat: LangGraph with the SQLite checkpointer, model call failing over to the offline expert.
    import sqlite3

    from langgraph.checkpoint.sqlite import SqliteSaver

    from agents.chat import ask, build_chat_graph, history

    saver = SqliteSaver(sqlite3.connect(str(work / "chat.sqlite"), check_same_thread=False))
    graph = build_chat_graph(models("flash"), saver)
    answer = ask(graph, "selfcheck", "Why is the engine lean at idle?", run.diagnosis)
    turns = history(graph, "selfcheck")
    saver.conn.close()
    print(f"selfcheck chat: {len(turns)} messages kept; answer ends {answer[-45:]!r}")
    if len(turns) != 2:
        return 1

    # The stacks of issues 12-18 that the CLI smoke test does not reach: what each feature loads lazily or by name.
    import importlib

    for module in ("desktop_notifier", "desktop_notifier.backends.dbus", "paho.mqtt.client", "udsoncan.client",
                   "udsoncan.connections", "isotp", "argon2", "cryptography.hazmat.primitives.asymmetric.ed25519",
                   "rfc8785", "pypdf", "reportlab.pdfgen.canvas", "ortools.sat.python.cp_model", "chromadb"):
        importlib.import_module(module)
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    mqtt.Client(CallbackAPIVersion.VERSION2, client_id="selfcheck")  # no connect: the smoke test runs without a network
    from carvrooom_desktop.alerts.desktop_channel import DesktopChannel

    print(f"selfcheck alerts: desktop notifications via {DesktopChannel(probe=True).via}")
    from carvrooom_desktop.warranty.similar import SimilarClaims

    with SimilarClaims(work / "similar") as index:  # Chroma's persistent client, its SQL migrations, the offline embedder
        print(f"selfcheck chroma: index opened with {index.count()} claims ({index.embedder_name})")

    # GUI: every workspace built and rendered offscreen (pyqtgraph, themes, plots).
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from carvrooom_desktop.app import build_gui

    # `carvrooom FILE` (the .desktop entry, the Windows file association): CARVROOOM_SELFCHECK_OPEN names the files;
    # they go through the GUI's own parser and must be imported / loaded before the workspaces are checked.
    opened = [p for p in os.environ.get("CARVROOOM_SELFCHECK_OPEN", "").split(os.pathsep) if p]
    ctx = build_gui(opened)
    try:
        ctx.window.show()
        if opened:
            import time

            io = ctx.workbench.io
            outcomes: list[str] = []
            io.idle.connect(lambda text: outcomes.append(f"ok: {text}"))
            io.failed.connect(lambda page, text: outcomes.append(f"failed: {text}"))
            io.database_loaded.connect(lambda db: outcomes.append(f"ok: database with {len(db.messages)} messages"))
            deadline = time.monotonic() + 90
            while len(outcomes) < len(opened) and time.monotonic() < deadline:
                ctx.app.processEvents()
                time.sleep(0.02)
            print(f"selfcheck open: {outcomes}")
            if len(outcomes) < len(opened) or any(o.startswith("failed") for o in outcomes):
                return 1
        # The GUI's live path: connect to the simulated car (scan on the connect worker), record, stop, disconnect.
        import time

        from ui.session_controller import ConnectRequest

        controller, got = ctx.controller, {}
        controller.connected.connect(lambda report: got.setdefault("connected", report))
        controller.connect_failed.connect(lambda text: got.setdefault("failed", text))
        controller.recording_failed.connect(lambda text: got.setdefault("failed", text))
        controller.recording_stopped.connect(lambda rec: got.setdefault("recording", rec))
        controller.disconnected.connect(lambda: got.setdefault("disconnected", True))

        def wait_for(key: str, seconds: float = 60.0) -> bool:
            deadline = time.monotonic() + seconds
            while key not in got and "failed" not in got and time.monotonic() < deadline:
                ctx.app.processEvents()
                time.sleep(0.02)
            return key in got

        controller.connect_to(ConnectRequest(kind="sim", faults=("vacuum_leak",), seed=0))
        if not wait_for("connected"):
            print(f"selfcheck gui live: no connection ({got.get('failed', 'timed out')})")
            return 1
        controller.start_recording("selfcheck")
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            ctx.app.processEvents()
            time.sleep(0.02)
        controller.stop_recording()
        if not wait_for("recording") or got["recording"] is None:
            print(f"selfcheck gui live: recording not stored ({got.get('failed', 'timed out')})")
            return 1
        controller.disconnect_session()
        wait_for("disconnected", 20.0)
        print(f"selfcheck gui live: connected to {got['connected'].vehicle.vin}, recorded {got['recording'].frame_count} frames, disconnected")

        keys = ctx.window.workspace_keys()
        for key in keys:
            ctx.window.show_workspace(key)
            ctx.app.processEvents()
            if ctx.window.grab().isNull():
                print(f"selfcheck gui: workspace {key} did not render")
                return 1
        print(f"selfcheck gui: {len(keys)} workspaces rendered: {', '.join(keys)}")
    finally:
        ctx.close()
    return 0


if os.environ.get("CARVROOOM_FROZEN_SELFCHECK") == "1":
    try:
        code = _selfcheck()
    except BaseException:  # noqa: BLE001 - the traceback is the report
        import traceback

        traceback.print_exc()
        code = 1
    print("selfcheck: " + ("OK" if code == 0 else "FAILED"))
    sys.stdout.flush()
    os._exit(code)  # worker threads of the diagnosis must not keep the process alive
