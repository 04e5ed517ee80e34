"""The application's own exceptions: each says what failed and what the user can do."""

from __future__ import annotations


class CarVrooomError(Exception):
    """Base of every error the application reports to the user."""


class InvalidRequest(CarVrooomError, ValueError):
    """A request the user can correct: a value out of range, an unknown name, a choice not made.

    Also a ``ValueError``, so code that validates with ``except ValueError`` keeps working."""


class StoreUnavailable(CarVrooomError):
    """The database cannot be opened or reached."""


class SettingsError(CarVrooomError):
    """The settings file cannot be read or written."""


class SecretStoreUnavailable(CarVrooomError):
    """No OS keyring: a secret cannot be stored safely, so it is not stored at all."""


class RecordingError(CarVrooomError):
    """A recording could not be written (disk full, store gone)."""


class NotFound(CarVrooomError):
    """A recording, vehicle or session id that the store does not have."""


class DamagedData(CarVrooomError):
    """Stored bytes that do not decode (a damaged chunk or file)."""


class PermissionDenied(CarVrooomError):
    """The signed-in role may not do this (e.g. a warranty clerk clearing codes)."""


class NotConfirmed(CarVrooomError):
    """A destructive action was asked for without the technician's confirmation."""
