"""The warranty clerk's core (issue 12), no Qt: claims and their role-checked status, coverage rules
as data, fraud and error signals with evidence, CSV import/export, an offline text embedder.

Submodules are imported where they are used (``from carvrooom_desktop.warranty.coverage import ...``);
this file imports nothing, so the storage layer can use the pure ``claim`` module cheaply.
"""
