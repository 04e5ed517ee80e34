"""No password, key or token in clear: not in the database file, not in the log, not in an error message."""

from __future__ import annotations

import logging

import pytest

from carvrooom_desktop.cli import run_cli
from carvrooom_desktop.config.secret_store import get_secret
from carvrooom_desktop.errors import CarVrooomError
from carvrooom_desktop.people.signing import key_secret_name
from tests.people.people_helpers import ADMIN_PASSWORD, PASSWORD, open_people, staff

WRONG = "wrong-guess-Zq81"


def test_no_secret_in_the_db_file_the_log_or_messages(tmp_path, monkeypatch, capsys):
    db = tmp_path / "shop.sqlite3"
    log_file = tmp_path / "carvrooom.log"
    handler = logging.FileHandler(log_file)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # every SQL statement and its parameters
    messages: list[str] = []
    try:
        store, people = open_people(f"sqlite:///{db}")
        actors = staff(people)
        for _ in range(6):
            with pytest.raises(CarVrooomError) as err:
                people.users.sign_in("technician", WRONG)
            messages.append(str(err.value))
        with pytest.raises(CarVrooomError) as err:
            people.users.change_password(actors["technician"], WRONG, "another-new-pw")
        messages.append(str(err.value))
        people.users.reset_password(actors["admin"], "service_manager", "Reset-Pw-7781")
        monkeypatch.setenv("CARVROOOM_PASSWORD", WRONG)
        assert run_cli(["--db", f"sqlite:///{db}", "--as", "admin", "audit", "show"]) == 1
        messages.append(capsys.readouterr().err)
        private_key = get_secret(key_secret_name(people.origin))
        assert private_key, "checkpoints were signed with a key from the keyring"
        store.close()
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
    blobs = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("shop.sqlite3")}
    blobs["log"] = log_file.read_bytes()
    assert b"INSERT INTO users" in blobs["log"]  # the log did see the writes
    for secret in (PASSWORD, ADMIN_PASSWORD, WRONG, "another-new-pw", "Reset-Pw-7781", private_key):
        for name, blob in blobs.items():
            assert secret.encode() not in blob, f"{secret!r} in clear in {name}"
        for message in messages:
            assert secret not in message
