"""Rejected records: kept whole in `data/quarantine/<source>-<date>.csv` with their reason.

A record is stored exactly as it arrived (as JSON text), with where it came from (file and
line for imports) and why it was refused. The same record refused for the same reason is
stored once: re-importing a file adds nothing here either.

The consultant opens these files in a spreadsheet, and most cells repeat what a stranger sent
(a column name, a survey id, a file name): a text cell that a spreadsheet would run as a
formula gets a leading `'`, as in the dashboards' CSV exports. Two cells are left exactly as
written: `record`, the JSON of what arrived (JSON never starts with a formula; a negative
number is only a number), and `key`, hex digits that earlier files are matched by.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.csv_text import spreadsheet_text
from generator.ingest.append import appended, read_bytes, read_table, replace_atomically

QUARANTINE_FOLDER = "quarantine"
QUARANTINE_COLUMNS = ("received_at", "source", "file", "line", "reason", "detail", "survey", "record", "key")


@dataclass(frozen=True)
class Rejected:
    """One refused record: the reason is a short code (`too_fast`, `out_of_range: recommend=11`)."""

    source: str
    reason: str
    detail: str
    record: Any
    survey: str = ""
    file: str = ""
    line: int = 0

    @property
    def key(self) -> str:
        """Identity of the refusal: source, reason and record (not when or from which copy)."""
        payload = json.dumps([self.source, self.reason, self.record], sort_keys=True, ensure_ascii=True, default=str)
        return hashlib.sha256(payload.encode("ascii")).hexdigest()[:24]


def record_text(record: Any) -> str:
    """The record as JSON text; escapes only what UTF-8 cannot hold (lone surrogates)."""
    text = json.dumps(record, ensure_ascii=False, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(record, ensure_ascii=True, default=str)
    return text


def quarantine_path(data_dir: Path, source: str, day: dt.date) -> Path:
    """`data/quarantine/<source>-<YYYY-MM-DD>.csv`."""
    return data_dir / QUARANTINE_FOLDER / f"{source}-{day.isoformat()}.csv"


def write_quarantine(data_dir: Path, rejected: Iterable[Rejected], received_at: dt.datetime,
                     write: bool = True) -> dict[str, Path]:
    """Append the refusals not already stored; return each one's key → the file holding it.

    The caller holds the data lock. With `write=False` only says where they would go.
    """
    by_source: dict[str, list[Rejected]] = {}
    for item in rejected:
        by_source.setdefault(item.source, []).append(item)
    where: dict[str, Path] = {}
    for source, items in by_source.items():
        known = _known_keys(data_dir, source)
        target = quarantine_path(data_dir, source, received_at.date())
        rows: list[list[str]] = []
        for item in items:
            if item.key in known:
                where[item.key] = known[item.key]
                continue
            known[item.key] = target
            where[item.key] = target
            texts = [received_at.isoformat(timespec="seconds"), item.source, item.file,
                     str(item.line) if item.line else "", item.reason, item.detail, item.survey]
            rows.append([*map(spreadsheet_text, texts), record_text(item.record), item.key])
        if rows and write:
            replace_atomically(target, appended(read_bytes(target), QUARANTINE_COLUMNS, rows))
    return where


def _known_keys(data_dir: Path, source: str) -> dict[str, Path]:
    """Keys of every refusal already stored for this source, on any day."""
    known: dict[str, Path] = {}
    folder = data_dir / QUARANTINE_FOLDER
    if not folder.is_dir():
        return known
    for path in sorted(folder.glob(f"{source}-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].csv")):
        try:
            header, rows = read_table(read_bytes(path))
        except ValueError:
            continue  # an unreadable quarantine file only costs a repeated entry
        if "key" not in header:
            continue
        column = header.index("key")
        for row in rows:
            if column < len(row):
                known.setdefault(row[column], path)
    return known
