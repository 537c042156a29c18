"""CSV text exactly as the loaders read it back: `\n` line ends, quoted only where needed.

Also the guard for CSV that people open in a spreadsheet: `spreadsheet_text` gives a text
that a spreadsheet would run as a formula a leading `'`.

Importing this module also lifts the csv module's field size limit (131,072 characters by
default) for the whole process: an export with one very long cell must be read, so that its
row can be stored or quarantined like any other, not stop the import.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # the reader's type exists only in the type stubs (at run time the class is _csv.reader)
    from _csv import Reader

# the largest value every platform's C long holds; a field can never exceed the file it is in,
# and the files are read whole anyway
FIELD_SIZE_LIMIT = 2**31 - 1
csv.field_size_limit(FIELD_SIZE_LIMIT)

# what a spreadsheet takes for the start of a formula (tab and CR: some strip them first)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD_SET = frozenset((*FORMULA_STARTS, "'"))


def reader(text: str) -> Reader:
    """The records of CSV text, strictly (a stray quote is an error), with the limit lifted."""
    return csv.reader(io.StringIO(text, newline=""), strict=True)


def csv_lines(rows: Iterable[Sequence[object]]) -> bytes:
    """Rows as UTF-8 CSV with `\\n` line ends, quoted where needed; proven to read back the same.

    The csv module's writer leaves a lone `\\r` unquoted when the line end is `\\n`, and
    every CSV reader then splits the row there, so cells are quoted here by hand.
    """
    cells = [[str(cell) for cell in row] for row in rows]
    text = "".join(",".join(_quoted(cell) for cell in row) + "\n" for row in cells)
    if [row for row in reader(text) if row] != [row for row in cells if row]:
        raise ValueError("these rows would not read back as written; nothing was written")
    return text.encode("utf-8")


def _quoted(cell: str) -> str:
    if any(char in cell for char in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def spreadsheet_text(text: str) -> str:
    """The text with a leading `'` if a spreadsheet would run it as a formula.

    Text that already starts with `'` gets one too (spreadsheets hide the first), so
    removing one leading `'` from any prefixed cell always gives back exactly the text.
    """
    return "'" + text if text[:1] in GUARD_SET else text


def spreadsheet_texts(texts: Iterable[str]) -> list[str]:
    """`spreadsheet_text` of each text: a column of an export at once."""
    return ["'" + text if text[:1] in GUARD_SET else text for text in texts]
