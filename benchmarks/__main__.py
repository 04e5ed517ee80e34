"""Run every benchmark: `python -m benchmarks` (or `make bench`)."""

from benchmarks import bench_elm_polling, bench_recording, bench_startup

if __name__ == "__main__":
    bench_recording.main()
    bench_startup.main()
    bench_elm_polling.main()
