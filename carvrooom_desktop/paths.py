"""Where the application keeps its files (per user, per platform)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "carvrooom"
APP_AUTHOR = "CarVrooom"

# One override for tests and portable installs: everything goes below this folder.
HOME_ENV = "CARVROOOM_HOME"


def _base(kind: str) -> Path:
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home) / kind
    dirs = platformdirs.PlatformDirs(APP_NAME, APP_AUTHOR)
    return Path({"data": dirs.user_data_dir, "config": dirs.user_config_dir, "log": dirs.user_log_dir}[kind])


def data_dir() -> Path:
    return _base("data")


def config_dir() -> Path:
    return _base("config")


def log_dir() -> Path:
    return _base("log")


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if missing; a missing data directory is not an error."""
    path.mkdir(parents=True, exist_ok=True)
    return path
