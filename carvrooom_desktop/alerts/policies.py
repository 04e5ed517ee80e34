"""Escalation policies as data (``resources/alerts/policies.json``, format ``carvrooom-escalation-policies/1``).

The semantics are PagerDuty's and Opsgenie's, in the workshop's words:

- a policy is a list of **levels**; a level **notifies** one or more roles by its channels, then
  **waits** ``wait_minutes``; if nobody acknowledged, it notifies the same roles again, ``repeat``
  more times (Opsgenie's "repeat with interval and count"); then it **escalates** to the next level;
- after the last level the whole policy runs again ``loops`` more times (PagerDuty's "repeat this
  policy N times"), then stops: the alert stays open in the centre;
- everything stops when the alert is **acknowledged** (``stop_when: "acknowledged"``, the default), or
  only when it is **resolved** (``"resolved"``, Opsgenie's "if not closed");
- the steps are planned when the alert is raised (``plan_steps``) and stored in the outbox, so an
  edited policy leaves running alerts alone (GitLab's rule) and a restart loses nothing.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from carvrooom_desktop.errors import InvalidRequest

FORMAT: Final = "carvrooom-escalation-policies/1"
CHANNELS: Final = ("in_app", "desktop", "email")
STOP_WHEN: Final = ("acknowledged", "resolved")
MAX_STEPS: Final = 500  # a policy that plans more notifications than this for one alert is a typo


@dataclass(frozen=True, slots=True)
class EscalationLevel:
    notify: tuple[str, ...]  # roles
    channels: tuple[str, ...] = ("in_app", "desktop", "email")
    wait_minutes: float = 10.0
    repeat: int = 0

    def to_dict(self) -> dict[str, Any]:
        wait = int(self.wait_minutes) if float(self.wait_minutes).is_integer() else self.wait_minutes
        return {"notify": list(self.notify), "channels": list(self.channels), "wait_minutes": wait,
                "repeat": self.repeat}


@dataclass(frozen=True, slots=True)
class EscalationPolicy:
    id: str
    levels: tuple[EscalationLevel, ...]
    name: str = ""
    loops: int = 0
    stop_when: str = "acknowledged"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "stop_when": self.stop_when, "loops": self.loops,
                "levels": [lv.to_dict() for lv in self.levels]}


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """One notification: level ``level``'s ``round``-th notice to ``role`` by ``channel`` at ``due_at``."""

    idempotency_key: str
    alert_id: uuid.UUID
    level: int
    round: int
    role: str
    channel: str
    due_at: float  # epoch seconds
    stop_on: str = "acknowledged"  # the alert state that cancels it (the policy's stop_when)


def plan_steps(policy: EscalationPolicy, alert_id: uuid.UUID, raised_at: float) -> list[PlannedStep]:
    """Every notification the policy will send if nobody acknowledges, in time order.

    The idempotency key (alert / level / round / role / channel) is what makes a step unique in
    the outbox: planning twice (a retried raise, a restart mid-raise) inserts nothing new.
    """
    out: list[PlannedStep] = []
    t = raised_at
    for loop in range(policy.loops + 1):
        for i, level in enumerate(policy.levels):
            for r in range(level.repeat + 1):
                rnd = loop * (level.repeat + 1) + r
                for role in level.notify:
                    for channel in level.channels:
                        key = f"{alert_id}/{i}/{rnd}/{role}/{channel}"
                        out.append(PlannedStep(key, alert_id, i, rnd, role, channel, t, policy.stop_when))
                t += level.wait_minutes * 60.0
    return out


@dataclass(frozen=True, slots=True)
class PolicySet:
    policies: tuple[EscalationPolicy, ...]

    def get(self, policy_id: str) -> EscalationPolicy | None:
        return next((p for p in self.policies if p.id == policy_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "policies": [p.to_dict() for p in self.policies]}


def default_policies_path() -> Path:
    from resources import resource_path

    return resource_path("alerts", "policies.json")


def load_policies(path: Path | None = None) -> PolicySet:
    path = path or default_policies_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InvalidRequest(f"cannot read the escalation policies {path}: {e}") from e
    return parse_policies(raw, where=str(path))


def parse_policies(raw: Any, *, where: str = "escalation policies") -> PolicySet:
    """Check a policies document; every bad entry is named in one InvalidRequest."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise InvalidRequest(f"{where}: not an escalation policies file (format must be {FORMAT!r})")
    items = raw.get("policies")
    if not isinstance(items, list):
        raise InvalidRequest(f"{where}: 'policies' must be a list")
    problems: list[str] = []
    out: list[EscalationPolicy] = []
    for n, item in enumerate(items, 1):
        policy = _policy(item, f"{where}: policy {n}", problems)
        if policy is not None:
            if any(p.id == policy.id for p in out):
                problems.append(f"{where}: policy {n}: id {policy.id!r} used twice")
            out.append(policy)
    if problems:
        raise InvalidRequest("; ".join(problems))
    return PolicySet(tuple(out))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _policy(item: Any, at: str, problems: list[str]) -> EscalationPolicy | None:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
        problems.append(f"{at}: needs an 'id' (non-empty string)")
        return None
    at = f"{at} ({item['id']})"
    unknown = set(item) - {"id", "name", "levels", "loops", "stop_when"}
    if unknown:
        problems.append(f"{at}: unknown field(s) {', '.join(sorted(unknown))}")
    stop_when = item.get("stop_when", "acknowledged")
    if stop_when not in STOP_WHEN:
        problems.append(f"{at}: stop_when must be one of {', '.join(STOP_WHEN)}")
    loops = item.get("loops", 0)
    if not isinstance(loops, int) or isinstance(loops, bool) or not 0 <= loops <= 20:
        problems.append(f"{at}: loops must be a whole number 0..20")
        loops = 0
    raw_levels = item.get("levels")
    if not isinstance(raw_levels, list) or not raw_levels:
        problems.append(f"{at}: 'levels' must be a non-empty list")
        return None
    levels = []
    for k, lv in enumerate(raw_levels, 1):
        where = f"{at} level {k}"
        if not isinstance(lv, dict):
            problems.append(f"{where}: not an object")
            continue
        extra = set(lv) - {"notify", "channels", "wait_minutes", "repeat"}
        notify, channels = lv.get("notify"), lv.get("channels", list(CHANNELS))
        wait, repeat = lv.get("wait_minutes", 10), lv.get("repeat", 0)
        if extra:
            problems.append(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
        if not isinstance(notify, list) or not notify or not all(isinstance(r, str) and r for r in notify):
            problems.append(f"{where}: 'notify' must list one or more roles")
            continue
        if not isinstance(channels, list) or not channels or any(c not in CHANNELS for c in channels):
            problems.append(f"{where}: channels must be some of {', '.join(CHANNELS)}")
            continue
        if not _number(wait) or not 0 < wait <= 24 * 60:
            problems.append(f"{where}: wait_minutes must be a number in (0, 1440]")
            continue
        if not isinstance(repeat, int) or isinstance(repeat, bool) or not 0 <= repeat <= 50:
            problems.append(f"{where}: repeat must be a whole number 0..50")
            continue
        levels.append(EscalationLevel(tuple(notify), tuple(channels), float(wait), repeat))
    if len(levels) != len(raw_levels):
        return None
    policy = EscalationPolicy(item["id"], tuple(levels), str(item.get("name", "")), loops, str(stop_when))
    if len(plan_steps(policy, uuid.UUID(int=0), 0.0)) > MAX_STEPS:
        problems.append(f"{at}: plans more than {MAX_STEPS} notifications for one alert")
    return policy


__all__ = ["CHANNELS", "FORMAT", "EscalationLevel", "EscalationPolicy", "PlannedStep", "PolicySet", "load_policies",
           "parse_policies", "plan_steps"]
