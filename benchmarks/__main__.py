"""Run every benchmark: `python -m benchmarks` (or `make bench`)."""

from benchmarks import (
    bench_alerts,
    bench_decode,
    bench_elm_polling,
    bench_fallback,
    bench_fleet,
    bench_import,
    bench_live_path,
    bench_people,
    bench_plot,
    bench_recording,
    bench_recording_memory,
    bench_schedule,
    bench_startup,
    bench_uds,
    bench_warranty,
    bench_warranty_pack,
    health_sim_eval,
    rul_battery,
)

if __name__ == "__main__":
    bench_recording.main()
    bench_startup.main()
    bench_elm_polling.main()
    bench_live_path.main(seconds=2.0, repeats=1)  # quick variant; full: python -m benchmarks.bench_live_path
    bench_recording_memory.main(minutes=5.0, repeats=1)  # quick variant; full hour: python -m benchmarks.bench_recording_memory
    health_sim_eval.main(["--minutes", "12"])  # quick variant (the thermostat verdict needs 10 min running); full: --seeds 0 1 2 3
    rul_battery.main([])  # C-MAPSS takes minutes: python -m benchmarks.rul_evaluate
    bench_decode.main(n=50_000, cantools_n=10_000, repeats=3)  # quick variant; full: python -m benchmarks.bench_decode
    bench_import.main(n=50_000, repeats=3)  # quick variant; full: python -m benchmarks.bench_import
    bench_fallback.main(repeats=1)  # quick variant; full: python -m benchmarks.bench_fallback --repeats 5 --baseline
    bench_plot.main(frames=10, repeats=1)  # quick variant; full: python -m benchmarks.bench_plot
    bench_schedule.main(["--quick"])  # full: python -m benchmarks.bench_schedule; Brandimarte: --brandimarte --time-limit 60
    bench_warranty.main(["--quick"])  # full: python -m benchmarks.bench_warranty (20,000 labelled, import 100,000)
    bench_warranty_pack.main(["--quick"])  # full: python -m benchmarks.bench_warranty_pack (similar claims at 100,000)
    bench_uds.main(["--repeats", "3"])  # quick variant; full: python -m benchmarks.bench_uds (5 runs)
    bench_people.main(["--quick"])  # full: python -m benchmarks.bench_people (audit verify over 1,000,000 entries)
    bench_fleet.main(["--quick"])  # full: python -m benchmarks.bench_fleet (1,000 cars x 50 visits, 12,000-message streams)
    bench_alerts.main(["--quick"])  # full: python -m benchmarks.bench_alerts (5,000 alerts, 5 runs)
