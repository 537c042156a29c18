"""The write stage: put every built file into a fresh folder, then swap it in whole.

Files whose bytes did not change since the last build are hard-linked from the previous
output instead of written again, so they keep their modification time (rsync, gh-pages and
editors see only real changes). A manifest of content hashes, `.manifest.json` in the output
folder, tells which ones those are without reading the old files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MANIFEST = ".manifest.json"
_CLEANERS: list[subprocess.Popen] = []


@dataclass(frozen=True)
class OutputFile:
    """One file of the built site, by its path relative to the output folder."""

    path: str
    content: bytes

    def __post_init__(self) -> None:
        pure = PurePosixPath(self.path)
        if pure.is_absolute() or ".." in pure.parts or not self.path:
            raise ValueError(f"output path {self.path!r} must stay inside the output folder")


@dataclass(frozen=True)
class WriteResult:
    """How many files the output holds, and how many of them were (re)written."""

    files: int
    written: int


def write_output(files: Iterable[OutputFile], out_dir: Path, background: bool = False) -> WriteResult:
    """Write all files into a temporary sibling of out_dir and swap it in.

    A failure before the swap leaves the previous out_dir exactly as it was. With `background`,
    the previous tree is deleted by a detached process after the swap (for a command that
    exits right after: the build need not wait for it).
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    previous = _read_manifest(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    manifest: dict[str, str] = {}
    written = 0
    try:
        made: set[Path] = set()
        for item in files:
            target = staging / item.path
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            digest = hashlib.sha256(item.content).hexdigest()
            manifest[item.path] = digest
            if not (previous.get(item.path) == digest and _link_unchanged(out_dir / item.path, target, len(item.content))):
                target.write_bytes(item.content)
                written += 1
        (staging / MANIFEST).write_text(json.dumps(manifest, sort_keys=True, indent=0) + "\n", encoding="utf-8")
        _swap_in(staging, out_dir, background)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteResult(len(manifest), written)


def _read_manifest(out_dir: Path) -> dict[str, str]:
    """The previous build's path → sha256 map; empty when there is none or it is unreadable."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _link_unchanged(old: Path, new: Path, size: int) -> bool:
    """Hard-link the previous file into the new tree when it is still the same size; else False."""
    try:
        # the size check catches a file edited by hand since the manifest was written
        if old.stat().st_size != size:
            return False
        os.link(old, new)
    except OSError:
        return False
    return True


def _swap_in(staging: Path, out_dir: Path, background: bool) -> None:
    """Replace out_dir by staging with two renames; the old tree is removed afterwards."""
    if not out_dir.exists():
        os.replace(staging, out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.rmdir(retired)
    os.replace(out_dir, retired)
    try:
        os.replace(staging, out_dir)
    except BaseException:
        os.replace(retired, out_dir)
        raise
    # with it, any old tree a previous build's cleanup did not get to (it was interrupted)
    leftovers = [retired, *(path for path in out_dir.parent.glob(f".{out_dir.name}.old-*") if path != retired)]
    if not (background and _remove_in_background(leftovers)):
        for folder in leftovers:
            shutil.rmtree(folder, ignore_errors=True)


def _remove_in_background(folders: list[Path]) -> bool:
    """Delete folders in a detached process, so the build need not wait; False if none could start.

    Deleting a tree of thousands of files and folders takes a few tenths of a second on a
    journaled file system, longer than writing the new one when little changed. The folders
    are already out of the way (renamed), so nothing waits for them.
    """
    _CLEANERS[:] = [cleaner for cleaner in _CLEANERS if cleaner.poll() is None]  # reap the finished ones
    try:
        cleaner = subprocess.Popen(
            [sys.executable, "-c", "import shutil, sys\nfor folder in sys.argv[1:]: shutil.rmtree(folder, ignore_errors=True)",
             *map(str, folders)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, close_fds=True,
        )
    except OSError:
        return False
    _CLEANERS.append(cleaner)  # kept, so that a long-running preview reaps them (above) and leaves no zombies
    return True
