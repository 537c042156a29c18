"""`--source auto`: which tool wrote an export, told by its header (or, for JSON Lines, its first character)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from generator.errors import RapportError
from generator.ingest.importers.columns import normalise
from generator.ingest.importers.files import read_records

JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")


def detect_source(path: Path, sources: dict[str, ModuleType]) -> str:
    """The name of the first source whose `detect` accepts the file's header; RapportError when none does."""
    try:
        start = path.read_bytes()[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as exc:
        raise RapportError(f"{path}: cannot read ({exc.strerror})") from None
    if path.suffix.lower() in JSON_SUFFIXES or start.startswith(b"{"):
        return "jsonl"
    records = read_records(path)
    names = [normalise(cell) for cell in records[0][1]]
    for name, module in sources.items():
        if module.detect(names):
            return name
    shown = ", ".join(cell for cell in records[0][1][:6] if cell.strip())
    raise RapportError(f"{path}: cannot tell which tool wrote this file from its header ({shown[:120]}…); "
                       f"name it with --source ({', '.join(sources)})")
