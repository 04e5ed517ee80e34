"""The composition root of the GUI: the only core module that imports Qt.

``run_gui`` builds the QApplication, logging, settings, the store, the event bus,
the main window and the error handler, wires them and runs the event loop. The live
session (python-can, cantools, the simulator) is imported on the connect worker, and
heavy optional stacks (ortools, chromadb, langgraph, langchain, reportlab) never at
start-up.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from carvrooom_desktop import __version__, events, platform_check
from carvrooom_desktop.cli.gui import GuiOptions
from carvrooom_desktop.config.settings import Settings, load_settings, save_settings
from carvrooom_desktop.errors import CarVrooomError, SettingsError
from carvrooom_desktop.logging_setup import configure_logging
from carvrooom_desktop.paths import config_dir, ensure_dir
from ui.error_handler import ErrorHandler
from ui.main_window import MainWindow
from ui.session_controller import ConnectRequest, SessionController
from ui.theme import ThemeManager
from ui.workbench import Workbench
from ui.workers import TaskRunner

log = logging.getLogger(__name__)

AUTOCONNECT_ENV = "CARVROOOM_AUTOCONNECT"  # "1" or "sim": simulated car on CAN; "sim-elm": behind a simulated ELM327
FAULTS_ENV = "CARVROOOM_FAULTS"  # comma-separated, used with auto-connect (screenshots, demos)


@dataclass
class GuiContext:
    """Everything ``build_gui`` made; tests drive the window through it."""

    app: QApplication
    window: MainWindow
    workbench: Workbench
    controller: SessionController
    theme: ThemeManager
    error_handler: ErrorHandler
    bus: events.EventBus
    settings: Settings
    store: Any | None
    sync: Any | None = None  # WorkstationSync: the sync service of the store (sync/workstation.py)
    store_problem: str = ""
    warnings: list[str] = field(default_factory=list)
    startup_s: float = 0.0
    sign_in: SignInState | None = None  # who is signed in (demo mode without users)
    _closed: bool = False

    def close(self) -> None:
        """Shut the session and store down and restore the exception hooks; safe twice."""
        if self._closed:
            return
        self._closed = True
        self.workbench.shutdown()
        if self.sign_in is not None and self.sign_in.guard is not None:
            self.sign_in.guard.close()
        self.error_handler.uninstall()
        if self.sync is not None:
            self.sync.stop()  # after the workbench's workers: none can start it again
        if self.store is not None:
            self.store.close()


@dataclass
class SignInState:
    """The shift's sign-in: demo mode (no users: the demo user, the settings' role) or a signed-in user."""

    people: Any | None  # carvrooom_desktop.people.People of the store
    shift: Any  # carvrooom_desktop.people.ShiftSession
    demo: bool
    guard: Any | None = None  # ui.login_dialog.ShiftGuard once users exist

    def sign_in(self, name: str, password: str) -> Any:
        assert self.people is not None
        return self.people.users.sign_in(name, password)

    def role(self, settings: Settings) -> str:
        """The role the bench pages check: the settings' in demo mode, the signed-in user's otherwise."""
        if self.demo:
            return settings.role
        actor = self.shift.signed_in
        return str(actor.role) if actor is not None else ""

    def guard_store(self, store: Any, sync: Any | None) -> Any | None:
        """The schedule, recordings and sync as seen by the signed-in user (the core refuses and audits)."""
        from carvrooom_desktop.people.services import guard_recordings, guard_sync, guard_workshop

        store.workshop = guard_workshop(store.workshop, self.shift.current)
        store.recordings = guard_recordings(store.recordings, self.shift.current)
        return guard_sync(sync, self.shift.current) if sync is not None else None


def _sign_in_state(store: Any | None, settings: Settings) -> SignInState:
    from carvrooom_desktop.people import People, ShiftSession

    shift = ShiftSession()
    people = People.of(store) if store is not None else None
    demo = people is None or people.demo_mode
    if demo:
        shift.sign_in(people.demo_actor(settings.role) if people is not None else _bare_demo(settings))
    return SignInState(people, shift, demo)


def _bare_demo(settings: Settings) -> Any:
    from carvrooom_desktop.people import demo_actor

    return demo_actor(settings.role)


class DisplayUnavailable(CarVrooomError):
    """Qt would find no screen here (no display, missing xcb libraries): the message says what to do."""


def build_gui(options: GuiOptions | Sequence[str] | None = None, *, db_url: str | None = None) -> GuiContext:
    """Build and wire everything (no event loop): used by ``run_gui`` and the GUI tests.

    ``options`` are the parsed ``carvrooom gui`` options; a list is parsed by the CLI's parser
    (``build_gui([])``, ``build_gui(["--seed", "3"])``). ``db_url`` is used when the options name none.
    Raises :class:`DisplayUnavailable` instead of letting Qt abort when it would find no screen.
    """
    started = time.perf_counter()
    if options is None or not isinstance(options, GuiOptions):
        options = GuiOptions.parse(list(options or []))
    # QApplication.instance() is typed as the core class; this process only ever makes a QApplication (widgets need one)
    app = cast("QApplication | None", QApplication.instance())
    if app is None:
        problem = platform_check.gui_platform_problem()  # before Qt loads a platform plugin (and may abort)
        if problem:
            raise DisplayUnavailable(problem)
        app = QApplication([sys.argv[0] if sys.argv else "carvrooom", *options.qt_args])
    app.setApplicationName("CarVrooom Desktop")
    app.setOrganizationName("CarVrooom")
    app.setApplicationVersion(__version__)
    log_file = configure_logging()
    if options.verbose:  # -v: the info lines on stderr too, not only in the log file
        for handler in logging.getLogger().handlers:
            if getattr(handler, "_carvrooom", False) and type(handler) is logging.StreamHandler:
                handler.setLevel(logging.INFO)
    log.info("CarVrooom Desktop %s starting; log file %s", __version__, log_file)

    settings, warnings = load_settings()
    theme = ThemeManager(app)
    theme.apply(settings.theme)
    bus = events.EventBus()
    store, store_problem = _open_store(options.db_url or db_url, settings)
    sync = _sync_link(store, bus, settings)
    sign_in = _sign_in_state(store, settings)
    if not sign_in.demo:  # users exist: the core checks the signed-in user on these paths too
        sync = sign_in.guard_store(store, sync)

    def make_session(request: ConnectRequest) -> Any:
        # Imported here, on the connect worker: python-can, cantools and the simulator
        # load when the technician connects, not at start-up.
        from carvrooom_desktop.acquisition.session import LiveSession
        from carvrooom_desktop.acquisition.source import SourceSpec

        spec = SourceSpec(kind=request.kind, faults=request.faults if request.simulated else (), seed=request.seed,
                          channel=request.channel, bitrate=request.bitrate, data_bitrate=request.data_bitrate)
        return LiveSession(spec, events=bus, store=store, signals=list(settings.live_signals),
                           poll_interval=settings.poll_interval_s, actor=None if sign_in.demo else sign_in.shift.current)

    ui_state = QSettings(str(ensure_dir(config_dir()) / "ui-state.ini"), QSettings.Format.IniFormat)
    window = MainWindow(ui_state)
    controller = SessionController(make_session, TaskRunner(window, max_threads=1), window)

    def remember_theme(name: str) -> None:
        settings.theme = name
        try:
            save_settings(settings)
        except SettingsError as exc:
            window.status.showMessage(f"Theme not saved: {exc}", 10000)

    workbench = Workbench(
        window, theme=theme, controller=controller, bus=bus, store=store, store_problem=store_problem,
        faults=_fault_choices(), seed=options.seed if options.seed is not None else settings.sim_seed,
        on_theme_chosen=remember_theme, role=lambda: sign_in.role(settings), sync=sync,
        people=sign_in.people, actor=sign_in.shift.current,
    )
    error_handler = ErrorHandler(window)
    error_handler.install()
    window.restore_ui_state()
    window.show_workspace("connect")
    for warning in warnings:
        window.status.showMessage(f"Settings: {warning}", 15000)
    ctx = GuiContext(app, window, workbench, controller, theme, error_handler, bus, settings, store, sync,
                     store_problem, list(warnings), sign_in=sign_in)
    if not sign_in.demo:
        from ui.login_dialog import ShiftGuard

        guard = ShiftGuard(sign_in.shift, sign_in.sign_in, window)
        guard.signed_in.connect(lambda actor: window.status.showMessage(f"Signed in: {actor.label}", 10000))
        sign_in.guard = guard
        QTimer.singleShot(0, lambda: guard.ask())
    if sync is not None:
        # Once the event loop runs, on the Sync page's worker: the keyring, psycopg and the first connection
        # never hold up the window (no shared URL: "sync: not configured" stays).
        QTimer.singleShot(0, workbench.sync, lambda: workbench.sync.start(lambda: _shared_url(options, settings)))
    ctx.startup_s = time.perf_counter() - started
    if store is None:
        QTimer.singleShot(0, lambda: _warn_store_unavailable(window, store_problem))
    if options.files:  # `carvrooom FILE`: opened as if dropped on the window (logs imported, databases loaded)
        files = list(options.files)
        QTimer.singleShot(0, lambda: window.files_dropped.emit(files))
    autoconnect = os.environ.get(AUTOCONNECT_ENV, "")
    if options.autoconnect or autoconnect not in ("", "0"):
        faults = options.faults or tuple(f for f in os.environ.get(FAULTS_ENV, "").split(",") if f.strip())
        kind = options.autoconnect or (autoconnect if autoconnect in ("sim", "sim-elm") else "sim")
        request = ConnectRequest(kind=kind, faults=faults, seed=options.seed if options.seed is not None else settings.sim_seed)
        QTimer.singleShot(0, lambda: controller.connect_to(request))
    return ctx


def run_gui(options: GuiOptions | None = None) -> int:
    """The GUI until its window closes; ``options`` come parsed from ``carvrooom [gui ...]`` (cli/gui.py).

    Exits with ``platform_check.EXIT_NO_DISPLAY`` (3) and a message on stderr when Qt would find
    no screen, rather than letting Qt abort the process.
    """
    try:
        ctx = build_gui(options or GuiOptions())
    except DisplayUnavailable as exc:
        print(exc, file=sys.stderr)
        return platform_check.EXIT_NO_DISPLAY
    ctx.window.show()
    log.info("window shown %.2f s after build started", ctx.startup_s)
    if os.environ.get("CARVROOOM_EXIT_AFTER_SHOWN"):  # benchmarks/bench_startup.py: quit once the first frame is up
        QTimer.singleShot(0, ctx.app.quit)
    try:
        return ctx.app.exec()
    finally:
        ctx.close()


def _open_store(cli_url: str | None, settings: Settings) -> tuple[Any | None, str]:
    """The store, or ``None`` and the reason; the app stays usable without one."""
    from carvrooom_desktop.storage.engine import resolve_url
    from carvrooom_desktop.storage.store import Store

    url = resolve_url(cli_url, settings.database_url or None)
    password = None
    if not url.startswith("sqlite"):
        from carvrooom_desktop.config.secret_store import database_secret_name, get_secret

        password = get_secret(database_secret_name(url))
    try:
        return Store.open(url, origin=settings.workstation_id, password=password), ""
    except CarVrooomError as exc:
        log.error("store unavailable: %s", exc)
        return None, str(exc)


def _sync_link(store: Any | None, bus: events.EventBus, settings: Settings) -> Any | None:
    """The store's link to the shared database, not started yet (``None`` without a store)."""
    if store is None:
        return None
    from carvrooom_desktop.sync.workstation import WorkstationSync

    return WorkstationSync(store, bus, settings=settings)


def _shared_url(options: GuiOptions, settings: Settings) -> str | None:
    """``--shared URL`` > ``CARVROOOM_SHARED_URL`` > the settings (sync/config.py decides)."""
    from carvrooom_desktop.sync.config import resolve_shared_url

    return resolve_shared_url(options.shared_url, settings)


def _warn_store_unavailable(window: MainWindow, problem: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, "Database unavailable",
                      f"The database could not be opened:\n\n{problem}", parent=window)
    box.setInformativeText(
        "You can still connect to a car and see its codes and live data, but nothing can be recorded "
        "until the database is reachable. Check the database setting or the --db option and restart."
    )
    box.open()  # window-modal, does not block start-up


def _fault_choices() -> list[tuple[str, str]]:
    """(name, description) of every fault the simulator can inject."""
    from drivers.simulator.faults import FAULT_CATALOGUE

    return [(str(name), str(getattr(fault, "description", "") or "")) for name, fault in FAULT_CATALOGUE.items()]
