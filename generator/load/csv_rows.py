"""Read a CSV file as text cells, remembering the physical line each record starts on."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from generator import csv_text
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
        raw = path.read_bytes()
        text = decode_utf8(raw)
    except UnicodeDecodeError as exc:
        problems.append(not_utf8(shown, exc))
        return None
    try:
        text_rows, lines = _records(text)
    except BrokenRecord as exc:
        problems.append(Problem(shown, exc.line, "", exc.reason))
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
    # deleting the few control bytes and comparing lengths costs a millisecond a megabyte, a
    # regular expression ten (UTF-8 never uses these bytes inside another character)
    if len(raw.translate(None, CONTROL_BYTES)) != len(raw):
        _report_control_characters(frame, header, shown, problems)
    return CsvTable(frame, header)


# C0 control characters and DEL, except tab, line feed and carriage return (allowed in quoted notes):
# a NUL or an escape code is a sign of a damaged file or a binary paste, and breaks what reads the cell later
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_BYTES = bytes([*range(0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f])


def _report_control_characters(frame: pd.DataFrame, header: tuple[str, ...], shown: str, problems: list[Problem]) -> None:
    """One problem per cell holding a control character (the file was searched as a whole first: rarely needed)."""
    for column in header:
        found = frame[column].str.contains(CONTROL_CHARACTER.pattern, regex=True)
        for value, line in zip(frame.loc[found, column].tolist(), frame.loc[found, "line"].tolist()):
            match = CONTROL_CHARACTER.search(value)
            if match is None:  # the mask above found one in every cell it picked
                continue
            code = ord(match.group())
            problems.append(Problem(shown, int(line), column, f"contains the control character U+{code:04X} "
                                                              "(expected text; tabs and line breaks are allowed)"))


class BrokenRecord(Exception):
    """A record the csv module cannot parse, with the physical line it starts on and the message to print."""

    def __init__(self, line: int, reason: str):
        self.line = line
        self.reason = reason
        super().__init__(f"{line}: {reason}")


def _records(text: str) -> tuple[list[list[str]], list[int]]:
    """All non-blank records and the physical line each one starts on; raise BrokenRecord."""
    # the usual file: one record per line and no blank line, so record k starts on line k
    if "\r" not in text:
        fast: list[list[str]] | None
        try:
            fast = list(csv_text.reader(text))
        except csv.Error:
            fast = None  # read again below, to tell on which line
        if fast is not None and len(fast) == text.count("\n") + (not text.endswith("\n")) and all(fast):
            return fast, list(range(1, len(fast) + 1))
    reader = csv_text.reader(text)
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
        raise BrokenRecord(previous_end + 1, _broken_reason(str(exc), previous_end + 1, reader.line_num)) from None
    return rows, lines


QUOTE_ADVICE = "a '\"' inside a quoted field is written '\"\"'"


def _broken_reason(reason: str, start: int, reached: int) -> str:
    """The csv module's reason in plain words, with where an unclosed quote starts."""
    if reason == "unexpected end of data" or (reason.startswith("',' expected") and reached > start):
        # the quote opened on the start line took in every line up to the next quote, or to the end
        return (f"not valid CSV (the quoted field that starts on line {start} is never closed, "
                f"so where the rows after it end is unknown; {QUOTE_ADVICE})")
    if reason.startswith("',' expected"):
        return f"not valid CSV (text after a quoted field's closing quote; {QUOTE_ADVICE})"
    return f"not valid CSV: {reason}"
