"""Typed, versioned settings and the OS keyring for secrets."""
