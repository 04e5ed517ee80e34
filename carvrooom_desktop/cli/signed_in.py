"""Who runs a CLI command: the demo user (no users in the store) or ``--as NAME`` signed in with a password.

The password comes from ``CARVROOOM_PASSWORD`` (scripts, CI) or a prompt on a terminal, never from an
argument (it would sit in the shell history and the process list).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from carvrooom_desktop.config.settings import load_settings
from carvrooom_desktop.errors import CarVrooomError
from carvrooom_desktop.people import Actor, People

USER_ENV = "CARVROOOM_USER"
PASSWORD_ENV = "CARVROOOM_PASSWORD"


class NotSignedIn(CarVrooomError):
    """The store has users and the command named none (or gave no password)."""


def cli_actor(args: argparse.Namespace, store: Any) -> Actor:
    people = People.of(store)
    if people.demo_mode:
        settings, _ = load_settings()
        return people.demo_actor(settings.role)
    name = getattr(args, "as_user", None) or os.environ.get(USER_ENV, "")
    if not name:
        raise NotSignedIn("this workstation has users: sign in with --as NAME (password from the prompt or "
                          f"{PASSWORD_ENV})")
    return people.users.sign_in(name, read_password(f"password for {name}: "))


def read_password(prompt: str, *, stdin: bool = False) -> str:
    """``--password-stdin``: the first line of stdin; else CARVROOOM_PASSWORD; else a prompt on a terminal."""
    if stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if PASSWORD_ENV in os.environ:
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        raise NotSignedIn(f"no password: set {PASSWORD_ENV} or run on a terminal")
    return getpass.getpass(prompt)


__all__ = ["PASSWORD_ENV", "USER_ENV", "NotSignedIn", "cli_actor", "read_password"]
