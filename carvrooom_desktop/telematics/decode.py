"""One MQTT message -> a telematics message or the reasons it was refused (pure: no I/O, no clock)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from carvrooom_desktop.telematics.topics import Topic, parse_topic
from carvrooom_desktop.telematics.vss import Value, VssMap, map_signals
from drivers.vin import decode_vin

MAX_PAYLOAD = 64 * 1024


@dataclass(frozen=True, slots=True)
class Reject:
    reason: str  # bad_topic | malformed_json | bad_vin | missing_seq | unknown_vss | bad_unit | bad_value | bad_payload | too_large
    detail: str
    topic: str = ""


@dataclass
class Message:
    topic: Topic
    seq: int | None  # None: a death message (the broker's last will carries none)
    sent_at: float | None
    signals: dict[str, Value]
    problems: list[Reject] = field(default_factory=list)  # signals refused inside an otherwise good message


_vin_cache: dict[str, str] = {}  # VIN -> '' (good) or the reason; a few thousand cars, checked once each


def vin_problem(vin: str) -> str:
    known = _vin_cache.get(vin)
    if known is None:
        info = decode_vin(vin)
        if not info.valid:
            known = "; ".join(info.problems) or "not a VIN"
        elif info.check_digit_ok is False:
            known = "; ".join(p for p in info.problems if "check digit" in p) or "check digit does not match"
        else:
            known = ""
        if len(_vin_cache) < 100_000:
            _vin_cache[vin] = known
    return known


def decode_message(topic_text: str, payload: bytes, vss: VssMap | None = None) -> Message | Reject:
    parsed = parse_topic(topic_text)
    if isinstance(parsed, str):
        return Reject("bad_topic", parsed, topic_text)
    problem = vin_problem(parsed.vin)
    if problem:
        return Reject("bad_vin", f"{parsed.vin}: {problem}", topic_text)
    if len(payload) > MAX_PAYLOAD:
        return Reject("too_large", f"{len(payload)} bytes (at most {MAX_PAYLOAD})", topic_text)
    try:
        doc: Any = json.loads(payload) if payload else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return Reject("malformed_json", str(e)[:200], topic_text)
    if not isinstance(doc, dict):
        return Reject("malformed_json", "the payload must be a JSON object", topic_text)
    seq = doc.get("seq")
    if parsed.kind != "death" and (isinstance(seq, bool) or not isinstance(seq, int) or seq < 0):
        return Reject("missing_seq", f"'seq' must be a whole number >= 0, got {seq!r}", topic_text)
    ts = doc.get("ts")
    sent_at = float(ts) if isinstance(ts, int | float) and not isinstance(ts, bool) and math.isfinite(ts) else None
    mapped = map_signals(doc.get("signals", {}), vss)
    return Message(parsed, seq if isinstance(seq, int) and not isinstance(seq, bool) else None, sent_at, mapped.values,
                   [Reject(reason, detail, topic_text) for reason, detail in mapped.problems])


__all__ = ["MAX_PAYLOAD", "Message", "Reject", "decode_message", "vin_problem"]
