"""A car's telematics unit: birth on connect, data with a sequence number, death on a clean stop (and as
its last will, so the broker announces a car that vanished). Signals go out in VSS names.

Used by ``carvrooom simulate --mqtt`` (the simulated car as a source of telematics) and by tests.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

from carvrooom_desktop.telematics.intake import BrokerUnavailable
from carvrooom_desktop.telematics.topics import broker_address, topic
from carvrooom_desktop.telematics.vss import Value, VssMap, default_map


class TelematicsPublisher:
    def __init__(self, broker: str, workshop: str, vin: str, *, client_id: str | None = None, qos: int = 1,
                 vss: VssMap | None = None) -> None:
        self.host, self.port = broker_address(broker)
        self.workshop, self.vin, self.qos = workshop, vin, qos
        self.client_id = client_id or f"carvrooom-car-{uuid.uuid4().hex[:12]}"
        self.vss = vss or default_map()
        self.seq = 0
        self._lock = threading.Lock()  # one sequence, whichever thread publishes
        self._client: Any = None

    def connect(self, signals: Mapping[str, Value] | None = None) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=mqtt.MQTTv5)
        client.max_queued_messages_set(0)
        client.max_inflight_messages_set(1000)
        client.will_set(topic(self.workshop, self.vin, "death"), json.dumps({"reason": "lost"}), qos=1)
        try:
            client.connect(self.host, self.port, keepalive=30)
        except OSError as e:
            raise BrokerUnavailable(f"cannot reach the MQTT broker at {self.host}:{self.port}: {e}") from e
        client.loop_start()
        self._client = client
        with self._lock:
            self.seq = 0
            self._send("birth", {"seq": 0, "ts": time.time(), "signals": self._vss(signals or {})})

    def _vss(self, signals: Mapping[str, Value]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in signals.items():
            vss_name = self.vss.vss_name(name)
            if vss_name is not None:
                out[vss_name] = value
        return out

    def _send(self, kind: str, doc: dict[str, Any]) -> Any:
        return self._client.publish(topic(self.workshop, self.vin, kind), json.dumps(doc, separators=(",", ":")), qos=self.qos)

    def publish(self, signals: Mapping[str, Value], ts: float | None = None) -> int:
        """Send the project's signals (mapped to VSS names); returns the message's sequence number."""
        with self._lock:
            self.seq += 1
            self._send("data", {"seq": self.seq, "ts": time.time() if ts is None else ts, "signals": self._vss(signals)})
            return self.seq

    def publish_raw(self, payload: bytes | str, kind: str = "data", *, vin: str | None = None) -> None:
        """Send exactly these bytes (tests of bad input)."""
        self._client.publish(topic(self.workshop, vin or self.vin, kind), payload, qos=self.qos)

    def close(self, *, clean: bool = True) -> None:
        """Death (on a clean stop), then disconnect. ``clean=False`` drops the link so the broker sends the will."""
        client, self._client = self._client, None
        if client is None:
            return
        if clean:
            with self._lock:
                info = client.publish(topic(self.workshop, self.vin, "death"), json.dumps({"ts": time.time(), "reason": "stopped"}), qos=1)
            info.wait_for_publish(5.0)
            client.disconnect()
        else:
            client.socket().close()  # the link breaks without DISCONNECT: the broker publishes the last will
        client.loop_stop()

    def __enter__(self) -> TelematicsPublisher:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["TelematicsPublisher"]
