"""The write stage: put the built files in place as one change.

The files are written into a staging folder beside the output; nothing in the output is
touched until every file is there. Then the staging folder replaces the output with two
renames, and the old tree is deleted afterwards (in the background for a command that exits
right after). A failure before that point (a render error, a full disk) leaves the previous
output exactly as it was. The speed layer writes the same way but touches only what changed
(generator/speed/output.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.files import BuiltFile

_CLEANERS: list[subprocess.Popen[bytes]] = []


@dataclass(frozen=True)
class WriteResult:
    """How many files the output holds, and how many of them were (re)written."""

    files: int
    written: int


def write_output(files: Iterable[BuiltFile], out_dir: Path, background: bool = False) -> WriteResult:
    """Write all files to out_dir as one change; a failure leaves the previous out_dir as it was.

    With `background`, a replaced tree is deleted by a detached process (for a command that
    exits right after: it need not wait).
    """
    out_dir = Path(out_dir).resolve()
    staging = new_staging(out_dir)
    try:
        made: set[Path] = {staging}
        count = 0
        for item in files:
            target = staging / item.path
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_bytes(item.content)
            count += 1
        swap_in(staging, out_dir, background)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteResult(count, count)


def new_staging(out_dir: Path) -> Path:
    """A new, empty staging folder beside out_dir (and none left there by a killed build)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned(out_dir, "new")
    # the process id in the name tells a later build whether this folder's maker is still at work
    return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-{os.getpid()}-", dir=out_dir.parent))


def staging_of(out_dir: Path, pid: int) -> Path | None:
    """The staging folder a build in process `pid` is filling now, if any (`rapport serve` shows its pages early)."""
    found = sorted(out_dir.parent.glob(f".{out_dir.name}.new-{pid}-*"))
    return found[-1] if found else None


def remove_abandoned(out_dir: Path, kind: str) -> None:
    """Delete the folders `.<out>.<kind>-<pid>…` beside out_dir left by processes that were killed (their process is
    gone): staging folders of builds (`new`), early pages of `rapport serve` (`early`)."""
    for folder in out_dir.parent.glob(f".{out_dir.name}.{kind}-*"):
        maker = folder.name.removeprefix(f".{out_dir.name}.{kind}-").split("-", 1)[0]
        if maker.isdigit() and _alive(int(maker)):
            continue  # another process, still writing
        shutil.rmtree(folder, ignore_errors=True)


def write_whole(target: Path, content: bytes) -> None:
    """Write a file under a temporary name, then rename it: a reader (`rapport serve`) sees all of it or none."""
    partial = target.with_name(f".{target.name}.part")
    partial.write_bytes(content)
    os.replace(partial, target)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def swap_in(staging: Path, out_dir: Path, background: bool) -> None:
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
