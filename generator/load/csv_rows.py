"""Read a CSV file as text cells, remembering the physical line each record starts on."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from generator import csv_text
from generator.errors import Problem, decode_utf8, did_you_mean, not_utf8
from generator.load.csv_fast import read_plain_csv, unix_line_ends

BOM = "\ufeff".encode()
# the C parser's start costs about a millisecond; the csv module reads this many bytes in less (generator/load/csv_fast.py)
PARSER_FROM = 32_768


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
    return read_csv_bytes(path.read_bytes(), shown, required, allowed, problems)


def read_csv_bytes(
    raw: bytes, shown: str, required: tuple[str, ...], allowed: tuple[str, ...] | None,
    problems: list[Problem],
) -> CsvTable | None:
    """`read_csv_table` of a file's bytes (or of its header line and the records appended to it)."""
    # deleting the few control bytes and comparing lengths costs a millisecond a megabyte, a
    # regular expression ten (UTF-8 never uses these bytes inside another character)
    controls = len(raw.translate(None, CONTROL_BYTES)) != len(raw)
    # the C parser decodes every cell strictly: a file it reads is UTF-8 (else it steps aside, and the decoder says where not)
    # (a small text, such as the records appended to a file since it was kept, is read by the csv module sooner)
    plain = None if controls or len(raw) < PARSER_FROM else read_plain_csv(unix_line_ends(raw.removeprefix(BOM)))
    if plain is not None:
        header_cells, body, body_lines = plain
        header_line = 1
    else:
        try:
            # decoded whole, so a bad byte's offset is the file's, not a decoder chunk's
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
        header_cells, header_line = text_rows[0], lines[0]
    header = tuple(cell.strip() for cell in header_cells)
    if not _header_ok(header, header_line, required, allowed, shown, problems):
        return None
    if plain is not None:
        frame = body.set_axis(list(header), axis=1)
        frame["line"] = body_lines
    else:
        frame = _frame(text_rows[1:], lines[1:], header, shown, problems)
    if controls:
        _report_control_characters(frame, header, shown, problems)
    return CsvTable(frame, header)


def _header_ok(
    header: tuple[str, ...], line: int, required: tuple[str, ...], allowed: tuple[str, ...] | None,
    shown: str, problems: list[Problem],
) -> bool:
    """Report missing, repeated and unknown columns; True when there is none."""
    header_ok = True
    for column in required:
        if column not in header:
            problems.append(Problem(shown, line, column, f"column is missing (expected header {','.join(required)})"))
            header_ok = False
    seen: set[str] = set()
    for column in header:
        if column in seen:
            problems.append(Problem(shown, line, column, "column appears twice"))
            header_ok = False
        seen.add(column)
        if allowed is not None and column not in allowed:
            problems.append(Problem(shown, line, column, f"unknown column (expected {','.join(allowed)}){did_you_mean(column, allowed)}"))
            header_ok = False
    return header_ok


def _frame(rows: list[list[str]], lines: list[int], header: tuple[str, ...], shown: str, problems: list[Problem]) -> pd.DataFrame:
    """The records as a frame of text with a `line` column; a record of another width is reported, not kept."""
    width = len(header)
    if any(size != width for size in set(map(len, rows))):
        good_rows, good_lines = [], []
        for row, line in zip(rows, lines):
            if len(row) != width:
                problems.append(Problem(shown, line, "", f"has {len(row)} fields (expected {width}: {','.join(header)})"))
                continue
            good_rows.append(row)
            good_lines.append(line)
        rows, lines = good_rows, good_lines
    frame = pd.DataFrame(rows, columns=list(header), dtype=object)
    if not rows:
        frame = pd.DataFrame({column: pd.Series(dtype=object) for column in header})
    frame["line"] = pd.Series(lines, dtype="int64")
    return frame


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
            fast = _shared(csv_text.reader(text))
        except csv.Error:
            fast = None  # read again below, to tell on which line
        if fast is not None and len(fast) == text.count("\n") + (not text.endswith("\n")) and all(fast):
            return fast, list(range(1, len(fast) + 1))
    reader = csv_text.reader(text)
    shared: dict[str, str] = {}
    rows: list[list[str]] = []
    lines: list[int] = []
    previous_end = 0
    try:
        for row in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not row:
                continue
            rows.append([shared.setdefault(cell, cell) for cell in row])
            lines.append(start)
    except csv.Error as exc:
        # the record being read when the error struck starts just after the last good one
        raise BrokenRecord(previous_end + 1, _broken_reason(str(exc), previous_end + 1, reader.line_num)) from None
    return rows, lines


def _shared(records: Iterable[list[str]]) -> list[list[str]]:
    """The records with one text object per distinct cell text, as they are read.

    The csv module makes a new string for every cell: 1.3 million client ids, kinds and staff
    names each at 10,000 clients, where pandas' parser (the usual way, generator/load/csv_fast.py)
    shares them. Sharing them while reading keeps only the distinct ones alive at once.
    """
    shared: dict[str, str] = {}
    return [[shared.setdefault(cell, cell) for cell in row] for row in records]


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
