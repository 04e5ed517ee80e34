"""What goes into the bundle besides Python code, shared by the spec, the build scripts and tests/build.

- ``runtime_distributions()``: the installed distributions the app needs at run time, the transitive
  closure of carvrooom-desktop's requirements without its ``test`` and ``build`` extras. The notices
  are generated for exactly these, and tests/build proves no test-only package (ELM327-emulator,
  CC-BY-NC-SA) is among them.
- ``licence_datas(root)``: the files of ``licences/`` in the bundle (GPL, Qt's LGPL, the readings in
  build/licences/README.md and the notices that build/make_notices.py generates into build/work/licences/).
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

APP = "carvrooom-desktop"
GENERATED = Path("build") / "work" / "licences"  # below the repo root; build/work is ignored by git
# Packages the bundle must never carry: test peers and tools (ELM327-emulator is CC-BY-NC-SA), build tools.
NEVER_SHIPPED = ("ELM327-emulator", "pytest", "pytest-qt", "pytest-timeout", "hypothesis", "vcrpy", "import-linter", "mypy",
                 "aiosmtpd", "pyinstaller", "pip-licenses")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_distributions(app: str = APP, environment: dict[str, str] | None = None) -> list[str]:
    """Names (canonical) of every distribution reachable from ``app``'s requirements without extras, on this platform."""
    env = dict(environment or default_environment())
    seen: dict[str, None] = {}
    todo = [(canonical(app), frozenset[str]())]
    while todo:
        name, extras = todo.pop()
        key = name if not extras else f"{name}[{','.join(sorted(extras))}]"
        if key in seen:
            continue
        seen[key] = None
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue  # a marker-selected package not installed on this platform
        for line in requires:
            req = Requirement(line)
            wanted = extras or {""}
            if req.marker is not None and not any(req.marker.evaluate({**env, "extra": e}) for e in wanted):
                continue
            todo.append((canonical(req.name), frozenset(req.extras)))
    names = {k.split("[")[0] for k in seen} - {canonical(app)}
    return sorted(names)


def licence_datas(root: Path) -> list[tuple[str, str]]:
    """(file, "licences") pairs for PyInstaller's datas."""
    files = [root / "LICENSE", *sorted((root / "build" / "licences").glob("*"))]
    files += sorted((root / GENERATED).glob("*"))
    return [(str(f), "licences") for f in files if f.is_file()]
