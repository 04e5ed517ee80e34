"""Misfire counts from mode 06 (the ECU's per-cylinder counters), as the scan report holds them."""

from hypothesis import given
from hypothesis import strategies as st

from analysis.checks.misfire_mode06 import check_misfire_mode06
from carvrooom_desktop.domain import OnBoardTest, Severity
from carvrooom_desktop.health import run_health, simulate_signals


def counts(values, tid=0x0C, maximum=0xFFFF):
    return [OnBoardTest(0xA1 + n, tid, f"Misfire cylinder {n}", "misfire counts", float(v), 0.0, float(maximum), "counts")
            for n, v in enumerate(values, start=1)]


def test_one_cylinder_with_most_misfires_is_named():
    (f,) = check_misfire_mode06(counts([2, 0, 640, 1]))
    assert f.severity == Severity.WARNING and "cylinder 3" in f.summary and f.measured == 640 and f.threshold_source
    (f,) = check_misfire_mode06(counts([2, 0, 80, 1]))
    assert f.severity == Severity.WATCH
    (f,) = check_misfire_mode06(counts([60, 55, 70, 65]))  # spread over all cylinders: not one bad cylinder
    assert f.severity == Severity.OK


def test_ecu_limit_when_given_and_both_periods():
    tests = counts([0, 30, 0, 0], maximum=20) + counts([0, 3, 0, 0], tid=0x0B)
    this_cycle, last_ten = check_misfire_mode06(tests)
    assert this_cycle.severity == Severity.WARNING and this_cycle.threshold == 20 and "ECU" in this_cycle.threshold_source
    assert last_ten.severity == Severity.OK and "last 10" in last_ten.check


def test_no_mode06_no_finding_and_junk_is_ignored():
    assert check_misfire_mode06(None) == [] and check_misfire_mode06([]) == []
    junk = [object(), OnBoardTest(0x21, 0x82, "Catalyst", "storage", 0.5, 0.2, 1.5)]
    assert check_misfire_mode06(junk) == []


def test_run_health_adds_the_mode06_finding_to_the_ignition_score():
    result = run_health(simulate_signals((), minutes=3.0), "sim", tests=counts([0, 0, 900, 0]))
    f = next(f for f in result.findings if f.check.startswith("misfire counts (mode 06)"))
    assert f.severity == Severity.WARNING
    assert result.report.system("ignition").worst == Severity.WARNING


@given(st.lists(st.tuples(st.integers(0, 0xFF), st.integers(0, 0xFF), st.floats(), st.floats()), max_size=20))
def test_random_mode06_records_never_raise(records):
    tests = [OnBoardTest(mid, tid, "", "", value, 0.0, maximum) for mid, tid, value, maximum in records]
    for f in check_misfire_mode06(tests):
        assert f.measured is not None and f.measured >= 0 and f.summary
