"""The bundle's size against its budget, with the largest parts (build_linux.sh prints it after each build).

A part is a top-level entry of the bundle's ``_internal/`` (a package folder or a shared library); the
PySide6 folder, the largest, is broken down one level more. Exit 1 when the folder is over budget.
Usage: size_report.py FOLDER [--budget-mb 300] [--top 15]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

MB = 1_000_000


def tree_size(path: Path) -> int:
    if path.is_file() or path.is_symlink():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def parts(folder: Path) -> dict[str, int]:
    internal = folder / "_internal"
    sizes: dict[str, int] = {}
    for entry in (internal.iterdir() if internal.is_dir() else ()):
        if entry.name == "PySide6" and entry.is_dir():  # Qt libraries vs plugins vs bindings
            for sub in entry.iterdir():
                sizes[f"PySide6/{sub.name}"] = tree_size(sub)
        else:
            sizes[entry.name] = tree_size(entry)
    for entry in folder.iterdir():
        if entry.name != "_internal":
            sizes[entry.name] = tree_size(entry)
    return sizes


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--budget-mb", type=float, default=300.0)
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args(argv)
    sizes = parts(args.folder)
    total = tree_size(args.folder)
    print(f"size: {total / MB:.1f} MB in {args.folder} (budget {args.budget_mb:.0f} MB); largest {args.top} parts:")
    for name, size in sorted(sizes.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"  {size / MB:8.1f} MB  {name}")
    if total > args.budget_mb * MB:
        print(f"size: over budget by {(total - args.budget_mb * MB) / MB:.1f} MB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
