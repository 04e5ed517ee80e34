"""The fault run, short: five workstation processes (each its own SQLite) write 20 changes/s through a
loopback proxy while the harness SIGKILLs them mid-push, restarts PostgreSQL, cuts the link, and one
workstation's clock is ten minutes off. Then every store syncs and the checker replays the history.

The full runs (60 s each, several seeds) are ``python -m benchmarks.bench_sync``. Restarting the
local PostgreSQL needs ``pg_ctlcluster`` and the rights to use it; ``CARVROOOM_TEST_PG_RESTART=0``
(or no local cluster) leaves that one fault out, and the test says so.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.sync.harness.run import Faults, _cluster, fault_run

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(240)]


def _can_restart() -> bool:
    return os.environ.get("CARVROOOM_TEST_PG_RESTART", "1") != "0" and shutil.which("pg_ctlcluster") is not None \
        and _cluster() is not None and os.geteuid() == 0


def test_five_workstations_under_faults_have_no_anomaly(restartable_shared_url, tmp_path):
    restarts = 1 if _can_restart() else 0
    # The schema is migrated and empty and empty: the run seeds it and points the workstations at a proxy.
    result = fault_run(restartable_shared_url, tmp_path / "run", workstations=5, rate=20, seconds=20,
                       faults=Faults(kills=3, pg_restarts=restarts, link_cuts=1), seed=1)
    print("\n" + "\n".join(result.log) + "\n" + result.summary())
    if not restarts:
        print("PostgreSQL restart left out (no local cluster to restart here)")
    assert result.report.anomalies == [], result.report.anomalies[:20]
    assert result.kills_mid_push + result.kills_other == 3 and result.link_cuts == 1 and result.pg_restarts == restarts
    assert result.report.counts["changes"] > 5 * 20 * 20 * 0.8  # the workload really ran (20 changes/s each)
    assert result.report.counts["reads"] > 100 and result.report.counts["rejected"] > 0
