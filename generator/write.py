"""The write stage: put every built file into a fresh folder, then swap it in whole."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


@dataclass(frozen=True)
class OutputFile:
    """One file of the built site, by its path relative to the output folder."""

    path: str
    content: bytes

    def __post_init__(self) -> None:
        pure = PurePosixPath(self.path)
        if pure.is_absolute() or ".." in pure.parts or not self.path:
            raise ValueError(f"output path {self.path!r} must stay inside the output folder")


def write_output(files: Iterable[OutputFile], out_dir: Path) -> int:
    """Write all files into a temporary sibling of out_dir and swap it in; return the count.

    A failure before the swap leaves the previous out_dir exactly as it was.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    count = 0
    try:
        made: set[Path] = set()
        for item in files:
            target = staging / item.path
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_bytes(item.content)
            count += 1
        _swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count


def _swap_in(staging: Path, out_dir: Path) -> None:
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
    shutil.rmtree(retired, ignore_errors=True)
