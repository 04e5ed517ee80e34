"""The fleet: every car the workshop looks after, across visits (queries without Qt; issue 15)."""
