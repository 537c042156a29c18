"""What each loaded file is a function of: digests of bytes, for the keys of values kept in a memo."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from generator.file_keys import bytes_key, file_key
from generator.model import Survey

__all__ = ["bytes_key", "contacts_key", "file_key", "ids_key", "responses_key"]


def ids_key(client_ids: Collection[str] | None) -> bytes:
    """The client ids a file's checks compare against (None: clients.yaml unreadable)."""
    return b"unknown" if client_ids is None else "\x00".join(sorted(client_ids)).encode()


def contacts_key(data_dir: Path, client_ids: Collection[str] | None) -> list[bytes]:
    """Everything the loaded contacts frame is a function of (besides the code)."""
    return [file_key(data_dir / "contacts.csv"), ids_key(client_ids)]


def responses_key(path: Path, survey: Survey, client_ids: Collection[str] | None) -> list[bytes]:
    """Everything one survey's loaded responses frame is a function of (besides the code)."""
    return [file_key(path), survey.model_dump_json().encode(), ids_key(client_ids)]

