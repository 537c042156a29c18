"""Microsoft Forms: the workbook from Responses → Open results in Excel (`.xlsx`), or that sheet saved as CSV.

Columns `ID, Start time, Completion time, Email, Name` (newer forms add `Last modified
time`; quizzes add `Total points`, `Quiz feedback` and `Points - …`/`Feedback - …` per
question), then one per question title. In the workbook the times are Excel dates; saved as
CSV they read as the owner's locale writes them, often with a two-digit year (`11/30/22
22:39`), in the owner's time zone. A multi-select answer is its options joined with `;`
and ended with `;` (`Helpdesk;Security;`). `ID` counts the form's responses: it is the
response id, so an edited response (same ID) replaces the stored one.
"""

from __future__ import annotations

from pathlib import Path

from generator.ingest.importers.common import ImportOptions, RawRow, SourceSpec, moment, read_table_rows

SPEC = SourceSpec(
    name="microsoft-forms",
    id_columns=("id",),
    time_columns=("completion time",),
    ignore_columns=("start time", "email", "name", "last modified time", "total points", "quiz feedback",
                    "grade posted to students time"),
    multi_separators=(";",),
)


def detect(names: list[str]) -> bool:
    """`ID, Start time, Completion time` open the header."""
    return names[:3] == ["id", "start time", "completion time"]


def read(path: Path) -> list[RawRow]:
    """Every response row of the workbook or CSV."""
    return read_table_rows(path)


def parse_time(text: str, options: ImportOptions) -> str:
    """The owner's local time (an Excel date in the workbook, the locale's text in a CSV)."""
    return moment(text, options, naive_is_utc=False)
