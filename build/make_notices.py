"""Generate the third-party notices the bundle ships (licences/THIRD_PARTY_NOTICES.txt and a summary table).

Run by build/build_linux.sh and build/windows/build_windows.ps1 before PyInstaller, with the venv's
python: pip-licenses reads the installed packages' metadata and licence files, limited to the
distributions the app needs at run time (bundle_parts.runtime_distributions: no test or build extras).
Fails when a test-only package would be listed, or when pip-licenses finds a licence file for none.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bundle_parts import GENERATED, NEVER_SHIPPED, canonical, runtime_distributions  # noqa: E402

HEADER = """CarVrooom Desktop - third-party notices
=======================================

CarVrooom Desktop is free software: GPL-3.0-or-later (licences/LICENSE). Its source code:
https://github.com/carvrooom/carvrooom-desktop

This bundle contains the Python packages below, each under its own licence (full texts follow the
table). Qt for Python (PySide6, shiboken6) and the Qt libraries are used under the LGPL-3.0
(licences/LGPL-3.0.txt); they are separate shared libraries in this folder and may be replaced.
python-OBD: its package metadata says "GPL-2.0-only", but every source file's notice reads "either
version 2 of the License, or (at your option) any later version"; the source notices govern, so it is
used as GPL-2.0-or-later, compatible with this program's GPL-3.0-or-later (build/licences/README.md).

"""


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / GENERATED
    out.mkdir(parents=True, exist_ok=True)
    names = runtime_distributions()
    banned = sorted(set(names) & {canonical(n) for n in NEVER_SHIPPED})
    if banned:
        print(f"notices: test/build-only packages reachable from the app: {banned}", file=sys.stderr)
        return 1
    base = [sys.executable, "-m", "piplicenses", "--from=mixed", "--packages", *names]
    table = subprocess.run([*base, "--format=plain", "--order=license"], check=True, capture_output=True, text=True).stdout
    texts = subprocess.run([*base, "--format=plain-vertical", "--with-license-file", "--with-notice-file", "--no-license-path"],
                           check=True, capture_output=True, text=True).stdout
    (out / "THIRD_PARTY_NOTICES.txt").write_text(HEADER + table + "\n\n" + texts, encoding="utf-8")
    (out / "third_party_licences.csv").write_text(
        subprocess.run([*base, "--format=csv", "--order=name"], check=True, capture_output=True, text=True).stdout, encoding="utf-8")
    listed = len(table.strip().splitlines()) - 1
    print(f"notices: {listed} packages, {len(texts) // 1024} KiB of licence texts -> {out}/THIRD_PARTY_NOTICES.txt")
    return 0 if listed >= len(names) * 0.9 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
