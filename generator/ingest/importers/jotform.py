"""Jotform: Jotform Tables → Download → Download as CSV (or Excel).

`Submission Date` first, then one column per field label, then (when included)
`Submission ID`, `Submission IP`, `Last Update Date`. Dates are written in the account's
time zone, `2022-11-30 22:39:41` or `Nov 30, 2022 10:39 PM` by the account's setting.
A checkbox field's choices are written one per line inside the cell; a star rating or
scale as its number. The token is a hidden field, a column named as the field.
"""

from __future__ import annotations

from pathlib import Path

from generator.ingest.importers.common import ImportOptions, RawRow, SourceSpec, moment, read_table_rows

SPEC = SourceSpec(
    name="jotform",
    id_columns=("submission id",),
    time_columns=("submission date",),
    ignore_columns=("submission ip", "last update date", "ip", "edit link", "submission url"),
    multi_separators=("\n", ", ", ";"),
)


def detect(names: list[str]) -> bool:
    """A `Submission Date` column (Jotform's own name for the time of a submission)."""
    return "submission date" in names


def read(path: Path) -> list[RawRow]:
    """Every submission row of the download."""
    return read_table_rows(path)


def parse_time(text: str, options: ImportOptions) -> str:
    """The account's local time."""
    return moment(text, options, naive_is_utc=False)
