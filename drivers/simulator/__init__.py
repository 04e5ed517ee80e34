"""The simulated car: a deterministic engine, charging, cooling and brake model with injectable faults."""
