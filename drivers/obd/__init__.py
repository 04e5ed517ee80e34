"""OBD-II: the PID table, trouble-code parsing, ISO-TP and the OBD-over-CAN client."""
