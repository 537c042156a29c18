"""Read a CSV file that grew by appending: only the new records, added to what its earlier bytes gave.

`contacts.csv` and `responses/*.csv` grow at their end (the collector, `rapport import`, a
consultant logging a visit). When the memo (generator/memo.py `load_grown`) holds the frame the
file's first bytes gave, unchanged, the records after them are read and checked on their own, with
the header line in front, and added to it: a new response in a 100,000-row file reads one row.

Only a clean append takes this way: the earlier bytes end with a line end, no carriage return
anywhere (then the physical line of a record is one more than the line feeds before it), a
header without quotes, and new records with no problem whose ids are new. Anything else is
read whole, as it always was, so every message about a bad row comes from the whole file, with
its line numbers and its "first used on line N".
"""

from __future__ import annotations

import pandas as pd

NEWLINE = 0x0A


def tail_text(data: bytes, length: int) -> tuple[bytes, int] | None:
    """The header line and the bytes after the first `length`, as one CSV text, and what to add to
    its line numbers to make them the file's; None when the file did not grow by whole lines."""
    if not 0 < length < len(data) or data[length - 1] != NEWLINE or b"\r" in data:
        return None
    header_end = data.find(b"\n") + 1
    if header_end > length or b'"' in data[:header_end]:
        return None
    # line 1 of the text is the header; its line 2 is the file's line after the `length` bytes
    return data[:header_end] + data[length:], data.count(b"\n", 0, length) - 1


def appended(before: pd.DataFrame, after: pd.DataFrame, offset: int) -> pd.DataFrame | None:
    """`before` followed by `after` (read from the appended text, its lines moved by `offset`); None
    when the two do not have the same columns and types (then the file is read whole)."""
    if list(after.columns) != list(before.columns):
        return None
    if after.empty:  # only blank lines appended (an empty frame's columns have no type to compare)
        return before
    if not after.dtypes.equals(before.dtypes):
        return None
    after = after.assign(line=after["line"] + offset)
    return pd.concat([before, after], ignore_index=True)
