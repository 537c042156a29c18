"""Helpers every page renderer shares: relative links, CSP and inline-style hashes."""

from __future__ import annotations

import base64
import functools
import hashlib
from pathlib import PurePosixPath

from generator.files import OutputFile


def root_prefix(page_path: str) -> str:
    """Relative prefix from a page back to its site root (`../../` for `a/b/index.html`)."""
    folder, _, name = page_path.rpartition("/")
    if name and name != ".":  # the folder's parts and the file's: the folder's prefix, made once for its thousand pages
        return _folder_prefix(folder)
    return "../" * (len(PurePosixPath(page_path).parts) - 1)


@functools.lru_cache(maxsize=256)
def _folder_prefix(folder: str) -> str:
    """`root_prefix` of a file in `folder` ('' for the root)."""
    return "../" * len(PurePosixPath(folder).parts) if folder else ""


def csp_hash(text: str) -> str:
    """The CSP source expression for an inline `<style>` or `<script>` with this content."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def html_file(path: str, html: str) -> OutputFile:
    """An HTML page as UTF-8 bytes."""
    return OutputFile(path, html.encode("utf-8"))
