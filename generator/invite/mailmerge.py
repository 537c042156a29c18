"""The mail-merge CSV: one row per invitation, for Word, Outlook or a mailing tool.

Every cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, …) starts with `'`
(generator/csv_text.py): the file is opened in Excel before a merge. UTF-8 with a BOM, which
Excel needs to read the accents of a name as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.csv_text import csv_lines, spreadsheet_text

MAIL_MERGE_COLUMNS = ("client", "client_name", "contact", "email", "subject", "text_body", "html_body", "link")


@dataclass(frozen=True)
class MergeRow:
    """One invitation as the merge sees it."""

    client: str
    client_name: str
    contact: str
    email: str
    subject: str
    text_body: str
    html_body: str
    link: str


def mail_merge_csv(rows: Sequence[MergeRow]) -> bytes:
    """The CSV file's bytes: header, then one guarded row per invitation."""
    cells = [[spreadsheet_text(getattr(row, column)) for column in MAIL_MERGE_COLUMNS] for row in rows]
    return b"\xef\xbb\xbf" + csv_lines([list(MAIL_MERGE_COLUMNS), *cells])
