"""Telematics topics and broker addresses: ``carvrooom/v1/{workshop}/{vin}/{kind}``.

``kind`` is ``data`` (signals), ``birth`` (the car came online: its sequence starts again) or
``death`` (it went offline: sent by the car on a clean stop, or by the broker as its last will).
Sparkplug B's birth/death idea, with JSON payloads in VSS names instead of protobuf.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from carvrooom_desktop.errors import InvalidRequest

ROOT = "carvrooom/v1"
KINDS = ("data", "birth", "death")
DEFAULT_PORT = 1883


@dataclass(frozen=True, slots=True)
class Topic:
    workshop: str
    vin: str
    kind: str

    def __str__(self) -> str:
        return f"{ROOT}/{self.workshop}/{self.vin}/{self.kind}"


def topic(workshop: str, vin: str, kind: str = "data") -> str:
    if kind not in KINDS:
        raise InvalidRequest(f"a telematics topic kind is one of {', '.join(KINDS)}, not {kind!r}")
    for part, what in ((workshop, "workshop"), (vin, "VIN")):
        if not part or any(c in part for c in "/+#"):
            raise InvalidRequest(f"the {what} in a topic must be non-empty without '/', '+' or '#': {part!r}")
    return str(Topic(workshop, vin, kind))


def subscription(workshop: str = "+") -> str:
    """Every car's topics of ``workshop`` (``+``: every workshop)."""
    return f"{ROOT}/{workshop}/+/+"


def parse_topic(text: str) -> Topic | str:
    """The topic, or why it is not one of ours."""
    parts = text.split("/")
    if len(parts) != 5 or "/".join(parts[:2]) != ROOT:
        return f"not a {ROOT}/WORKSHOP/VIN/KIND topic"
    _r, _v, workshop, vin, kind = parts
    if kind not in KINDS:
        return f"unknown message kind {kind!r} (expected {', '.join(KINDS)})"
    return Topic(workshop, vin, kind)


def broker_address(url: str) -> tuple[str, int]:
    """``mqtt://host:port`` (or ``host:port``, ``host``) -> (host, port)."""
    parsed = urlsplit(url if "://" in url else f"mqtt://{url}")
    if parsed.scheme not in ("mqtt", "tcp"):
        raise InvalidRequest(f"a broker URL is mqtt://HOST:PORT, not {url!r} (TLS, mqtts://, is not supported yet)")
    try:
        port = parsed.port or DEFAULT_PORT
    except ValueError as e:
        raise InvalidRequest(f"bad port in broker URL {url!r}") from e
    if not parsed.hostname:
        raise InvalidRequest(f"no host in broker URL {url!r}")
    return parsed.hostname, port


__all__ = ["KINDS", "ROOT", "Topic", "broker_address", "parse_topic", "subscription", "topic"]
