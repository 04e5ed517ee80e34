"""Every module of the car over UDS, for the GUI: scan, clear per module, keep the list with the car (issue 18)."""
