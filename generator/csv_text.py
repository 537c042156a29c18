"""CSV text exactly as the loaders read it back: `\n` line ends, quoted only where needed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence


def csv_lines(rows: Iterable[Sequence[str]]) -> bytes:
    """Rows as UTF-8 CSV with `\\n` line ends, quoted where needed; proven to read back the same.

    The csv module's writer leaves a lone `\\r` unquoted when the line end is `\\n`, and
    every CSV reader then splits the row there, so cells are quoted here by hand.
    """
    rows = [[str(cell) for cell in row] for row in rows]
    text = "".join(",".join(_quoted(cell) for cell in row) + "\n" for row in rows)
    if [row for row in csv.reader(io.StringIO(text, newline=""), strict=True) if row] != [row for row in rows if row]:
        raise ValueError("these rows would not read back as written; nothing was written")
    return text.encode("utf-8")


def _quoted(cell: str) -> str:
    if any(char in cell for char in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell
