"""The acquisition runtime: sources, scans, live polling, ring buffers and the recorder (no Qt)."""
