"""Telematics intake: an MQTT subscriber whose callback only queues, and a writer thread that stores in batches.

paho-mqtt's network thread runs ``on_message``; it appends (topic, payload, time, mid, qos) to a
queue and returns (NOTES.md: a Python client is overwhelmed near 1,000 msg/s when callbacks do
work). The writer thread drains the queue every ``flush_interval`` (or ``batch_size`` messages),
decodes, drops duplicates by sequence number, writes one transaction, and only then acknowledges
the batch's QoS 1 messages (``manual_ack``, in order): a message the store never got is never
acknowledged, so the broker delivers it again. The session is persistent (MQTT 5 ``clean_start``
False with a session expiry, a fixed client id): messages published while the intake was away
wait at the broker and arrive on reconnect. A broker that goes away is counted; paho reconnects.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from carvrooom_desktop.errors import CarVrooomError
from carvrooom_desktop.storage.fleet_models import TelematicsMessageRow, TelematicsVehicleRow
from carvrooom_desktop.telematics.decode import Message, Reject, decode_message
from carvrooom_desktop.telematics.sequence import REORDER, SequenceTracker, Verdict
from carvrooom_desktop.telematics.stats import IntakeSnapshot, IntakeStats
from carvrooom_desktop.telematics.store import load_states, write_batch
from carvrooom_desktop.telematics.topics import broker_address, subscription

log = logging.getLogger(__name__)

SESSION_EXPIRY_S = 24 * 3600  # the broker keeps our subscription and queued messages this long while we are away
RECEIVE_MAXIMUM = 65535  # QoS 1 messages in flight to us: a batch is acknowledged only once stored
STORE_RETRIES = 3


class BrokerUnavailable(CarVrooomError):
    """The MQTT broker could not be reached (or refused us)."""


@dataclass
class _Car:
    vin: str
    workshop: str
    tracker: SequenceTracker = field(default_factory=SequenceTracker)
    online: bool = False
    last_seen: float | None = None
    birth_at: float | None = None
    death_at: float | None = None
    odometer_obd_km: float | None = None
    odometer_gps_km: float | None = None
    counters: dict[str, int] = field(default_factory=dict)

    def count(self, key: str, n: int = 1) -> None:
        self.counters[key] = self.counters.get(key, 0) + n

    def row(self) -> dict[str, Any]:
        return {"vin": self.vin, "workshop": self.workshop, "online": self.online, "last_seq": self.tracker.last,
                "last_seen": self.last_seen, "birth_at": self.birth_at, "death_at": self.death_at,
                "odometer_obd_km": self.odometer_obd_km, "odometer_gps_km": self.odometer_gps_km, "counters": dict(self.counters)}


class TelematicsIntake:
    def __init__(self, engine: Engine, broker: str = "mqtt://127.0.0.1:1883", *, workshop: str = "+", client_id: str | None = None,
                 session_expiry: int = SESSION_EXPIRY_S, batch_size: int = 2000, flush_interval: float = 0.05,
                 ack_after_store: bool = True) -> None:
        self.engine = engine
        self.host, self.port = broker_address(broker)
        self.workshop = workshop
        self.client_id = client_id or f"carvrooom-intake-{uuid.uuid4().hex[:12]}"
        self.session_expiry = session_expiry
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        # True: a QoS 1 message is acknowledged once stored (nothing acknowledged is ever lost); the broker's
        # in-flight window (Mosquitto's max_inflight_messages, 20 by default) then bounds the rate to about that
        # many messages per store cycle. False: acknowledged on arrival (paho's default), faster, and what is
        # queued in memory when the process dies is lost (the next message shows the gap).
        self.ack_after_store = ack_after_store
        self.stats = IntakeStats()
        self._queue: queue.SimpleQueue[tuple[str, bytes, float, int, int]] = queue.SimpleQueue()
        self._cars: dict[str, _Car] = {}
        self._stop = threading.Event()
        self._writer: threading.Thread | None = None
        self._client: Any = None

    # -- life -----------------------------------------------------------------------------------------

    def start(self) -> None:
        """Connect (BrokerUnavailable when the broker cannot be reached) and start storing."""
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        self._resume()
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=mqtt.MQTTv5,
                             manual_ack=self.ack_after_store)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.reconnect_delay_set(1, 10)
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]  # paho declares no types here
        props.SessionExpiryInterval = self.session_expiry
        props.ReceiveMaximum = RECEIVE_MAXIMUM
        try:
            client.connect(self.host, self.port, keepalive=30, clean_start=False, properties=props)
        except OSError as e:
            raise BrokerUnavailable(f"cannot reach the MQTT broker at {self.host}:{self.port}: {e}") from e
        self._client = client
        self._writer = threading.Thread(target=self._write_loop, name=f"telematics-writer-{self.client_id}", daemon=True)
        self._writer.start()
        client.loop_start()

    def stop(self, timeout: float = 5.0) -> None:
        """Disconnect, store what is queued, stop both threads. Safe to call twice."""
        client, self._client = self._client, None
        if client is not None:
            client.disconnect()
            client.loop_stop()
        self._stop.set()
        if self._writer is not None:
            self._writer.join(timeout)
            self._writer = None
        with self.stats.lock:
            self.stats.connected = False

    def __enter__(self) -> TelematicsIntake:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def snapshot(self) -> IntakeSnapshot:
        return self.stats.snapshot(self._queue.qsize())

    def odometers(self) -> dict[str, tuple[float | None, float | None]]:
        """VIN -> (OBD odometer, GNSS odometer), as last reported (kept apart: a mismatch is a warranty signal)."""
        return {vin: (c.odometer_obd_km, c.odometer_gps_km) for vin, c in list(self._cars.items())}

    def _resume(self) -> None:
        """Sequence numbers carry on from the store: a redelivery after a restart is still a duplicate."""
        for s in load_states(self.engine):
            car = _Car(s["vin"], s["workshop"], online=bool(s["online"]), last_seen=s["last_seen"], birth_at=s["birth_at"],
                       death_at=s["death_at"], odometer_obd_km=s["odometer_obd_km"], odometer_gps_km=s["odometer_gps_km"],
                       counters=dict(s["counters"] or {}))
            self._cars[car.vin] = car
        if not self._cars:
            return
        m, v = TelematicsMessageRow, TelematicsVehicleRow
        with self.engine.connect() as conn:
            recent = conn.execute(select(m.vin, m.seq, m.sent_at).join(v, v.vin == m.vin)
                                  .where(m.seq > v.last_seq - REORDER, m.seq <= v.last_seq, m.kind != "death").order_by(m.vin, m.seq)).all()
        for vin, seq, sent_at in recent:
            car = self._cars[vin]
            if car.tracker.last is None:
                car.tracker.birth(seq, sent_at)
            else:
                car.tracker.accept(seq, sent_at)

    # -- paho's thread: queue only ----------------------------------------------------------------------

    def _on_connect(self, client: Any, _userdata: Any, _flags: Any, reason_code: Any, _properties: Any) -> None:
        if reason_code.is_failure:
            log.warning("telematics: broker refused the connection: %s", reason_code)
            return
        client.subscribe(subscription(self.workshop), qos=1)
        with self.stats.lock:
            self.stats.connected = True

    def _on_disconnect(self, _client: Any, _userdata: Any, _flags: Any, reason_code: Any, _properties: Any) -> None:
        with self.stats.lock:
            self.stats.connected = False
            if not self._stop.is_set() and self._client is not None:
                self.stats.counts["disconnects"] += 1
                self.stats.rejected["broker_gone"] += 1
                self.stats.last_rejects.append(("broker_gone", f"disconnected: {reason_code}", f"{self.host}:{self.port}"))

    def _on_message(self, _client: Any, _userdata: Any, msg: Any) -> None:
        self._queue.put((msg.topic, msg.payload, time.time(), msg.mid, msg.qos))

    # -- the writer thread --------------------------------------------------------------------------------

    def _write_loop(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self.flush_interval)
            except queue.Empty:
                if self._stop.is_set():
                    return
                continue
            batch = [first]
            while len(batch) < self.batch_size:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._store(batch)

    def _store(self, batch: list[tuple[str, bytes, float, int, int]]) -> None:
        messages: list[dict[str, Any]] = []
        rejects: list[dict[str, Any]] = []
        touched: dict[str, _Car] = {}
        counts: dict[str, int] = {}
        sent: list[float | None] = []

        def count(key: str, n: int = 1) -> None:
            counts[key] = counts.get(key, 0) + n

        for topic, payload, received_at, _mid, _qos in batch:
            decoded = decode_message(topic, payload)
            if isinstance(decoded, Reject):
                rejects.append({"received_at": received_at, "topic": topic[:255], "reason": decoded.reason, "detail": decoded.detail})
                continue
            for p in decoded.problems:
                rejects.append({"received_at": received_at, "topic": topic[:255], "reason": p.reason, "detail": p.detail})
            row = self._apply(decoded, received_at, count)
            touched[decoded.topic.vin] = self._cars[decoded.topic.vin]
            if row is not None:
                messages.append(row)
                sent.append(decoded.sent_at)
        for attempt in range(STORE_RETRIES):
            stored_at = time.time()
            for row in messages:
                row["stored_at"] = stored_at
            try:
                write_batch(self.engine, messages, rejects, [c.row() for c in touched.values()])
                break
            except SQLAlchemyError as e:
                log.warning("telematics: storing %d messages failed (attempt %d): %s", len(messages), attempt + 1, e)
                if attempt == STORE_RETRIES - 1:
                    rejects = [{"received_at": stored_at, "topic": "", "reason": "store_failed", "detail": str(e)[:200]}]
                    messages = []
                time.sleep(0.2)
        client = self._client
        if client is not None and self.ack_after_store:
            for _t, _p, _r, mid, qos in batch:  # in the order received, as MQTT 5 asks
                if qos > 0:
                    client.ack(mid, qos)
        with self.stats.lock:
            st = self.stats
            st.counts["received"] += len(batch)
            st.counts["stored"] += len(messages)
            st.counts.update(counts)
            for r in rejects:
                st.rejected[r["reason"]] += 1
                st.last_rejects.append((r["reason"], r["detail"], r["topic"]))
            st.latencies.extend(stored_at - t for t in sent if t is not None)
            for car in touched.values():
                (st.online.add if car.online else st.online.discard)(car.vin)

    def _apply(self, m: Message, received_at: float, count: Any) -> dict[str, Any] | None:
        """Sequence and state of the car; the row to store, or None for a duplicate."""
        vin = m.topic.vin
        car = self._cars.get(vin)
        if car is None:
            car = self._cars[vin] = _Car(vin, m.topic.workshop)
        car.workshop, car.last_seen = m.topic.workshop, received_at
        kind = m.topic.kind
        if kind == "birth":
            car.tracker.birth(m.seq or 0, m.sent_at)
            car.online, car.birth_at = True, m.sent_at or received_at
            count("births")
        elif kind == "death":
            car.online, car.death_at = False, m.sent_at or received_at
            count("deaths")
        else:
            result = car.tracker.accept(m.seq or 0, m.sent_at)
            if result.verdict is Verdict.DUPLICATE:
                count("duplicates")
                car.count("duplicates")
                return None
            if result.verdict is Verdict.GAP:
                count("gaps")
                count("missing", result.missing)
                car.count("missing", result.missing)
            elif result.verdict is Verdict.LATE:
                count("late")
            elif result.verdict is Verdict.REWIND:
                count("rewinds")
                car.count("rewinds")
            car.online = True
        odo = m.signals.get("odometer_km")
        if isinstance(odo, float):
            car.odometer_obd_km = odo
        gps = m.signals.get("odometer_gps_km")
        if isinstance(gps, float):
            car.odometer_gps_km = gps
        seq = m.seq if m.seq is not None else (car.tracker.last if car.tracker.last is not None else -1)
        return {"vin": vin, "workshop": m.topic.workshop, "seq": seq, "kind": kind, "sent_at": m.sent_at, "received_at": received_at,
                "signals": m.signals}


__all__ = ["BrokerUnavailable", "TelematicsIntake"]
