import json

import pytest

from carvrooom_desktop.config.secret_store import (
    database_secret_name,
    get_secret,
    set_secret,
    split_database_password,
)
from carvrooom_desktop.config.settings import SCHEMA_VERSION, Settings, load_settings, save_settings, settings_path
from carvrooom_desktop.errors import SecretStoreUnavailable, SettingsError


def test_first_start_writes_defaults_and_keeps_the_workstation_id():
    first, warnings = load_settings()
    assert warnings == [] and settings_path().exists()
    again, _ = load_settings()
    assert again.workstation_id == first.workstation_id
    assert json.loads(settings_path().read_text())["schema_version"] == SCHEMA_VERSION


def test_a_file_that_does_not_parse_is_kept_aside_and_defaults_are_used():
    settings_path().parent.mkdir(parents=True)
    settings_path().write_text("{ not json")
    settings, warnings = load_settings()
    assert settings == Settings(workstation_id=settings.workstation_id)
    assert "does not parse" in warnings[0]
    assert settings_path().with_name("settings.json.broken").read_text() == "{ not json"


def test_wrong_types_and_unknown_keys_fall_back_per_field():
    settings_path().parent.mkdir(parents=True)
    settings_path().write_text(json.dumps({"schema_version": 1, "theme": "dark", "sim_seed": "seven", "colour": "red"}))
    settings, warnings = load_settings()
    assert settings.theme == "dark" and settings.sim_seed == 0
    assert any("sim_seed" in w for w in warnings) and any("colour" in w for w in warnings)


def test_a_password_never_reaches_the_settings_file(memory_keyring):
    url = "postgresql://workshop:s3cret@db.local:5432/shop"
    with pytest.raises(SettingsError):
        save_settings(Settings(database_url=url))
    plain, password = split_database_password(url)
    set_secret(database_secret_name(plain), password)
    save_settings(Settings(database_url=plain))
    assert "s3cret" not in settings_path().read_text()
    assert get_secret(database_secret_name(plain)) == "s3cret"


def test_without_a_keyring_secrets_are_refused_not_written_elsewhere():
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    with pytest.raises(SecretStoreUnavailable):
        set_secret("gemini-api-key", "abc")
    assert get_secret("gemini-api-key") is None
