"""Read a CSV file as text cells, remembering the physical line each record starts on."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from generator.errors import Problem, decode_utf8, did_you_mean, not_utf8


@dataclass(frozen=True)
class CsvTable:
    """Every cell as written (text), plus a `line` column."""

    frame: pd.DataFrame
    header: tuple[str, ...]


def read_csv_table(
    path: Path, shown: str, required: tuple[str, ...], allowed: tuple[str, ...] | None,
    problems: list[Problem],
) -> CsvTable | None:
    """Read `path`; report a bad header or ragged rows, return the rows that are well formed.

    `allowed` None means extra columns are allowed (the caller checks them).
    """
    try:
        # decoded whole, so a bad byte's offset is the file's, not a decoder chunk's
        text = decode_utf8(path.read_bytes())
    except UnicodeDecodeError as exc:
        problems.append(not_utf8(shown, exc))
        return None
    try:
        text_rows, lines = _records(text)
    except BrokenRecord as exc:
        problems.append(Problem(shown, exc.line, "", f"not valid CSV: {exc.reason}"))
        return None
    if not text_rows:
        problems.append(Problem(shown, 1, "", f"file is empty (expected the header {','.join(required)})"))
        return None
    header = tuple(cell.strip() for cell in text_rows[0])
    header_ok = True
    for column in required:
        if column not in header:
            problems.append(Problem(shown, lines[0], column, f"column is missing (expected header {','.join(required)})"))
            header_ok = False
    seen: set[str] = set()
    for column in header:
        if column in seen:
            problems.append(Problem(shown, lines[0], column, "column appears twice"))
            header_ok = False
        seen.add(column)
        if allowed is not None and column not in allowed:
            problems.append(Problem(shown, lines[0], column, f"unknown column (expected {','.join(allowed)}){did_you_mean(column, allowed)}"))
            header_ok = False
    if not header_ok:
        return None
    width = len(header)
    good_rows: list[list[str]] = text_rows[1:]
    good_lines: list[int] = lines[1:]
    if any(size != width for size in set(map(len, good_rows))):
        good_rows, good_lines = [], []
        for row, line in zip(text_rows[1:], lines[1:]):
            if len(row) != width:
                problems.append(Problem(shown, line, "", f"has {len(row)} fields (expected {width}: {','.join(header)})"))
                continue
            good_rows.append(row)
            good_lines.append(line)
    frame = pd.DataFrame(good_rows, columns=list(header), dtype=object)
    if not good_rows:
        frame = pd.DataFrame({column: pd.Series(dtype=object) for column in header})
    frame["line"] = pd.Series(good_lines, dtype="int64")
    return CsvTable(frame, header)


class BrokenRecord(Exception):
    """A record the csv module cannot parse, with the physical line it starts on."""

    def __init__(self, line: int, reason: str):
        self.line = line
        self.reason = reason
        super().__init__(f"{line}: {reason}")


def _records(text: str) -> tuple[list[list[str]], list[int]]:
    """All non-blank records and the physical line each one starts on; raise BrokenRecord."""
    # the usual file: one record per line and no blank line, so record k starts on line k
    if "\r" not in text:
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
        except csv.Error:
            rows = None  # read again below, to tell on which line
        if rows is not None and len(rows) == text.count("\n") + (not text.endswith("\n")) and all(rows):
            return rows, list(range(1, len(rows) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    previous_end = 0
    try:
        for row in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not row:
                continue
            rows.append(row)
            lines.append(start)
    except csv.Error as exc:
        # the record being read when the error struck starts just after the last good one
        raise BrokenRecord(previous_end + 1, str(exc)) from None
    return rows, lines
