"""One page per job in the main window's navigation."""

# The signals the Live workspace plots by default (top to bottom), and the ones a
# recording viewer shows first.
DEFAULT_LIVE_PLOTS = ("engine_speed", "vehicle_speed", "coolant_temp", "battery_voltage", "stft_b1", "o2_b1s1_voltage")
