"""One interface for remaining-useful-life models: fit, predict an estimate with an interval, save, load.

Models are stored as data, never as pickled code: a JSON file (small models) or an ``.npz``
archive whose arrays are the model's numbers and whose ``__meta__`` entry is a JSON string;
loading uses ``allow_pickle=False``. :func:`load_model` reads either and rebuilds the right
class from the ``kind`` it finds.
"""

from __future__ import annotations

import abc
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

FORMAT_VERSION = 1
_REGISTRY: dict[str, type[RulModel]] = {}


@dataclass(frozen=True, slots=True)
class RulEstimate:
    """Remaining useful life: best estimate and an interval at ``confidence_level`` (e.g. 0.9)."""

    value: float
    lower: float
    upper: float
    unit: str
    confidence_level: float

    def to_dict(self) -> dict[str, Any]:
        def num(x: float) -> float | None:
            return None if not math.isfinite(x) else round(float(x), 4)

        return {"value": num(self.value), "lower": num(self.lower), "upper": num(self.upper), "unit": self.unit,
                "confidence_level": self.confidence_level}

    def describe(self) -> str:
        def fmt(x: float) -> str:
            return "beyond the data" if not math.isfinite(x) else f"{x:,.0f}"

        return f"{fmt(self.value)} {self.unit} ({self.confidence_level:.0%} interval {fmt(self.lower)} to {fmt(self.upper)})"


class RulModel(abc.ABC):
    """A remaining-useful-life model. Subclasses set ``kind`` and are registered by it."""

    kind: ClassVar[str] = ""

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if cls.kind:
            _REGISTRY[cls.kind] = cls

    @abc.abstractmethod
    def fit(self, *args: Any, **kwargs: Any) -> RulModel:
        """Learn from data; returns self."""

    @abc.abstractmethod
    def predict(self, *args: Any, **kwargs: Any) -> RulEstimate:
        """Remaining useful life with its interval."""

    @abc.abstractmethod
    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Everything needed to rebuild the model: JSON-able settings and named arrays."""

    @classmethod
    @abc.abstractmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> RulModel:
        """Rebuild from :meth:`state`."""

    def save(self, path: str | Path) -> Path:
        """Write the model to ``path`` (``.json`` or ``.npz``)."""
        path = Path(path)
        meta, arrays = self.state()
        meta = {"kind": self.kind, "format": FORMAT_VERSION, **meta}
        if path.suffix.lower() == ".json":
            doc = {"meta": meta, "arrays": {k: {"shape": list(np.shape(v)), "data": np.asarray(v, float).ravel().tolist()} for k, v in arrays.items()}}
            path.write_text(json.dumps(doc), encoding="utf-8")
        else:
            with path.open("wb") as f:
                np.savez_compressed(f, __meta__=np.array(json.dumps(meta)), **{k: np.asarray(v) for k, v in arrays.items()})
        return path

    @classmethod
    def load(cls, path: str | Path) -> RulModel:
        model = load_model(path)
        if cls is not RulModel and not isinstance(model, cls):
            raise TypeError(f"{path} holds a {type(model).__name__}, not a {cls.__name__}")
        return model


def load_model(path: str | Path) -> RulModel:
    """Any saved RUL model, by the ``kind`` recorded in the file."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        doc = json.loads(path.read_text(encoding="utf-8"))
        meta = doc["meta"]
        arrays = {k: np.asarray(v["data"], dtype=float).reshape(v["shape"]) for k, v in doc.get("arrays", {}).items()}
    else:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["__meta__"]))
            arrays = {k: z[k] for k in z.files if k != "__meta__"}
    kind = meta.get("kind", "")
    if kind not in _REGISTRY:
        raise ValueError(f"{path}: unknown RUL model kind {kind!r} (known: {', '.join(sorted(_REGISTRY))})")
    if meta.get("format", 0) > FORMAT_VERSION:
        raise ValueError(f"{path}: saved by a newer version (format {meta['format']})")
    return _REGISTRY[kind].from_state(meta, arrays)
