"""Digests of files for keys, kept per file version: read by the no-change check and by the memo's keys alike.

The standard library only: `rapport build` digests the data folder before it imports the data
libraries (generator/unchanged.py), and the load stage keys what it keeps by the same digests
(generator/load/keys.py); a file digested by the first is not read again by the second.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

# A long-running preview forgets older versions past this many (a data folder's files, twice over).
KEPT_VERSIONS = 4096
_FILE_KEYS: dict[tuple[str, int, int, int, int], bytes] = {}


def digest(*parts: bytes) -> bytes:
    """A digest of several byte strings, each length-prefixed so that their boundaries count."""
    hasher = hashlib.blake2b(digest_size=20)
    for part in parts:
        hasher.update(len(part).to_bytes(8, "little"))
        hasher.update(part)
    return hasher.digest()


def file_key(path: Path | str) -> bytes:
    """A digest of a file's bytes for a key; a marker when it cannot be read (the loader reports why).

    Kept per file version (size, time, device and inode) in this process, so that a build reads a
    large unchanged file once for its keys, and a long-running preview once however many builds ask.
    """
    try:
        stat = os.stat(path)
        # the file is the device and inode the path leads to: the path is only made absolute, not resolved (a
        # look-up of each of its folders, 0.03 ms a file: 0.02 s of every build's keys of its data and code)
        version = (os.path.abspath(path), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if version not in _FILE_KEYS:
            if len(_FILE_KEYS) > KEPT_VERSIONS:
                _FILE_KEYS.clear()
            with open(path, "rb") as file:
                _FILE_KEYS[version] = bytes_key(file.read())
        return _FILE_KEYS[version]
    except OSError:
        return b"missing"


def bytes_key(data: bytes | memoryview) -> bytes:
    """`file_key` of a file holding `data` (or of its first bytes: generator/load/appended.py)."""
    return b"file\x00" + digest(data)  # type: ignore[arg-type]  # hashlib takes any buffer


def file_size(path: Path | str) -> int:
    """The file's size in bytes (0 when it cannot be read)."""
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
