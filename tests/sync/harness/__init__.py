"""Fault-run harness for sync: workstations as processes, a loopback proxy, PostgreSQL restarts, a history checker.

Used by ``tests/sync/test_sync_fault_runs.py`` (a short run) and ``benchmarks/bench_sync.py`` (the full runs).
"""
