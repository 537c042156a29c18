"""Our own CSV: the columns of a response file, for answers typed in or kept elsewhere.

`response_id,client,submitted_at,<question ids…>`, plus optional `survey`, `token`,
`shown_at`. `client` may name the client directly (this file is the consultant's own);
`submitted_at` is ISO 8601 (a time without offset is in `--timezone`); a multi answer is
`;`-joined. An empty `response_id` is derived from the row.
"""

from __future__ import annotations

from pathlib import Path

from generator.ingest.importers.common import ImportOptions, RawRow, SourceSpec, iso_time, read_csv_rows

SPEC = SourceSpec(
    name="csv",
    id_columns=("response id",),
    time_columns=("submitted at",),
    multi_separators=(";",),
    client_column=True,
    id_is_ours=True,
)


def read(path: Path) -> list[RawRow]:
    """Every row of the file."""
    return read_csv_rows(path)


def parse_time(text: str, options: ImportOptions) -> str:
    """ISO 8601; without an offset, in the import's time zone."""
    return iso_time(text, options, naive_is_utc=False)
