"""CarVrooom Desktop: a diagnostic workstation for car workshops."""

__version__ = "0.1.0"
