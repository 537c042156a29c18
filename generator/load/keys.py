"""What each loaded file is a function of: digests of bytes, for the keys of values kept in a memo."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from generator.digests import digest
from generator.model import Survey

_FILE_KEYS: dict[tuple[str, int, int, int], bytes] = {}


def file_key(path: Path) -> bytes:
    """A digest of a file's bytes for a key; a marker when it cannot be read (the loader reports why).

    Kept per file version (size, time, inode) in this process, so that a long-running preview
    reads a large unchanged file once for its keys however many builds ask.
    """
    try:
        stat = path.stat()
        version = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ino)
        if version not in _FILE_KEYS:
            if len(_FILE_KEYS) > 256:  # a long-running preview: forget older versions
                _FILE_KEYS.clear()
            _FILE_KEYS[version] = bytes_key(path.read_bytes())
        return _FILE_KEYS[version]
    except OSError:
        return b"missing"


def bytes_key(data: bytes | memoryview) -> bytes:
    """`file_key` of a file holding `data` (or of its first bytes: generator/load/appended.py)."""
    return b"file\x00" + digest(data)  # type: ignore[arg-type]  # hashlib takes any buffer


def ids_key(client_ids: Collection[str] | None) -> bytes:
    """The client ids a file's checks compare against (None: clients.yaml unreadable)."""
    return b"unknown" if client_ids is None else "\x00".join(sorted(client_ids)).encode()


def contacts_key(data_dir: Path, client_ids: Collection[str] | None) -> list[bytes]:
    """Everything the loaded contacts frame is a function of (besides the code)."""
    return [file_key(data_dir / "contacts.csv"), ids_key(client_ids)]


def responses_key(path: Path, survey: Survey, client_ids: Collection[str] | None) -> list[bytes]:
    """Everything one survey's loaded responses frame is a function of (besides the code)."""
    return [file_key(path), survey.model_dump_json().encode(), ids_key(client_ids)]

