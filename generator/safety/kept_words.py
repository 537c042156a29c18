"""A language's common words, kept per user between builds, like compiled templates (generator/templates.py).

Importing wordfreq and reading its word list costs a build that has no memo yet (a new project, a
clean checkout, `rapport serve`'s first build) about 0.3 s of CPU. The words depend only on the
language and on wordfreq's version, so one user's projects share them: one file per language and
version in the user's cache folder. A file that is missing, unreadable or not as it was written
is never an error: the words are taken from wordfreq again, and the file written afresh.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from generator.user_cache import private_cache_folder

HEADER = b"rapport common words 1\n"  # the format; a file of any other shape is read as absent
# a language or version that is not a plain file-name part (a `/`, a leading `.`) is not kept
SAFE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}")


def kept_words(language: str, wordfreq_version: str, compute: Callable[[], frozenset[str]]) -> frozenset[str]:
    """The words kept for this language and wordfreq version, else `compute()` (then kept for the next build)."""
    path = words_file(language, wordfreq_version)
    if path is None:
        return compute()
    words = _read(path)
    if words is None:
        words = compute()
        _write(path, words)
    return words


def words_file(language: str, wordfreq_version: str) -> Path | None:
    """Where the words of this language and version are kept (None: nowhere safe to keep them)."""
    if not (SAFE_PART.fullmatch(language) and SAFE_PART.fullmatch(wordfreq_version)):
        return None
    folder = private_cache_folder("common-words")  # words kept by others could hide a client's name from the leak gate
    return folder / f"{language}-wordfreq-{wordfreq_version}.txt" if folder is not None else None


def _read(path: Path) -> frozenset[str] | None:
    """The words of a file `_write` wrote; None when it is absent, unreadable, cut short or altered."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    header, check, body = raw[:len(HEADER)], raw[len(HEADER):len(HEADER) + 65], raw[len(HEADER) + 65:]
    if header != HEADER or check != hashlib.sha256(body).hexdigest().encode() + b"\n":
        return None
    try:
        return frozenset(body.decode("utf-8").split("\n")) if body else frozenset()
    except UnicodeDecodeError:  # cannot happen once the digest matched, but a reader never raises
        return None


def _write(path: Path, words: frozenset[str]) -> None:
    """Keep the words (sorted, one a line, after the header and their digest), replacing the file at once."""
    body = "\n".join(sorted(words)).encode("utf-8")
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".words-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(HEADER + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
            os.replace(temporary, path)  # a build reading at the same time sees the old file or the new, never half
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:  # a full disk, a read-only folder: the next build takes the words from wordfreq again
        return
