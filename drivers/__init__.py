"""Talking to cars and logs: CAN buses, OBD-II, signal databases, the simulated vehicle."""
