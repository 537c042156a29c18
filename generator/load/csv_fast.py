"""Read a plain CSV file with pandas' C parser, when it provably reads as the csv module would.

The csv module (strict, as `generator/csv_text.py` reads) walks a 15 MB contacts file in
about 0.4 s; pandas' C tokenizer makes the same cells in a quarter of that. The two agree on
well-formed files but not on broken ones: pandas reads `"a"x` as `ax` where the strict csv
module stops, skips no blank line, and fills a short row with empty cells. So the C parser's
cells are used only when the file's shape is checked, at once with numpy over its bytes: no
carriage return, no blank line, every quote opening or closing a field or doubled inside
one, and the same number of fields in every record. Any other file (rare: a damaged or
hand-edited one) is read by the csv module, which says where and why it is broken.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

QUOTE, COMMA, NEWLINE, RETURN = ord('"'), ord(","), ord("\n"), ord("\r")
# the bytes are compared a slice at a time: a comparison of the whole file makes a temporary
# array as large as the file (150 MB at 10,000 clients, twice), which sets the load stage's peak
SLICE = 1 << 22


def read_plain_csv(data: bytes) -> tuple[list[str], pd.DataFrame, np.ndarray] | None:
    """The header cells, the other records (columns 0…n-1, all text) and the line each starts on; None when not plain.

    `data` is the file's bytes without a byte-order mark, free of control characters; bytes
    that are not UTF-8 make the C parser stop, and then the result is None too.
    """
    if not data or b"\r" in data or data.startswith(b"\n"):
        return None
    chars = np.frombuffer(data, dtype=np.uint8)
    quotes = _positions(chars, QUOTE)
    if not _quotes_plain(chars, quotes):
        return None
    try:
        table = pd.read_csv(io.BytesIO(data), header=None, dtype=object, na_filter=False, keep_default_na=False,
                            skip_blank_lines=False, on_bad_lines="error", engine="c", encoding="utf-8")
    except (ValueError, pd.errors.ParserError):  # a shape the checks let through: the csv module decides
        return None
    records, width = table.shape
    # pandas stops at a record longer than the first and pads a shorter one with empty cells: every
    # record has the first one's width when the commas between fields (those not inside a quoted
    # field) are exactly width - 1 a record
    before = _counts_before(chars, COMMA, quotes)  # the commas before each quote
    inside = int((before[1::2] - before[0::2]).sum())
    if data.count(b",") - inside != records * (width - 1):
        return None
    lines = _record_lines(data, chars, quotes, records)
    if lines is None:
        return None
    header = [str(cell) for cell in table.iloc[0].tolist()]
    # the records after the header, as a view of the parser's block rather than a copy of every cell
    body = table.iloc[1:].reset_index(drop=True)
    return header, body, lines[1:]


def unix_line_ends(data: bytes) -> bytes:
    """`data` with each CRLF line end written LF, when the csv module reads both alike; else `data`.

    A spreadsheet on Windows saves CSV with CRLF line ends; the csv module ends a record at a
    CRLF as at a LF, and counts it as one line. Only a carriage return inside a quoted field is
    text (the cell keeps it), and one not followed by a line feed is a line end of its own: a
    file with either is returned as it is (and read by the csv module).
    """
    returns = data.count(b"\r")
    if not returns or returns != data.count(b"\r\n"):
        return data
    chars = np.frombuffer(data, dtype=np.uint8)
    # inside a quoted field when an odd number of quotes come before it (read_plain_csv checks the quotes)
    if (np.searchsorted(_positions(chars, QUOTE), _positions(chars, RETURN)) % 2).any():
        return data
    return data.replace(b"\r\n", b"\n")


def _quotes_plain(chars: np.ndarray, quotes: np.ndarray) -> bool:
    """Every quote opens or closes a quoted field, or is doubled inside one (the strict csv module's rule)."""
    if len(quotes) % 2:
        return False
    if not len(quotes):
        return True
    opening, closing = quotes[0::2], quotes[1::2]
    # an opening quote starts a field (after a comma or a line end), or is the second of a doubled
    # quote inside a quoted field (right after the closing candidate before it)
    before = chars[np.maximum(opening - 1, 0)]
    if not ((opening == 0) | (before == COMMA) | (before == NEWLINE) | (before == QUOTE)).all():
        return False
    # a closing quote ends its field (a comma, a line end, the end of the file), or is doubled
    after = chars[np.minimum(closing + 1, len(chars) - 1)]
    return bool(((closing == len(chars) - 1) | (after == COMMA) | (after == NEWLINE) | (after == QUOTE)).all())


def _record_lines(data: bytes, chars: np.ndarray, quotes: np.ndarray, records: int) -> np.ndarray | None:
    """The line each of `records` records starts on; None when a line is blank (the csv module skips it)."""
    physical = data.count(b"\n") + (not data.endswith(b"\n"))
    if records == physical and b"\n\n" not in data:  # the usual file: record k on line k
        return np.arange(1, records + 1, dtype=np.int64)
    newlines = _positions(chars, NEWLINE)
    # a line end after an even number of quotes ends a record; one inside a quoted field is text
    ends = np.flatnonzero(np.searchsorted(quotes, newlines) % 2 == 0)  # indexes into newlines
    if (np.diff(newlines[ends]) == 1).any() or records != len(ends) + (not data.endswith(b"\n")):
        return None
    return np.concatenate(([1], ends[:records - 1] + 2)).astype(np.int64)


def _positions(chars: np.ndarray, byte: int) -> np.ndarray:
    """Where `byte` occurs in `chars` (ascending), compared a slice at a time."""
    parts = [np.flatnonzero(chars[start:start + SLICE] == byte) + start for start in range(0, len(chars), SLICE)]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.intp)


def _counts_before(chars: np.ndarray, byte: int, at: np.ndarray) -> np.ndarray:
    """How many times `byte` occurs before each of the ascending offsets `at`, a slice at a time."""
    counts = np.empty(len(at), dtype=np.intp)
    seen = 0
    for start in range(0, len(chars), SLICE):
        found = np.flatnonzero(chars[start:start + SLICE] == byte)
        low, high = np.searchsorted(at, (start, start + SLICE))
        counts[low:high] = seen + np.searchsorted(found, at[low:high] - start)
        seen += len(found)
    return counts
