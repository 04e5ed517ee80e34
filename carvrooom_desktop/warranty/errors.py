"""The warranty core's own errors: each says what is wrong and what the clerk can do."""

from __future__ import annotations

from carvrooom_desktop.errors import CarVrooomError


class WarrantyError(CarVrooomError):
    """Base of the warranty core's errors."""


class InvalidTransition(WarrantyError):
    """A claim status change that the workflow does not allow (approve a draft, edit a submitted claim)."""


class StaleClaim(WarrantyError):
    """The claim changed since it was read (another clerk, or a sync): reload it and apply the edit again."""


class CoverageRulesError(WarrantyError):
    """A coverage rule file that does not load; the message names every bad item."""


class SignalSettingsError(WarrantyError):
    """The signal thresholds or the part -> DTC map do not load; the message names the bad item."""


class EvidencePackError(WarrantyError):
    """A file that is not a sealed evidence pack, or one that cannot be read."""
