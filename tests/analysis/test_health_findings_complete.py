"""Every verdict carries its proof: measured value, limit, the limit's source, confidence, time range."""

import pytest

from analysis.checks import CHECKS, run_all_checks
from carvrooom_desktop.domain import Severity
from carvrooom_desktop.health import simulate_signals


@pytest.mark.parametrize("faults", [(), ("weak_battery",), ("degraded_catalyst",), ("coolant_sensor_fault",)])
def test_judged_findings_carry_their_proof(faults):
    findings = run_all_checks(simulate_signals(faults, minutes=12.0))
    assert {f.system for f in findings} == {str(s) for s in CHECKS}
    for f in findings:
        assert 0.0 <= f.confidence <= 1.0 and f.summary
        if f.enough_data:
            assert f.measured is not None and f.threshold is not None and f.threshold_source, f
            assert f.time_range is not None and f.time_range[0] <= f.time_range[1], f
            assert f.signal, f
        else:
            assert f.severity == Severity.OK and f.summary.startswith("Not enough data: ")
