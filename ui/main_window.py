"""The shell: navigation on the left, one workspace per job in a stack, menus and status bar.

Workspaces are registered with a factory and built the first time they are shown, so
pages that need pyqtgraph do not slow the start-up. The window knows nothing about the
car or the store; the workbench registers the pages and wires them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from ui.status_bar import ShellStatusBar
from ui.theme import THEMES

APP_TITLE = "CarVrooom Desktop"
KEY_ROLE = Qt.ItemDataRole.UserRole


class MainWindow(QMainWindow):
    theme_requested = Signal(str)
    workspace_changed = Signal(str)
    page_created = Signal(str, QWidget)
    closing = Signal()
    ai_settings_requested = Signal()
    files_dropped = Signal(list)  # local paths of log or signal database files dropped on the window

    def __init__(self, ui_state: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(APP_TITLE)
        self.resize(1280, 800)
        self._ui_state = ui_state
        self._factories: dict[str, Callable[[], QWidget]] = {}
        self._pages: dict[str, QWidget] = {}
        self._placeholders: dict[str, QWidget] = {}
        self._titles: dict[str, str] = {}

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setObjectName("NavList")
        self.nav.setFixedWidth(190)
        self.nav.setAccessibleName("Workspaces")
        self.nav.currentItemChanged.connect(self._on_nav)
        self.stack = QStackedWidget()
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.status = ShellStatusBar(self)
        self.setStatusBar(self.status)
        self._build_menus()
        self.setAcceptDrops(True)

    @property
    def ui_state(self) -> QSettings | None:
        """Window geometry and UI state (recent files): QSettings, never the typed settings."""
        return self._ui_state

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)

    # -- workspaces ------------------------------------------------------------------------------

    def add_section(self, title: str) -> None:
        item = QListWidgetItem(title.upper())
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.nav.addItem(item)

    def add_workspace(self, key: str, title: str, factory: Callable[[], QWidget], tooltip: str = "") -> None:
        if key in self._factories:
            raise ValueError(f"workspace {key!r} registered twice")
        self._factories[key] = factory
        self._titles[key] = title
        placeholder = QWidget()
        self._placeholders[key] = placeholder
        self.stack.addWidget(placeholder)
        item = QListWidgetItem(title)
        item.setData(KEY_ROLE, key)
        if tooltip:
            item.setToolTip(tooltip)
        self.nav.addItem(item)

    def workspace_keys(self) -> list[str]:
        return list(self._factories)

    def title_of(self, key: str) -> str:
        return self._titles[key]

    def page(self, key: str) -> QWidget:
        """The workspace widget, built now if it was not yet."""
        page = self._pages.get(key)
        if page is not None:
            return page
        page = self._factories[key]()
        placeholder = self._placeholders.pop(key)
        index = self.stack.indexOf(placeholder)
        was_current = self.stack.currentWidget() is placeholder
        self.stack.insertWidget(index, page)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        if was_current:
            self.stack.setCurrentWidget(page)
        self._pages[key] = page
        self.page_created.emit(key, page)
        return page

    def built_page(self, key: str) -> QWidget | None:
        """The workspace widget if it has been built, else ``None`` (never builds)."""
        return self._pages.get(key)

    def show_workspace(self, key: str) -> QWidget:
        for row in range(self.nav.count()):
            if self.nav.item(row).data(KEY_ROLE) == key:
                self.nav.setCurrentRow(row)
                break
        else:
            raise KeyError(f"no workspace {key!r}")
        return self.page(key)

    def current_workspace(self) -> str | None:
        item = self.nav.currentItem()
        return item.data(KEY_ROLE) if item is not None else None

    def _on_nav(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None = None) -> None:
        key = item.data(KEY_ROLE) if item is not None else None
        if key is None:
            return
        self.stack.setCurrentWidget(self.page(key))
        self.setWindowTitle(f"{self._titles[key]} · {APP_TITLE}")
        self.workspace_changed.emit(key)

    # -- menus -------------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        ai_settings = QAction("AI &settings (Gemini key, models)…", self)
        ai_settings.triggered.connect(self.ai_settings_requested)
        file_menu.addAction(ai_settings)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu("&View")
        theme_menu = view_menu.addMenu("&Theme")
        self.theme_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        group.setExclusive(True)
        for name, theme in THEMES.items():
            action = QAction(theme.label, self, checkable=True)
            action.setData(name)
            action.triggered.connect(lambda _checked=False, n=name: self.theme_requested.emit(n))
            group.addAction(action)
            theme_menu.addAction(action)
            self.theme_actions[name] = action

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About CarVrooom Desktop", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def set_theme_checked(self, name: str) -> None:
        action = self.theme_actions.get(name)
        if action is not None:
            action.setChecked(True)

    def _about(self) -> None:
        from ui.about import about_html  # version, schema, GPL notice + source link, the bundle's licence files

        QMessageBox.about(self, f"About {APP_TITLE}", about_html(APP_TITLE))

    # -- window state ---------------------------------------------------------------------------------

    def restore_ui_state(self) -> None:
        if self._ui_state is None:
            return
        geometry = self._ui_state.value("window/geometry")
        state = self._ui_state.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def save_ui_state(self) -> None:
        if self._ui_state is None:
            return
        self._ui_state.setValue("window/geometry", self.saveGeometry())
        self._ui_state.setValue("window/state", self.saveState())
        key = self.current_workspace()
        if key:
            self._ui_state.setValue("window/workspace", key)
        self._ui_state.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_ui_state()
        self.closing.emit()
        super().closeEvent(event)
