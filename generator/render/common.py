"""Helpers every page renderer shares: relative links, CSP and inline-style hashes."""

from __future__ import annotations

import base64
import hashlib
from pathlib import PurePosixPath

from generator.files import OutputFile


def root_prefix(page_path: str) -> str:
    """Relative prefix from a page back to its site root (`../../` for `a/b/index.html`)."""
    depth = len(PurePosixPath(page_path).parts) - 1
    return "../" * depth


def csp_hash(text: str) -> str:
    """The CSP source expression for an inline `<style>` or `<script>` with this content."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def html_file(path: str, html: str) -> OutputFile:
    """An HTML page as UTF-8 bytes."""
    return OutputFile(path, html.encode("utf-8"))
