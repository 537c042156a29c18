"""Tally: a form's Submissions tab → Download → CSV (or Excel).

Columns `Submission ID` (`PgYbzQ`), `Respondent ID`, `Submitted at` (`2024-08-11 23:25:40`,
UTC), then one per question title; hidden fields (`?t=<token>` in the form's link) are
columns named as the field. A checkboxes question is one column with the chosen options
joined with ', '; newer exports add one column per option, `Title (Option)`, holding
`true`/`false`. Linear scale and rating answers are numbers.
"""

from __future__ import annotations

from pathlib import Path

from generator.ingest.importers.common import ImportOptions, RawRow, SourceSpec, moment, read_table_rows

SPEC = SourceSpec(
    name="tally",
    id_columns=("submission id",),
    time_columns=("submitted at",),
    ignore_columns=("respondent id",),
    multi_separators=(", ", ";"),
    naive_is_utc=True,
)


def detect(names: list[str]) -> bool:
    """`Submission ID`, `Respondent ID` and `Submitted at`."""
    return {"submission id", "respondent id", "submitted at"} <= set(names)


def read(path: Path) -> list[RawRow]:
    """Every submission row of the download."""
    return read_table_rows(path)


def parse_time(text: str, options: ImportOptions) -> str:
    """`Submitted at` is UTC."""
    return moment(text, options, naive_is_utc=True)
