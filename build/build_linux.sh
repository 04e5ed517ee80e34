#!/usr/bin/env bash
# Linux one-folder build (build/dist/carvrooom/) and its smoke test. SKIP_BUILD=1 only re-runs the smoke test.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
APP=build/dist/carvrooom/carvrooom

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    # PyInstaller and pip-licenses come pinned and hash-checked from the lock (the `build` extra): build tools, never shipped.
    "$PY" -m pip install --quiet --require-hashes --no-deps -r requirements.lock 2> >(grep -v "is ignored: it is neither" >&2)
    started=$SECONDS
    "$PY" -m PyInstaller --noconfirm --clean --log-level WARN --distpath build/dist --workpath build/work build/carvrooom.spec
    echo "build: $((SECONDS - started)) s, $(du -sh build/dist/carvrooom | cut -f1)"
fi

# Test-only packages must never ship (ELM327-emulator is CC-BY-NC-SA).
if find build/dist/carvrooom -maxdepth 3 \( -iname 'elm' -o -iname 'ELM327*' -o -iname 'pytest*' -o -iname 'hypothesis*' \
        -o -iname 'vcr' -o -iname 'vcrpy*' -o -iname 'tkinter' -o -iname 'matplotlib' \) | grep .; then
    echo "smoke: test-only or excluded packages found in the bundle" >&2; exit 1
fi
"$PY" - <<'PYEOF'  # and none among the Python modules packed into the executable
from PyInstaller.archive.readers import ZlibArchiveReader
banned = ("elm", "pytest", "_pytest", "pytestqt", "hypothesis", "vcr", "tkinter", "matplotlib", "IPython", "importlinter")
found = sorted({n.split(".")[0] for n in ZlibArchiveReader("build/work/carvrooom/PYZ-00.pyz").toc} & set(banned))
raise SystemExit(f"smoke: excluded packages in the PYZ: {found}" if found else 0)
PYEOF

export CARVROOOM_HOME; CARVROOOM_HOME=$(mktemp -d)
trap 'rm -rf "$CARVROOOM_HOME"' EXIT
cd "$CARVROOOM_HOME"  # nothing may depend on the source checkout being the working folder
APP=$OLDPWD/$APP
# header and timing on stderr, so `| tail` keeps them
step() { echo "--- carvrooom $*" >&2; local t=$SECONDS; "$APP" "$@"; echo "    ($((SECONDS - t)) s)" >&2; }
# No network at all where the kernel allows it (user namespaces); otherwise run as is.
NONET=(); unshare -rn true 2>/dev/null && NONET=(unshare -rn)

step --version
step scan --sim --fault vacuum_leak | tail -n 12
step record --sim --seconds 3
step sessions list
step health --sim --fault vacuum_leak | tail -n 8

# --offline must not try the network: no AF_INET/AF_INET6 connect() at all (strace when available).
echo "--- carvrooom diagnose --sim --fault vacuum_leak --offline"
if command -v strace >/dev/null; then
    "${NONET[@]}" strace -f -qq -e trace=connect -o "$CARVROOOM_HOME/connects.txt" \
        "$APP" diagnose --sim --fault vacuum_leak --offline | tail -n 6
    if grep -E 'AF_INET6?' "$CARVROOOM_HOME/connects.txt"; then
        echo "smoke: diagnose --offline tried the network" >&2; exit 1
    fi
    echo "    (no network connect() attempted)"
else
    "${NONET[@]}" "$APP" diagnose --sim --fault vacuum_leak --offline | tail -n 6
fi

echo "--- GUI offscreen, exit after the window is shown"
QT_QPA_PLATFORM=offscreen CARVROOOM_EXIT_AFTER_SHOWN=1 "$APP" 2> >(grep -v propagateSizeHints >&2)
echo "    (exit 0)"

if command -v xvfb-run >/dev/null; then
    echo "--- GUI on X11 (Xvfb, the xcb platform plugin), exit after the window is shown"
    QT_QPA_PLATFORM=xcb CARVROOOM_EXIT_AFTER_SHOWN=1 xvfb-run -a "$APP"
    echo "    (exit 0)"
fi

echo "--- frozen self-check (build/frozen_selfcheck.py: MF4, LangGraph + checkpointer, Gemini client, every workspace)"
CARVROOOM_FROZEN_SELFCHECK=1 QT_QPA_PLATFORM=offscreen "${NONET[@]}" "$APP" 2> >(grep -v propagateSizeHints >&2)
echo "smoke: all passed"
