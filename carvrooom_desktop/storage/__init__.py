"""The local store (SQLite by default, PostgreSQL for the shared workshop database)."""
