"""One interface for remaining-useful-life models: fit, predict an estimate with an interval, save, load.

Models are stored as data, never as pickled code: a JSON file (small models) or an ``.npz``
archive whose arrays are the model's numbers and whose ``__meta__`` entry is a JSON string;
loading uses ``allow_pickle=False``. :func:`load_model` reads either and rebuilds the right
class from the ``kind`` it finds.
"""

from __future__ import annotations

import abc
import importlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

FORMAT_VERSION = 1
_REGISTRY: dict[str, type[RulModel]] = {}
# Where each kind lives, so loading works without the caller importing the class first.
_MODULES = {"degradation_trend": "analysis.rul.trend", "sensor_ensemble": "analysis.rul.sensor_model",
            "fade_similarity": "analysis.rul.fade_similarity"}


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
        level = f"{self.confidence_level:.0%} interval"
        if not math.isfinite(self.value):
            low = f"at least {self.lower:,.0f} {self.unit}" if math.isfinite(self.lower) else "no end in sight"
            return f"no trend toward the limit within the data ({level}: {low})"
        upper = f"{self.upper:,.0f}" if math.isfinite(self.upper) else "beyond the data"
        return f"{self.value:,.0f} {self.unit} ({level} {self.lower:,.0f} to {upper})"


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

    def to_dict(self) -> dict[str, Any]:
        """The model as plain JSON-able data (what a database row or a ``.json`` file holds)."""
        meta, arrays = self.state()
        meta = {"kind": self.kind, "format": FORMAT_VERSION, **meta}
        return {"meta": meta, "arrays": {k: {"shape": list(np.shape(v)), "data": np.asarray(v, float).ravel().tolist()} for k, v in arrays.items()}}

    def save(self, path: str | Path) -> Path:
        """Write the model to ``path`` (``.json`` or ``.npz``)."""
        path = Path(path)
        meta, arrays = self.state()
        meta = {"kind": self.kind, "format": FORMAT_VERSION, **meta}
        if path.suffix.lower() == ".json":
            path.write_text(json.dumps(self.to_dict()), encoding="utf-8")
        else:
            with path.open("wb") as f:
                np.savez_compressed(f, __meta__=np.array(json.dumps(meta)), **{k: np.asarray(v) for k, v in arrays.items()})  # type: ignore[arg-type]  # numpy's stub: a key could be allow_pickle
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
        return model_from_dict(json.loads(path.read_text(encoding="utf-8")), str(path))
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["__meta__"]))
        arrays = {k: z[k] for k in z.files if k != "__meta__"}
    return _rebuild(meta, arrays, str(path))


def model_from_dict(doc: Any, where: str = "model") -> RulModel:
    """Rebuild a model from :meth:`RulModel.to_dict`; a clear ValueError for anything malformed."""
    try:
        meta = dict(doc["meta"])
        arrays = {str(k): np.asarray(v["data"], dtype=float).reshape(v["shape"]) for k, v in dict(doc.get("arrays", {})).items()}
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise ValueError(f"{where}: not a saved RUL model ({type(e).__name__}: {e})") from e
    return _rebuild(meta, arrays, where)


def _rebuild(meta: dict[str, Any], arrays: dict[str, np.ndarray], where: str) -> RulModel:
    kind = meta.get("kind", "")
    if kind not in _REGISTRY and kind in _MODULES:
        importlib.import_module(_MODULES[kind])
    if kind not in _REGISTRY:
        raise ValueError(f"{where}: unknown RUL model kind {kind!r} (known: {', '.join(sorted(_REGISTRY))})")
    if meta.get("format", 0) > FORMAT_VERSION:
        raise ValueError(f"{where}: saved by a newer version (format {meta['format']})")
    try:
        return _REGISTRY[kind].from_state(meta, arrays)
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise ValueError(f"{where}: damaged {kind} model ({type(e).__name__}: {e})") from e
