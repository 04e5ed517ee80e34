"""Property tests: no check raises, whatever the arrays look like."""

import numpy as np
from health_synthetic import drive
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.checks import CHECKS
from analysis.health_score import score_findings
from analysis.signals import EXPECTED_UNITS, SignalSet
from carvrooom_desktop.domain import Finding

NAMES = sorted(set(EXPECTED_UNITS) - {f"misfire_cyl{n}" for n in range(5, 13)})
ODD = st.sampled_from([np.nan, np.inf, -np.inf, 0.0, -1.0, 1e300, -1e300, 5e-324, 14.2, 800.0, 2500.0, 90.0, 0.45])
VALUES = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64), ODD)


@st.composite
def signal_arrays(draw):
    n = draw(st.integers(0, 40))
    kind = draw(st.sampled_from(["random", "constant", "ramp", "mismatched"]))
    if kind == "random":
        t = draw(st.lists(VALUES, min_size=n, max_size=n))
        v = draw(st.lists(VALUES, min_size=n, max_size=n))
    elif kind == "constant":
        t = list(np.arange(n) * draw(st.sampled_from([0.1, 1.0, 0.0, -1.0])))
        v = [draw(VALUES)] * n
    elif kind == "ramp":
        t = list(np.arange(n, dtype=float))
        with np.errstate(all="ignore"):
            v = list(np.linspace(draw(ODD), draw(ODD), n)) if n else []
    else:
        t = list(np.arange(n, dtype=float))
        v = list(np.zeros(draw(st.integers(0, 40))))
    return t, v


@st.composite
def signal_sets(draw):
    names = draw(st.lists(st.sampled_from(NAMES), max_size=12, unique=True))
    data = {name: draw(signal_arrays()) for name in names}
    units = {name: draw(st.sampled_from(["", EXPECTED_UNITS[name], "°F", "parsec", "mph"])) for name in names}
    return SignalSet(data, units)


def run_each_check(signals: SignalSet) -> list[Finding]:
    findings = []
    for check in CHECKS.values():
        out = check(signals)  # called directly: run_all_checks would hide an exception
        assert isinstance(out, list) and all(isinstance(f, Finding) for f in out)
        findings.extend(out)
    return findings


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(signal_sets())
def test_no_check_raises_on_random_arrays(signals):
    findings = run_each_check(signals)
    for f in findings:
        if not f.enough_data:
            assert f.summary.startswith("Not enough data")
    score_findings(findings)


BASE = drive(minutes=8.0, dt=0.5)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shuffle=st.booleans(),
    nan_fraction=st.sampled_from([0.0, 0.1, 0.5, 1.0]),
    duplicate=st.booleans(),
    drop=st.lists(st.sampled_from(NAMES), max_size=6, unique=True),
    constant=st.lists(st.sampled_from(NAMES), max_size=4, unique=True),
    gap=st.sampled_from([None, (0.1, 0.3), (0.4, 0.9), (0.0, 0.5)]),
    bad_unit=st.lists(st.sampled_from(NAMES), max_size=3, unique=True),
    seed=st.integers(0, 10_000),
)
def test_no_check_raises_on_a_corrupted_drive(shuffle, nan_fraction, duplicate, drop, constant, gap, bad_unit, seed):
    rng = np.random.default_rng(seed)
    data = {}
    units = {name: "parsec" for name in bad_unit}
    for name in BASE.names:
        if name in drop:
            continue
        sig = BASE.get(name)
        t, v = sig.t.copy(), sig.values.copy()
        if name in constant:
            v[:] = v[len(v) // 2]
        if nan_fraction:
            v[rng.random(len(v)) < nan_fraction] = np.nan
        if duplicate:
            t[1::7] = t[0::7][: len(t[1::7])]
        if gap is not None:  # the adapter dropped out for a while
            keep = (t < t[0] + gap[0] * np.ptp(t)) | (t > t[0] + gap[1] * np.ptp(t))
            t, v = t[keep], v[keep]
        if shuffle:
            order = rng.permutation(len(t))
            t, v = t[order], v[order]
        data[name] = (t, v)
    signals = SignalSet(data, units)
    findings = run_each_check(signals)
    unusable = set(drop) | set(bad_unit)
    for f in findings:
        assert f.summary
        signals.evidence(f.signal) if f.signal else None  # the evidence plot's lookup never raises either
        if not f.enough_data:
            assert f.summary.startswith("Not enough data: ") and len(f.summary) > len("Not enough data: ") + 5
        if f.enough_data and f.signal in unusable:
            raise AssertionError(f"{f.check} judged from an unusable signal {f.signal}")
