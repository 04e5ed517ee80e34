"""Evaluation of the RUL models on public run-to-failure data (the numbers the benchmarks print).

C-MAPSS, standard protocol: train on ``train_FD00x`` only, predict each test engine's RUL at
its last cycle, RMSE and the PHM08 score against ``RUL_FD00x.txt`` (truth as given; the RMSE
against truth capped at 125 is returned too). Hyper-parameters are chosen with
:func:`cross_validate_cmapss` on the training engines only (GroupKFold by engine, held-out
engines truncated at random points as test engines are, scored against capped truth).

Batteries: for each cell the trend model sees the capacity of the first 50 % of its life and
extrapolates to end of life (NASA 1.4 Ah, CALCE 0.77 Ah). Two variants: the trend model as
specified (linear vs exponential by BIC on all the history seen; nothing learned from other
cells), and leave one cell out (fitting window and form chosen on the other cells, each
scored from its own 50 % point). A cell that never reaches the threshold (NASA B0007) is
censored: its life is taken as its last cycle for reporting (as Chen et al. 2022 do) and in
selection only a prediction earlier than that counts as an error. Relative error as in Chen
et al. 2022 (IEEE Access 10:19621): RE = |EOL_pred - EOL_true| / EOL_true, capped at 1.
The leave-one-battery-out figure is :func:`battery_similarity` (FadeSimilarityModel: the
held-out cell's first half matched to the other cells' whole curves); its settings were fixed
before it was run on these cells, not tuned on them.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from pathlib import Path
from typing import Any, cast

import numpy as np

from analysis.datasets.batteries import CapacityFade, read_calce, read_nasa
from analysis.datasets.cmapss import EngineHistory, load_subset, phm08_score, rmse
from analysis.rul.base import RulEstimate
from analysis.rul.fade_similarity import FadeSimilarityModel
from analysis.rul.sensor_model import SensorRulModel
from analysis.rul.trend import DegradationTrendModel

CAP = 125.0
WINDOWS = (1.0, 0.5, 1.0 / 3.0, 0.25)  # fraction of the history seen that the trend is fitted to
FORMS = (("linear",), ("exponential",), ("linear", "exponential"))


def evaluate_cmapss(subset: str, root: Path, **model_kw: Any) -> dict[str, Any]:
    train, test, truth = load_subset(root, subset)
    if test is None:
        raise FileNotFoundError(f"{subset}: test files are not in {root}")
    truth = cast(np.ndarray, truth)  # shipped with the test files
    started, cpu = time.perf_counter(), _cpu_seconds()
    model = SensorRulModel(cap=CAP, **model_kw).fit(train)
    train_s, train_cpu_s = time.perf_counter() - started, _cpu_seconds() - cpu
    pred = model.predict_values(test)
    inside = [model.predict(e) for e in test]
    covered = np.mean([(e.lower <= min(t, CAP) <= e.upper) for e, t in zip(inside, truth, strict=True)])
    return {
        "subset": subset, "engines": len(test), "rmse": rmse(pred, truth), "rmse_capped": rmse(pred, np.minimum(truth, CAP)),
        "score": phm08_score(pred, truth), "train_s": train_s, "train_cpu_s": train_cpu_s, "interval_coverage": float(covered),
        "regimes": model.normaliser.n_regimes, "sensors": [int(s) + 1 for s in model.sensors],
    }


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the nets train in worker processes).

    ``os.times()`` rather than ``resource`` (POSIX-only); on Windows it reports children as 0,
    so there the figure is this process's CPU time only.
    """
    times = os.times()
    return time.process_time() + times.children_user + times.children_system


def cross_validate_cmapss(subset: str, root: Path, folds: int = 5, cuts: int = 5, seed: int = 0, **model_kw: Any) -> dict[str, Any]:
    """GroupKFold by engine on the training file only; held-out engines truncated at random points."""
    train, _, _ = load_subset(root, subset)
    rng = np.random.default_rng(seed)
    groups = np.array_split(rng.permutation(len(train)), folds)
    errors = []
    for held in groups:
        held_set = set(held.tolist())
        fit_on = [e for i, e in enumerate(train) if i not in held_set]
        model = SensorRulModel(cap=CAP, **model_kw).fit(fit_on)
        cut_units: list[EngineHistory] = []
        truth = []
        for i in held:
            e = train[i]
            for n in rng.integers(min(31, len(e)), len(e) + 1, size=cuts):
                cut_units.append(e.truncated(int(n)))
                truth.append(min(len(e) - int(n), CAP))
        errors.append(model.predict_values(cut_units) - np.asarray(truth))
    e = np.concatenate(errors)
    return {"subset": subset, "cv_rmse": float(np.sqrt(np.mean(e * e))), "cv_score_per_engine": phm08_score(e, 0.0 * e) / len(e)}


def published_table(root: Path) -> list[str]:
    path = root / "PUBLISHED_RESULTS.txt"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Method (paper)")), None)
    end = next((i for i, line in enumerate(lines) if line.startswith("Sources")), len(lines))
    return [] if start is None else [line for line in lines[start:end] if line.strip()]


def life_of(cell: CapacityFade, threshold: float) -> tuple[float, bool]:
    eol = cell.end_of_life(threshold)
    return (eol, False) if eol is not None else (float(cell.cycles[-1]), True)


def predict_eol(cell: CapacityFade, threshold: float, window: float,
                forms: tuple[str, ...]) -> tuple[float, float, RulEstimate, str | None]:
    """(predicted EOL cycle, last cycle seen, RulEstimate, fitted form) from the first 50 % of life."""
    life, _ = life_of(cell, threshold)
    seen = cell.cycles <= life / 2.0
    span = float(cell.cycles[seen][-1] - cell.cycles[seen][0])
    model = DegradationTrendModel(threshold, unit="cycles", forms=forms, window=None if window >= 1.0 else window * span)
    model.fit(cell.cycles[seen], cell.capacity_ah[seen])
    estimate = model.predict()
    last = float(cell.cycles[seen][-1])
    return last + estimate.value, last, estimate, model.form


def loss(pred: float, life: float, censored: bool) -> float:
    if censored:
        return max(0.0, life - pred) / life
    return min(1.0, abs(pred - life) / life)


def _row(held: CapacityFade, threshold: float, window: float, forms: tuple[str, ...]) -> dict[str, Any]:
    life, censored = life_of(held, threshold)
    pred, last, est, form = predict_eol(held, threshold, window, forms)
    re = min(1.0, abs(pred - life) / life) if math.isfinite(pred) else 1.0
    re_rul = abs(pred - life) / max(life - last, 1.0) if math.isfinite(pred) else math.inf
    return {"cell": held.cell, "life": life, "censored": censored, "seen": last, "pred": pred,
            "lower": last + est.lower, "upper": last + est.upper, "re": re, "re_rul": re_rul,
            "window": "all" if window >= 1.0 else f"last {window:.0%}", "form": form if len(forms) == 1 else f"{form} (BIC)"}


def battery_trend(cells: list[CapacityFade], threshold: float) -> list[dict[str, Any]]:
    """The trend model as specified: linear vs exponential by BIC on all the history seen.

    Nothing is learned from other cells, so leave-one-out holds trivially."""
    return [_row(held, threshold, 1.0, FORMS[-1]) for held in cells]


def battery_leave_one_out(cells: list[CapacityFade], threshold: float) -> list[dict[str, Any]]:
    """Window and form chosen on the other cells, then applied to the held-out one."""
    rows = []
    for held in cells:
        others = [c for c in cells if c.cell != held.cell]
        best = None
        for window, forms in itertools.product(WINDOWS, FORMS):
            errs = []
            for c in others:
                life, censored = life_of(c, threshold)
                pred, _, _, _ = predict_eol(c, threshold, window, forms)
                errs.append(loss(pred, life, censored) if math.isfinite(pred) else 1.0)
            score = float(np.mean(errs))
            if best is None or score < best[0] - 1e-12:
                best = (score, window, forms)
        best = cast(tuple[float, float, tuple[str, ...]], best)  # WINDOWS x FORMS is never empty
        rows.append(_row(held, threshold, best[1], best[2]))
    return rows


def battery_similarity(cells: list[CapacityFade], threshold: float) -> list[dict[str, Any]]:
    """Leave one cell out: the held-out cell's first 50 % matched to the other cells' whole fade curves."""
    rows = []
    for held in cells:
        others = [(c.cycles, c.capacity_ah) for c in cells if c.cell != held.cell]
        model = FadeSimilarityModel(threshold).fit(others)
        life, censored = life_of(held, threshold)
        seen = held.cycles <= life / 2.0
        est = model.predict(held.cycles[seen], held.capacity_ah[seen])
        last = float(held.cycles[seen][-1])
        pred = last + est.value
        re = min(1.0, abs(pred - life) / life) if math.isfinite(pred) else 1.0
        re_rul = abs(pred - life) / max(life - last, 1.0) if math.isfinite(pred) else math.inf
        fits = ", ".join(f"x{f['stretch']:.2f}" for f in model.last_fit)
        rows.append({"cell": held.cell, "life": life, "censored": censored, "seen": last, "pred": pred,
                     "lower": last + est.lower, "upper": last + est.upper, "re": re, "re_rul": re_rul,
                     "window": f"{len(others)} other cells", "form": f"time stretch {fits}"})
    return rows


CHEN_2022 = {"nasa": "Chen et al. 2022 Transformer: RE 0.179", "calce": "Chen et al. 2022: RE 0.049 (5-seed mean)"}


def battery_evaluation(datasets: Path, calce: bool = False) -> list[tuple[str, list[dict[str, Any]], str]]:
    """(title, rows, published reference) for NASA (and CALCE): plain trend, then leave one cell out."""
    sets = [("NASA Li-ion (EOL 1.4 Ah)", read_nasa(datasets / "nasa_battery"), 1.4, CHEN_2022["nasa"])]
    if calce:
        sets.append(("CALCE CS2 (EOL 0.77 Ah)", read_calce(datasets / "calce_battery"), 0.77, CHEN_2022["calce"]))
    out = []
    for title, cells, threshold, reference in sets:
        out.append((f"{title}: fade similarity to the other cells, leave one cell out, from the first 50 % of life",
                    battery_similarity(cells, threshold), reference))
        out.append((f"{title}: trend model (linear vs exponential by BIC) from the first 50 % of life", battery_trend(cells, threshold), reference))
        out.append((f"{title}: fitting window and form selected leave-one-cell-out", battery_leave_one_out(cells, threshold), reference))
    return out
