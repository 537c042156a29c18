"""Formspree: the CSV export of a form's submissions (the form's Submissions tab → Export → CSV).

Its header is `_id,_date` and then every field name the form ever received, sorted
(older exports: `id,date,…`). `_date` is the time Formspree received the submission, in
UTC without an offset (`2026-11-20T14:03:12.123456`). Fields posted more than once (a
multi question's checkboxes) are joined with ', '. Formspree drops a submission whose
`_gotcha` honeypot is filled; one that shows up anyway is quarantined.
"""

from __future__ import annotations

from pathlib import Path

from generator.ingest.importers.common import ImportOptions, RawRow, SourceSpec, moment, read_table_rows

SPEC = SourceSpec(
    name="formspree",
    id_columns=("id",),          # `_id` and `id` both normalise to "id"
    time_columns=("date",),      # `_date`, `date`
    honeypot_columns=("website", "gotcha"),
    ignore_columns=("next", "subject", "replyto", "cc", "format", "language", "errors"),
    multi_separators=(", ", ";"),
    naive_is_utc=True,
)


def detect(names: list[str]) -> bool:
    """`_id` and `_date` (normalised to `id`, `date`) open the header."""
    return names[:2] == ["id", "date"]


def read(path: Path) -> list[RawRow]:
    """Every submission row of the export."""
    return read_table_rows(path)


def parse_time(text: str, options: ImportOptions) -> str:
    """`_date` is UTC; a time with its own offset keeps it."""
    return moment(text, options, naive_is_utc=True)
