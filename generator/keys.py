"""Where the site secret comes from: the environment, else a git-ignored file made once."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SECRET_ENV = "RAPPORT_SECRET"


def secret_file(data_dir: Path) -> Path:
    """`.rapport/secret` in the project folder (the data folder's parent)."""
    return data_dir.resolve().parent / ".rapport" / "secret"


def site_secret(data_dir: Path) -> bytes:
    """The HMAC key for survey tokens; created on first use when none is configured."""
    from_env = os.environ.get(SECRET_ENV, "").strip()
    if from_env:
        return from_env.encode()
    path = secret_file(data_dir)
    if path.is_file():
        return path.read_text(encoding="utf-8").strip().encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    _ignore_folder(path.parent)
    value = secrets.token_urlsafe(32)
    # O_EXCL: two builds started together must not write two different secrets
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip().encode()
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value.encode()


def _ignore_folder(folder: Path) -> None:
    """A `.gitignore` of `*` inside the folder keeps its secrets out of any repository."""
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
