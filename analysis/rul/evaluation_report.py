"""The RUL evaluation as text tables, for the benchmarks and the command line."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

MODEL_NAME = "This work (regime norm + windows + MLPs)"


def cmapss_table(results: list[dict[str, Any]], published: list[str]) -> str:
    out = [
        "",
        "C-MAPSS, standard protocol (train on train_FD00x only, predict at each test engine's last cycle, training target capped at 125)",
        f"{'subset':<7}{'engines':>8}{'RMSE':>8}{'RMSE*':>8}{'PHM08 score':>13}{'train s':>9}{'CPU s':>7}{'90% PI cover':>14}  regimes, sensors used",
    ]
    for r in results:
        out.append(f"{r['subset']:<7}{r['engines']:>8}{r['rmse']:>8.2f}{r['rmse_capped']:>8.2f}{r['score']:>13.1f}{r['train_s']:>9.1f}"
                   f"{r.get('train_cpu_s', float('nan')):>7.1f}{r['interval_coverage']:>14.0%}  {r['regimes']}, {r['sensors']}")
    out.append("RMSE and score: truth as given (uncapped). RMSE*: truth capped at 125, as some papers report.")
    out.append("train s: wall-clock training time on this machine (shared, see the load average); CPU s: process CPU time (all threads).")
    out.append("90% PI cover: share of test engines whose capped true RUL lies in the model's 90 % interval.")
    if published:
        ours = {r["subset"]: f"{r['rmse']:.2f}/{r['score']:.0f}" for r in results}
        out.append("")
        out.append("Published results (RMSE/score, from PUBLISHED_RESULTS.txt), this model first:")
        out.append(f"{MODEL_NAME[:40]:<40}{ours.get('FD001', '-'):<15}{ours.get('FD002', '-'):<17}{'-':<15}{'-':<16}this run")
        out.extend(published)
    return "\n".join(out)


def battery_table(title: str, rows: list[dict[str, Any]], reference: str) -> str:
    out = ["", title,
           f"{'cell':<8}{'EOL true':>9}{'seen':>6}{'EOL pred':>10}{'90% interval':>18}{'RE':>7}{'RE(RUL)':>9}  window, form"]
    for r in rows:
        true = f"{r['life']:.0f}{'+' if r['censored'] else ''}"
        upper = f"{r['upper']:.0f}" if math.isfinite(r["upper"]) else "inf"
        lower = f"{r['lower']:.0f}" if math.isfinite(r["lower"]) else "inf"
        pred = f"{r['pred']:.1f}" if math.isfinite(r["pred"]) else "inf"
        out.append(f"{r['cell']:<8}{true:>9}{r['seen']:>6.0f}{pred:>10}{lower + '-' + upper:>18}{r['re']:>7.3f}{r['re_rul']:>9.3f}  "
                   f"{r['window']}, {r['form']}")
    uncensored = [r["re"] for r in rows if not r["censored"]]
    out.append(f"mean RE, all cells (censored life = last cycle, as Chen et al.): {np.mean([r['re'] for r in rows]):.3f}; "
               f"cells that reached end of life only: {np.mean(uncensored) if uncensored else float('nan'):.3f}   ({reference})")
    out.append("RE = |EOL_pred - EOL_true| / EOL_true (capped at 1); RE(RUL) = the same error / remaining life at the prediction point; "
               "'+' = censored (never reached the threshold).")
    return "\n".join(out)
