import logging

from carvrooom_desktop.logging_setup import configure_logging, redact


def test_secrets_are_redacted_in_the_log_file(tmp_path):
    path = configure_logging(directory=tmp_path)
    logging.getLogger("t").warning("connecting to %s with api_key=AIzaSyXXXX", "postgresql://u:hunter2@host/db")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text()
    assert "hunter2" not in text and "AIzaSyXXXX" not in text and "postgresql://u:***@host/db" in text


def test_redact_leaves_ordinary_text_alone():
    assert redact("P0171 lean at idle") == "P0171 lean at idle"
