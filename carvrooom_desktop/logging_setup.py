"""Rotating log file plus a filter that keeps secrets out of every log line."""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from carvrooom_desktop.paths import ensure_dir, log_dir

LOG_FILE_NAME = "carvrooom.log"
_FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"

# user:password@ in URLs, and key=... / api_key: ... style assignments.
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")
_KEY_VALUE = re.compile(r"(?i)((?:api[_-]?key|password|passwd|secret|token)\s*[=:]\s*)['\"]?[^\s'\",]+")


def redact(text: str) -> str:
    text = _URL_PASSWORD.sub(r"\1***@", text)
    return _KEY_VALUE.sub(r"\1***", text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging(level: int = logging.INFO, directory: Path | None = None) -> Path:
    """Log to a rotating file (5 x 2 MB) and to stderr for warnings; returns the file path."""
    directory = ensure_dir(directory or log_dir())
    path = directory / LOG_FILE_NAME
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_carvrooom", False):
            root.removeHandler(handler)
    file_handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    for handler in (file_handler, console):
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(RedactSecrets())
        setattr(handler, "_carvrooom", True)  # our handlers, found again by the next call
        root.addHandler(handler)
    return path
