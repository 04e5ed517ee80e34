"""The signal tree: polled PIDs and the loaded database's messages and signals, searchable and draggable.

A ``QStandardItemModel`` behind a recursive filter proxy: typing narrows the tree to
matching signals (their message stays visible). Ticking a signal, double-clicking it or
dragging it onto the plot asks for it to be plotted; the page decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QMimeData, QModelIndex, QPoint, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QMenu, QTreeView, QVBoxLayout, QWidget

from ui.widgets.signal_plots import SIGNAL_MIME

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
POLLED_GROUP = "Polled PIDs (OBD-II)"


class _SignalModel(QStandardItemModel):
    def mimeTypes(self) -> list[str]:
        return [SIGNAL_MIME, "text/plain"]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        names = _names_under(self, indexes)
        mime = QMimeData()
        mime.setData(SIGNAL_MIME, "\n".join(names).encode())
        mime.setText("\n".join(names))
        return mime


def _names_under(model: QStandardItemModel, indexes: Iterable[QModelIndex]) -> list[str]:
    """Signal names of the given items; a message stands for all its signals."""
    names: list[str] = []
    for index in indexes:
        if index.column() != 0:
            continue
        item = model.itemFromIndex(index)
        if item is None:
            continue
        name = item.data(NAME_ROLE)
        children = [item.child(r) for r in range(item.rowCount())]
        for candidate in ([name] if name else [c.data(NAME_ROLE) for c in children]):
            if candidate and candidate not in names:
                names.append(candidate)
    return names


class SignalPicker(QWidget):
    plot_requested = Signal(list)
    unplot_requested = Signal(str)
    gauge_requested = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search signals")
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.model = _SignalModel(self)
        self.model.setHorizontalHeaderLabels(["Signal", "Unit"])
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setAutoAcceptChildRows(True)
        self.search.textChanged.connect(self._filter)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu)
        self.tree.doubleClicked.connect(self._double_clicked)
        self.tree.setColumnWidth(0, 190)
        layout.addWidget(self.tree, 1)
        self.model.itemChanged.connect(self._item_changed)
        self._items: dict[str, QStandardItem] = {}
        self._updating = False

    def set_definitions(self, definitions: Sequence[Any]) -> None:
        """``SignalDefinition`` s: OBD PIDs go under one group, ``MESSAGE.signal`` under their message."""
        self._updating = True
        self.model.removeRows(0, self.model.rowCount())
        self._items = {}
        groups: dict[str, QStandardItem] = {}
        for definition in definitions:
            name = definition.name
            broadcast = str(getattr(definition, "source", "")) == "can" and "." in name  # SignalSource.CAN_DBC
            group_name = name.split(".", 1)[0] if broadcast else POLLED_GROUP
            group = groups.get(group_name)
            if group is None:
                group = QStandardItem(group_name)
                group.setEditable(False)
                group.setFlags(group.flags() | Qt.ItemFlag.ItemIsDragEnabled)
                groups[group_name] = group
                self.model.appendRow([group, _plain("")])
            label = name.split(".", 1)[1] if group_name != POLLED_GROUP else name
            item = QStandardItem(label)
            item.setEditable(False)
            item.setData(name, NAME_ROLE)
            item.setToolTip(getattr(definition, "description", "") or name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled)
            item.setCheckState(Qt.CheckState.Unchecked)
            group.appendRow([item, _plain(getattr(definition, "unit", ""))])
            self._items[name] = item
        self._updating = False
        polled = groups.get(POLLED_GROUP)
        if polled is not None:
            self.tree.expand(self.proxy.mapFromSource(polled.index()))

    def names(self) -> list[str]:
        return list(self._items)

    def set_plotted(self, names: Iterable[str]) -> None:
        shown = set(names)
        self._updating = True
        for name, item in self._items.items():
            item.setCheckState(Qt.CheckState.Checked if name in shown else Qt.CheckState.Unchecked)
        self._updating = False

    def visible_names(self) -> list[str]:
        """Signals the search leaves visible."""
        return [n for n, item in self._items.items() if self.proxy.mapFromSource(item.index()).isValid()]

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        if text.strip():
            self.tree.expandAll()

    def _item_changed(self, item: QStandardItem) -> None:
        name = item.data(NAME_ROLE)
        if self._updating or not name:
            return
        if item.checkState() == Qt.CheckState.Checked:
            self.plot_requested.emit([name])
        else:
            self.unplot_requested.emit(name)

    def _double_clicked(self, index: QModelIndex) -> None:
        names = _names_under(self.model, [self.proxy.mapToSource(index.siblingAtColumn(0))])
        if names:
            self.plot_requested.emit(names)

    def selected_names(self) -> list[str]:
        rows = [self.proxy.mapToSource(i) for i in self.tree.selectionModel().selectedRows(0)]
        return _names_under(self.model, rows)

    def _menu(self, pos: QPoint) -> None:
        names = self.selected_names()
        if not names:
            return
        menu = QMenu(self)
        menu.addAction("Plot", lambda: self.plot_requested.emit(names))
        menu.addAction("Show as gauge", lambda: self.gauge_requested.emit(names))
        menu.exec(self.tree.viewport().mapToGlobal(pos))


def _plain(text: str) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    return item
