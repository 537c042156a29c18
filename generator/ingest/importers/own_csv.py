"""Our own CSV: the columns of a response file, for answers typed in or kept elsewhere.

`response_id,client,submitted_at,<question ids…>`, plus optional `survey`, `token`,
`shown_at`. `client` may name the client directly (this file is the consultant's own);
`submitted_at` is ISO 8601 (a time without offset is in `--timezone`); a multi answer is
`;`-joined. An empty `response_id` is derived from the row.
"""

from __future__ import annotations

from pathlib import Path

from generator.ingest.importers.common import ImportOptions, RawRow, SourceSpec, moment, read_table_rows

SPEC = SourceSpec(
    name="csv",
    id_columns=("response id",),
    time_columns=("submitted at",),
    multi_separators=(";",),
    client_column=True,
    id_is_ours=True,
)


def detect(names: list[str]) -> bool:
    """Our own columns: `submitted_at` and `response_id` or `client`."""
    return "submitted at" in names and bool({"response id", "client"} & set(names))


def read(path: Path) -> list[RawRow]:
    """Every row of the file."""
    return read_table_rows(path)


def parse_time(text: str, options: ImportOptions) -> str:
    """ISO 8601; without an offset, in the import's time zone."""
    return moment(text, options, naive_is_utc=False)
