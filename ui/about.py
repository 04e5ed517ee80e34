"""What the About box says: version, schema version, the licence with the source link, and where the notices are.

Plain text and paths only (no Qt), so tests/build checks it without a window. The bundle carries its
licence files in ``licences/`` next to the executable (build/carvrooom.spec puts them there: the
generated third-party notices, Qt's LGPL text, the GPL); from a source checkout they are under
``build/licences/`` once ``make bundle`` has run.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP_LICENCE = "GPL-3.0-or-later"
# The Corresponding Source of every release (GPL-3.0 section 6): the project's public repository.
SOURCE_URL = "https://github.com/carvrooom/carvrooom-desktop"
NOTICES_FILE = "THIRD_PARTY_NOTICES.txt"


def licences_dir() -> Path:
    """``licences/`` beside the frozen executable (PyInstaller's bundle root), else ``build/licences`` of the checkout."""
    bundle_root = getattr(sys, "_MEIPASS", None)
    if bundle_root:
        return Path(bundle_root) / "licences"
    return Path(__file__).resolve().parent.parent / "build" / "licences"


def schema_revision() -> str:
    """The store schema this version writes (the newest migration); older stores are migrated on open."""
    from carvrooom_desktop.storage.migrate import HEAD_REVISION

    return HEAD_REVISION


def about_html(title: str) -> str:
    from carvrooom_desktop import __version__

    notices = licences_dir() / NOTICES_FILE
    where = (f"Third-party licences: <code>{notices}</code>" if notices.exists()
             else "Third-party licences: generated into <code>licences/</code> of the installed bundle.")
    return (
        f"<b>{title}</b> {__version__}<br>A diagnostic workstation for car workshops.<br>"
        f"Store schema: {schema_revision()}<br><br>"
        "Free software under the GNU General Public License, version 3 or later "
        f"({APP_LICENCE}); no warranty.<br>"
        f'Source code: <a href="{SOURCE_URL}">{SOURCE_URL}</a><br><br>'
        "Built with Qt for Python (PySide6, LGPL-3.0) and the packages listed in the notices.<br>"
        f"{where}"
    )
