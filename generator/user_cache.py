"""The user's own cache folders (`~/.cache/rapport/<name>/`): what one user's builds share, like Python's bytecode."""

from __future__ import annotations

import os
from pathlib import Path


def private_cache_folder(name: str) -> Path | None:
    """`$XDG_CACHE_HOME/rapport/<name>` (else `~/.cache/…`), made if missing; None unless only this user can write it.

    What is kept there is trusted by the next build (compiled templates are run, common words hide
    texts from the leak gate), so a folder someone else owns or may write to is not used.
    """
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(base) / "rapport" / name
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        found = folder.stat()
        if found.st_uid != os.getuid() or found.st_mode & 0o077:
            return None  # someone else's, or open to others
    except (OSError, RuntimeError):  # no home, a read-only one
        return None
    return folder
