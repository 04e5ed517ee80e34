"""Typed, versioned settings in the user's config directory (JSON).

A file that does not parse is kept aside (``settings.json.broken``) and the app
starts on defaults with a warning; nothing the user wrote is destroyed. Secrets are
never stored here: a database password in ``database_url`` is moved to the keyring.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carvrooom_desktop.errors import SettingsError
from carvrooom_desktop.paths import config_dir, ensure_dir

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
FILE_NAME = "settings.json"
THEMES = ("light", "dark")
ROLES = ("technician", "service manager", "warranty clerk", "fleet manager", "admin")
DEFAULT_LIVE_SIGNALS = [
    "engine_speed", "vehicle_speed", "coolant_temp", "battery_voltage", "stft_b1", "ltft_b1",
    "o2_b1s1_voltage", "o2_b1s2_voltage", "engine_load", "throttle_position", "intake_manifold_pressure",
    "maf", "intake_air_temp",
]


@dataclass
class Settings:
    schema_version: int = SCHEMA_VERSION
    workstation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    database_url: str = ""  # "" = the embedded SQLite store; never holds a password
    shared_database_url: str = ""  # the workshop's shared PostgreSQL for sync ("" = no sync); password in the keyring
    theme: str = "light"
    default_source: str = "sim"
    sim_seed: int = 0
    live_signals: list[str] = field(default_factory=lambda: list(DEFAULT_LIVE_SIGNALS))
    poll_interval_s: float = 0.1
    role: str = "technician"  # the workstation's role until users and sign-in exist
    # AI diagnosis (added without a schema bump: a missing field takes its default). The API key
    # is never here: it lives in the OS keyring (secret_store.GEMINI_API_KEY).
    gemini_flash_model: str = "gemini-3.5-flash"
    gemini_pro_model: str = "gemini-3.1-pro-preview"
    gemini_timeout_s: float = 20.0  # per request; the library's default waits forever on a silent link
    gemini_max_retries: int = 1  # 1 = one attempt (0 would mean the SDK's default of 5)
    gemini_base_url: str = ""  # "" = Google's endpoint; a proxy or a test server otherwise
    gemini_flash_price_usd: list[float] = field(default_factory=lambda: [0.30, 2.50])  # per M tokens in, out
    gemini_pro_price_usd: list[float] = field(default_factory=lambda: [2.00, 12.00])
    diagnosis_budget_s: float = 5.0  # the offline answer is shown by then if the model has not answered
    # The workshop as its documents name it (evidence packs, owner reports); no schema bump, like the fields above.
    workshop_name: str = ""
    workshop_address: str = ""
    workshop_phone: str = ""
    workshop_email: str = ""

    def workshop(self) -> dict[str, str]:
        return {"name": self.workshop_name, "address": self.workshop_address, "phone": self.workshop_phone,
                "email": self.workshop_email}

    def validate(self) -> list[str]:
        """Repair out-of-range values in place; returns what was repaired."""
        problems = []
        if self.theme not in THEMES:
            problems.append(f"theme {self.theme!r} unknown; using 'light'")
            self.theme = "light"
        if self.role not in ROLES:
            problems.append(f"role {self.role!r} unknown; using 'technician'")
            self.role = "technician"
        if not 0.0 <= self.poll_interval_s <= 10.0:
            problems.append(f"poll_interval_s {self.poll_interval_s} out of range; using 0.1")
            self.poll_interval_s = 0.1
        if not 1.0 <= self.gemini_timeout_s <= 300.0:
            problems.append(f"gemini_timeout_s {self.gemini_timeout_s} out of range 1..300; using 20")
            self.gemini_timeout_s = 20.0
        if not 1 <= self.gemini_max_retries <= 5:
            problems.append(f"gemini_max_retries {self.gemini_max_retries} out of range 1..5; using 1")
            self.gemini_max_retries = 1
        if not 0.5 <= self.diagnosis_budget_s <= 60.0:
            problems.append(f"diagnosis_budget_s {self.diagnosis_budget_s} out of range 0.5..60; using 5")
            self.diagnosis_budget_s = 5.0
        for name in ("gemini_flash_price_usd", "gemini_pro_price_usd"):
            price = getattr(self, name)
            if len(price) != 2 or not all(isinstance(p, (int, float)) and not isinstance(p, bool) and p >= 0 for p in price):
                problems.append(f"{name} must be [input, output] USD per million tokens; using the default")
                setattr(self, name, getattr(Settings(), name))
        return problems


def settings_path() -> Path:
    return config_dir() / FILE_NAME


# Each migration takes the dict of version N and returns version N+1.
_MIGRATIONS: dict[int, Any] = {}


def _from_dict(raw: dict[str, Any]) -> tuple[Settings, list[str]]:
    warnings: list[str] = []
    version = raw.get("schema_version", 1)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        warnings.append(f"settings were written by a newer version (schema {version}); unknown fields ignored")
        version = SCHEMA_VERSION
    while version < SCHEMA_VERSION:
        raw = _MIGRATIONS[version](raw)
        version += 1
    defaults = Settings()
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Settings):
        if f.name not in raw:
            continue
        value, expected = raw[f.name], type(getattr(defaults, f.name))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
            warnings.append(f"setting {f.name!r} should be {expected.__name__}, got {value!r}; using the default")
            continue
        values[f.name] = value
    for key in raw.keys() - {f.name for f in dataclasses.fields(Settings)}:
        warnings.append(f"unknown setting {key!r} ignored")
    settings = Settings(**values)
    settings.schema_version = SCHEMA_VERSION
    warnings += settings.validate()
    return settings, warnings


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """Settings and a list of warnings for the user; never raises for a bad file."""
    path = path or settings_path()
    if not path.exists():
        settings = Settings()
        try:
            save_settings(settings, path)  # the workstation id must survive restarts
        except SettingsError as e:
            return settings, [str(e)]
        return settings, []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("top level is not an object")
    except (OSError, ValueError) as e:
        broken = path.with_name(path.name + ".broken")
        try:
            os.replace(path, broken)
            kept = f"the file was kept as {broken}"
        except OSError:
            kept = "the file was left in place"
        return Settings(), [f"settings file {path} does not parse ({e}); using defaults, {kept}"]
    settings, warnings = _from_dict(raw)
    for w in warnings:
        log.warning("settings: %s", w)
    return settings, warnings


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Atomic write; a password in the database URL is refused (use the keyring)."""
    path = path or settings_path()
    if settings.database_url and _has_password(settings.database_url):
        raise SettingsError("database_url holds a password; store it with the keyring (Settings > Database), not in the settings file")
    try:
        ensure_dir(path.parent)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(dataclasses.asdict(settings), indent=2), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        raise SettingsError(f"cannot write settings to {path}: {e}") from e


def _has_password(url: str) -> bool:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return bool(make_url(url).password)
    except ArgumentError:
        return False
