"""The main window's status bar: connection, bus load, store, sync and recording."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QStatusBar, QWidget

from carvrooom_desktop.sync.status import PROBLEMS, SyncState, SyncStatus
from ui.widgets.common import repolish

STORE_TEXT_MAX = 52  # characters; the full URL is in the tooltip
# ConnectionState value (spaces as underscores) -> (wording, tone of the chip)
CONNECTION_TEXT = {
    "no_adapter": ("No adapter", "idle"),
    "adapter": ("Adapter found — waiting for the car", "warn"),
    "car_connected": ("Car connected", "good"),
    "ignition_off": ("Ignition off — waiting for the car", "warn"),
    "lost": ("Connection lost — reconnecting…", "bad"),
}


def connection_key(state: object) -> str:
    """"car_connected" for ConnectionState.CAR_CONNECTED, its value "car connected" or the key itself."""
    return str(getattr(state, "value", state)).lower().replace(" ", "_")


def connection_text(state: object) -> str:
    """Readable text for a ConnectionState (a StrEnum) or its value; unknown values as given."""
    key = connection_key(state)
    return CONNECTION_TEXT.get(key, (key.replace("_", " ").capitalize(), "idle"))[0]


class ShellStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self._field_count = 0
        self.connection_label = self._field("connection", "Not connected")
        self.connection_label.setObjectName("StateChip")
        self.connection_label.setProperty("tone", "idle")
        self.bus_load_label = self._field("bus load", "Bus load: –")
        self.store_label = self._field("store", "Store: –")
        self.sync_label = self._field("sync", "sync: not configured")
        self.sync_label.setObjectName("ToneText")
        self.sync_label.setProperty("tone", "idle")
        self.recording_label = self._field("recording", "Not recording")
        self.recording_label.setObjectName("RecIndicator")
        self.recording_label.setProperty("recording", "false")

    def _field(self, name: str, text: str) -> QLabel:
        label = QLabel(text)
        label.setAccessibleName(name)
        if self._field_count:
            separator = QFrame()
            separator.setFrameShape(QFrame.Shape.VLine)
            separator.setFrameShadow(QFrame.Shadow.Sunken)
            self.addPermanentWidget(separator)
        self.addPermanentWidget(label)
        self._field_count += 1
        return label

    def set_connection(self, state: object, detail: str = "") -> None:
        """A ConnectionState: its own wording and colour (green, amber, red or grey)."""
        text, tone = CONNECTION_TEXT.get(connection_key(state), (connection_text(state), "idle"))
        self._show_connection(f"{text} · {detail}" if detail else text, tone)

    def set_connection_text(self, text: str, tone: str = "idle") -> None:
        """Not a session state ("Connecting…", "Not connected")."""
        self._show_connection(text, tone)

    @property
    def connection_tone(self) -> str:
        return str(self.connection_label.property("tone"))

    def _show_connection(self, text: str, tone: str) -> None:
        self.connection_label.setText(text)
        if self.connection_label.property("tone") != tone:
            self.connection_label.setProperty("tone", tone)
            repolish(self.connection_label)

    def set_bus_load(self, percent: float | None) -> None:
        self.bus_load_label.setText("Bus load: –" if percent is None else f"Bus load: {percent:.0f} %")

    def set_store(self, display_url: str | None, problem: str = "") -> None:
        """``display_url`` must already hide the password (Store.display_url does)."""
        if display_url is None:
            self.store_label.setText("Store: unavailable")
            self.store_label.setToolTip(problem or "The database could not be opened.")
            return
        self.store_label.setText(_elide_middle(_store_text(display_url), STORE_TEXT_MAX))
        self.store_label.setToolTip(display_url)

    def set_sync(self, text: str) -> None:
        self.sync_label.setText(f"sync: {text}")

    def show_sync(self, status: SyncStatus) -> None:
        """A ``sync.state``: "sync: synced", "sync: offline (pending 3)"...; the reason in the tooltip, a colour."""
        self.set_sync(status.value)
        where = f"Shared database: {status.server}" if status.server else ""
        self.sync_label.setToolTip("\n".join(filter(None, [status.message, where])) or "Synced with the shared database")
        tone = sync_tone(status.state)
        if self.sync_label.property("tone") != tone:
            self.sync_label.setProperty("tone", tone)
            repolish(self.sync_label)

    def set_recording(self, recording: bool, elapsed_s: float = 0.0) -> None:
        if recording:
            minutes, seconds = divmod(int(elapsed_s), 60)
            self.recording_label.setText(f"● REC {minutes:02d}:{seconds:02d}")
        else:
            self.recording_label.setText("Not recording")
        self.recording_label.setProperty("recording", "true" if recording else "false")
        repolish(self.recording_label)


def sync_tone(state: SyncState) -> str:
    """The colour of a sync state: green synced, amber waiting or offline, red when someone must act."""
    if state is SyncState.SYNCED:
        return "good"
    if state in (SyncState.PENDING, SyncState.SYNCING, SyncState.CONFLICT, SyncState.OFFLINE, SyncState.BUSY):
        return "warn"
    return "bad" if state in PROBLEMS else "idle"


def _elide_middle(text: str, limit: int) -> str:
    """Keep both ends of a long path (the drive and the file name are what people recognise)."""
    if len(text) <= limit:
        return text
    head = limit // 3
    return f"{text[:head]}…{text[-(limit - head - 1):]}"


def _store_text(display_url: str) -> str:
    """"SQLite: /path/db.sqlite" for local files, "PostgreSQL: host/db" for the shared server."""
    scheme, sep, rest = display_url.partition("://")
    if not sep:
        return f"Store: {display_url}"
    kind = scheme.split("+")[0].lower()
    if kind == "sqlite":
        path = rest.removeprefix("/")
        return f"SQLite: {path or ':memory:'}"
    if kind in ("postgresql", "postgres"):
        return f"PostgreSQL: {rest.rpartition('@')[2]}"
    return f"{kind}: {rest.rpartition('@')[2]}"
