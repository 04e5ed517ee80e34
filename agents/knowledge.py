"""The offline expert's knowledge: resources/knowledge/*.json, loaded once and checked.

Data, not code: causes with the codes and findings that point to them, the worker areas
and how to route to them, the scheduler's vocabulary and the advice a diagnosis must
never give.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import resources

if TYPE_CHECKING:
    from agents.schema import Urgency

KNOWLEDGE_DIR = Path(resources.__file__).resolve().parent / "knowledge"
CYLINDERS = range(1, 9)
AREAS = ("engine", "brakes_chassis", "transmission", "electrical")


class KnowledgeError(ValueError):
    """A knowledge file is missing or malformed (names the file and the field)."""


@dataclass(frozen=True)
class FindingRule:
    system: str
    check: re.Pattern[str]
    weight: float


@dataclass(frozen=True)
class CauseKnowledge:
    id: str
    title: str
    system: str
    area: str
    explanation: str
    dtcs: dict[str, float]  # exact code or prefix -> prior
    findings: tuple[FindingRule, ...]
    contradicted_by: tuple[FindingRule, ...]
    mode06: tuple[tuple[re.Pattern[str], float], ...]  # failed on-board tests (monitor regex) that support it
    tests: tuple[dict[str, str], ...]
    urgency: Urgency  # the JSON's words, one of schema.URGENCY_ORDER
    urgency_if_critical: Urgency
    urgency_reason: str
    job: dict[str, Any]

    def dtc_prior(self, code: str) -> float | None:
        """Exact code first, else the longest matching prefix (``U00`` covers U0001..U0099)."""
        code = code.upper()
        if code in self.dtcs:
            return self.dtcs[code]
        prefixes = [p for p in self.dtcs if len(p) < 5 and code.startswith(p)]
        return self.dtcs[max(prefixes, key=len)] if prefixes else None


@dataclass(frozen=True)
class Knowledge:
    causes: tuple[CauseKnowledge, ...]
    areas: dict[str, dict[str, Any]]
    letter_fallback: dict[str, str]
    vocabulary: dict[str, Any]
    forbidden_advice: tuple[re.Pattern[str], ...]

    def cause(self, cause_id: str) -> CauseKnowledge | None:
        return next((c for c in self.causes if c.id == cause_id), None)


def _read(name: str, folder: Path) -> dict[str, Any]:
    path = folder / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise KnowledgeError(f"knowledge file {path} cannot be read: {e}") from e
    if not isinstance(data, dict):
        raise KnowledgeError(f"knowledge file {path}: top level must be an object")
    return data


def _rules(raw: list[dict[str, Any]], n: int | None, where: str) -> tuple[FindingRule, ...]:
    rules = []
    for item in raw:
        try:
            check = item["check"].replace("{n}", str(n)) if n is not None else item["check"]
            rules.append(FindingRule(item["system"].lower(), re.compile(check, re.IGNORECASE), float(item["weight"])))
        except (KeyError, TypeError, re.error) as e:
            raise KnowledgeError(f"causes.json {where}: bad finding rule {item!r} ({e})") from e
    return tuple(rules)


def _expand(key: str, raw: dict[str, Any]) -> list[CauseKnowledge]:
    """One entry, or one per cylinder when ``per_cylinder`` ('{n}' in key, codes and text)."""
    numbers: list[int | None] = list(CYLINDERS) if raw.get("per_cylinder") else [None]
    out = []
    for n in numbers:
        def sub(text: str, n: int | None = n) -> str:
            return text.replace("{n}", str(n)) if n is not None else text

        try:
            area = raw["area"]
            if area not in AREAS:
                raise KnowledgeError(f"causes.json {key}: area {area!r} is not one of {AREAS}")
            out.append(CauseKnowledge(
                id=sub(key), title=sub(raw["title"]), system=raw["system"], area=area,
                explanation=sub(raw.get("explanation", "")),
                dtcs={sub(code).upper(): float(p) for code, p in raw.get("dtcs", {}).items()},
                findings=_rules(raw.get("findings", []), n, key),
                contradicted_by=_rules(raw.get("contradicted_by", []), n, key),
                mode06=tuple((re.compile(sub(r["monitor"]), re.IGNORECASE), float(r["weight"])) for r in raw.get("mode06", [])),
                tests=tuple({k: sub(str(v)) for k, v in t.items()} for t in raw.get("tests", [])),
                urgency=raw["urgency"], urgency_if_critical=raw.get("urgency_if_critical", raw["urgency"]),
                urgency_reason=raw.get("urgency_reason", ""),
                job={k: sub(v) if isinstance(v, str) else [sub(p) for p in v] if isinstance(v, list) else v
                     for k, v in raw["job"].items()},
            ))
        except KeyError as e:
            raise KnowledgeError(f"causes.json {key}: missing field {e}") from e
        except re.error as e:
            raise KnowledgeError(f"causes.json {key}: bad mode06 monitor pattern ({e})") from e
    return out


def load_knowledge(folder: Path = KNOWLEDGE_DIR) -> Knowledge:
    causes_raw = _read("causes.json", folder).get("causes", {})
    areas = _read("areas.json", folder)
    vocabulary = _read("vocabulary.json", folder)
    safety = _read("safety.json", folder)
    causes = tuple(c for key, raw in causes_raw.items() for c in _expand(key, raw))
    try:
        forbidden = tuple(re.compile(p, re.IGNORECASE) for p in safety.get("forbidden_advice", []))
    except re.error as e:
        raise KnowledgeError(f"safety.json: bad pattern ({e})") from e
    return Knowledge(causes, areas["areas"], areas.get("letter_fallback", {}), vocabulary, forbidden)


@lru_cache(maxsize=1)
def default_knowledge() -> Knowledge:
    return load_knowledge()
