"""Typeform: Results → Responses → Download all responses → CSV (or XLSX).

The first column `#` holds the response's token, then one column per question title; a
multiple-selection question has one column per choice, headed and filled with the choice's
text. Then `Response Type` (`completed`, `partial`), `Start Date (UTC)`, `Stage Date (UTC)`,
`Submit Date (UTC)` (`2022-11-30 21:39:41`, UTC), `Network ID`, `Tags`, and one column per
hidden field, named as the field (`t` for our token: `…#t=<token>` in the form's link).
Opinion-scale and rating answers are numbers; NPS is 0–10.
"""

from __future__ import annotations

from pathlib import Path

from generator.ingest.importers.common import ImportOptions, RawRow, SourceSpec, moment, read_table_rows

SPEC = SourceSpec(
    name="typeform",
    id_columns=("#", "response id", "token #"),
    time_columns=("submit date (utc)",),
    ignore_columns=("response type", "start date (utc)", "stage date (utc)", "network id", "tags", "ending", "score",
                    "utm source", "utm medium", "utm campaign", "utm content", "utm term"),
    multi_separators=(", ", ";"),
    naive_is_utc=True,
    status_column="response type",
)


def detect(names: list[str]) -> bool:
    """`#` first and `Submit Date (UTC)` or `Network ID` later."""
    return bool(names) and names[0] == "#" and bool({"submit date (utc)", "network id"} & set(names))


def read(path: Path) -> list[RawRow]:
    """Every response row of the download."""
    return read_table_rows(path)


def parse_time(text: str, options: ImportOptions) -> str:
    """`Submit Date (UTC)` is UTC."""
    return moment(text, options, naive_is_utc=True)
