"""Netlify Forms: the CSV from "Download as CSV" on a form's page in the Netlify UI.

Assumed from Netlify's submission object (its API and webhooks carry `id`, `created_at`
and the fields under `data`, plus `ip`, `user_agent`, `referrer`), not checked against a
real download: one column per form field, `created_at` in UTC with `Z`
(`2026-11-20T14:03:12.088Z`), and optionally `id`, `ip`, `user_agent`, `referrer`,
`form_name`. Column names are matched ignoring case, spaces, `_` and `-`, so `Created at`
works too. Without an id, the row itself identifies the submission. The honeypot is
Netlify's `bot-field` (or our `website`).
"""

from __future__ import annotations

from pathlib import Path

from generator.ingest.importers.common import ImportOptions, RawRow, SourceSpec, moment, read_table_rows

SPEC = SourceSpec(
    name="netlify",
    id_columns=("id", "submission id"),
    time_columns=("created at", "date", "timestamp"),
    honeypot_columns=("website", "bot field"),
    ignore_columns=("form name", "ip", "user agent", "referrer", "referer", "site url", "number", "title",
                    "summary", "body", "site name"),
    multi_separators=(", ", ";"),
)


def detect(names: list[str]) -> bool:
    """A `created_at` column beside Netlify's `form_name` or `bot-field`."""
    return "created at" in names and bool({"form name", "bot field", "user agent"} & set(names))


def read(path: Path) -> list[RawRow]:
    """Every submission row of the download."""
    return read_table_rows(path)


def parse_time(text: str, options: ImportOptions) -> str:
    """`created_at` is UTC."""
    return moment(text, options, naive_is_utc=True)
