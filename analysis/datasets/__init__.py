"""Readers for the public data sets the health checks and RUL models are judged on.

Each reader maps the set's own columns and units onto the names the rest of ``analysis``
uses; none of them is needed at run time in a workshop.
"""
