"""Telematics intake over MQTT: topics, VSS signal names mapped to the project's signals, per-car sequence tracking (issue 15)."""
