"""Where the dashboard passphrase and its key file live: the environment or git-ignored files."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import RapportError
from generator.keys import PASSPHRASE_ENV, key_file, passphrase_file

if TYPE_CHECKING:
    from generator.safety.crypto import ContentKey, SealedKey

# crypto (the cryptography library) and strength (zxcvbn) are imported where a passphrase is set:
# a build without one needs neither, and they cost a tenth of a second of every start-up

KEY_FORMAT = "rapport-dashboard-key/1"


def passphrase_source(data_dir: Path) -> str:
    """Where a passphrase is looked for, for messages."""
    return f"{PASSPHRASE_ENV} or {passphrase_file(data_dir)}"


def dashboard_passphrase(data_dir: Path) -> str | None:
    """The passphrase from the environment, else from its file; None when neither is set."""
    value, origin = os.environ.get(PASSPHRASE_ENV, "").strip(), PASSPHRASE_ENV
    if not value:
        path = passphrase_file(data_dir)
        value, origin = (path.read_text(encoding="utf-8").strip() if path.is_file() else ""), str(path)
    if not value:
        return None
    from generator.safety.strength import weakness

    # the ciphertext stays public forever (gh-pages history): a guessable passphrase falls offline
    problem = weakness(value, origin)
    if problem is not None:
        raise RapportError(problem)
    return value


def dashboard_key(data_dir: Path, passphrase: str) -> tuple[SealedKey, ContentKey]:
    """The site's sealed and open content key, reused while the passphrase stays the same.

    Reusing salt, nonce and content key keeps rebuilt pages byte-identical; a new passphrase
    gets a new content key, so whoever knew the old one cannot read pages built after the change.
    """
    from generator.safety.crypto import ContentKey, WrongPassphrase, open_key, seal_key

    path = key_file(data_dir)
    if path.is_file():
        sealed = _read_key_file(path)
        try:
            return sealed, open_key(sealed, passphrase)
        except WrongPassphrase:
            pass  # the passphrase changed: make a new key below
    content = ContentKey.generate()
    sealed = seal_key(content, passphrase)
    _write_key_file(path, sealed)
    return sealed, content


def _read_key_file(path: Path) -> SealedKey:
    from generator.safety.crypto import CryptoError, SealedKey, check_iterations, unb64

    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("format") != KEY_FORMAT:
            raise ValueError(f"format is not {KEY_FORMAT!r}")
        sealed = SealedKey(record["iterations"], unb64(record["salt"]), unb64(record["nonce"]), unb64(record["sealed"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, CryptoError) as exc:
        raise RapportError(f"{path}: not a dashboard key file ({exc}); delete it to make a new key") from None
    try:
        check_iterations(sealed.iterations)
    except CryptoError as exc:
        raise RapportError(f"{path}: {exc}; delete the file to make a new key") from None
    return sealed


def _write_key_file(path: Path, sealed: SealedKey) -> None:
    """Write the key file atomically, readable by its owner only, in a git-ignored folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    record = {"format": KEY_FORMAT, "kdf": "PBKDF2-HMAC-SHA256", **sealed.as_json()}
    descriptor, temporary = tempfile.mkstemp(prefix=".dashboard-key.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(record, handle, indent=2)
            handle.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


__all__ = ["PASSPHRASE_ENV", "dashboard_key", "dashboard_passphrase", "key_file", "passphrase_file", "passphrase_source"]
