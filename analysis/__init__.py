"""Signal processing, health checks and remaining-useful-life models (numpy/scipy, no Qt, no storage)."""
