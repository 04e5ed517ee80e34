#!/usr/bin/env bash
# Linux one-folder build and smoke test: build/dist/carvrooom/carvrooom --version must answer.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
"$PY" -m pip install --quiet "pyinstaller>=6.10"
"$PY" -m PyInstaller --noconfirm --clean --distpath build/dist --workpath build/work build/carvrooom.spec
build/dist/carvrooom/carvrooom --version
build/dist/carvrooom/carvrooom scan --sim --fault vacuum_leak | head -5
