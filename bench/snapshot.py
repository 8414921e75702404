"""Copy the working tree's files (tracked and untracked, not ignored) for the bench to run from.

Others edit this tree while a run goes on: a gunicorn worker that the crash round makes its
master respawn would load their newer code, models the bench's database was never migrated for
included. Running from a copy taken at the start keeps one version of the code for the whole run.

Usage: ``python -m bench.snapshot DEST``; prints which code was copied, e.g. ``39d98c5+dirty``.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path


def git(*args: str, cwd: Path) -> bytes:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True).stdout


def snapshot(source: Path, dest: Path) -> str:
    """Copy ``source``'s files into ``dest``; return the commit and whether the tree differs."""
    names = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=source)
    for raw in filter(None, names.split(b"\0")):
        relative = Path(os.fsdecode(raw))
        # A tracked file someone has just deleted is not part of the tree being run.
        if not (source / relative).is_file():
            continue
        (dest / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / relative, dest / relative)
    commit = git("rev-parse", "--short", "HEAD", cwd=source).decode().strip()
    dirty = git("status", "--porcelain", "--untracked-files=normal", cwd=source).strip()
    return f"{commit}+dirty" if dirty else commit


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m bench.snapshot DEST")
    print(snapshot(Path.cwd(), Path(sys.argv[1])))
