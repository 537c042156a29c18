"""JSON Lines: one JSON object a line, as an Apps Script `doPost` or any webhook would log it.

Each object holds the form's fields — `survey`, `token`, `shown_at`, `website`, one key
per question id (a list for a multi question) — and the time it was received in
`submitted_at` (or `timestamp`, `received_at`, `created_at`), ISO 8601; a time without
offset is in `--timezone`. The fields may also sit in a nested `answers`, `data` or
`parameters` object (Apps Script's `e.parameters` gives every value as a list). An optional
`response_id` is kept as is; without one the object identifies the response. A line that
is not a JSON object, or one `parse_json` refuses (a repeated field, deep nesting, a giant
number), is quarantined with its line number, as the text it arrived as.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.errors import RapportError
from generator.ingest.importers.common import ImportOptions, RawRow, SourceSpec, moment
from generator.ingest.json_text import Refused, parse_json

SPEC = SourceSpec(
    name="jsonl",
    id_columns=("response id",),
    time_columns=("submitted at", "timestamp", "received at", "created at"),
    ignore_columns=("ip", "user agent", "referrer", "form name"),
    multi_separators=(";", ", "),
    id_is_ours=True,
)
NESTED = ("answers", "data", "parameters", "parameter")


def detect(names: list[str]) -> bool:
    """Never by header: a JSON Lines file is told by its first character (see detect.py)."""
    return False


def read(path: Path) -> list[RawRow]:
    """Every non-blank line as a row."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RapportError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise RapportError(f"{path}: cannot read ({exc.strerror})") from None
    rows: list[RawRow] = []
    # split on \n only: JSON escapes line breaks inside strings, and U+2028 is not an end of line here
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = parse_json(line)
        except json.JSONDecodeError as exc:
            rows.append(RawRow(number, {}, line.rstrip("\r"), ("bad_json", f"not a JSON object: {exc.msg} at column {exc.colno}")))
            continue
        except Refused as exc:  # kept as the text it arrived as: no parsed value would be exact
            rows.append(RawRow(number, {}, line.rstrip("\r"), (exc.reason, exc.detail)))
            continue
        if not isinstance(record, dict):
            rows.append(RawRow(number, {}, record, ("bad_json", "expected a JSON object of field names and values")))
            continue
        try:
            rows.append(RawRow(number, _cells(record), record))
        except ValueError as exc:
            rows.append(RawRow(number, {}, record, ("bad_value", str(exc))))
    return rows


def _cells(record: dict[str, Any]) -> dict[str, list[str]]:
    cells: dict[str, list[str]] = {}
    for key, value in record.items():
        if key in NESTED and isinstance(value, dict):
            for inner_key, inner_value in value.items():
                cells.setdefault(inner_key, []).extend(_texts(inner_key, inner_value))
        else:
            cells.setdefault(key, []).extend(_texts(key, value))
    return cells


def _texts(key: str, value: Any) -> list[str]:
    """A field's values as text: strings as written, whole numbers in digits, lists item by item."""
    if isinstance(value, list):
        return [text for item in value for text in _texts(key, item)]
    if value is None:
        return [""]
    if isinstance(value, (bool, dict)):
        raise ValueError(f"'{key[:40]}': expected text, a whole number or a list of them")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"'{key[:40]}': {value} is not a whole number")
        return [str(int(value))]
    return [str(value)]


def parse_time(text: str, options: ImportOptions) -> str:
    """ISO 8601; without an offset, in the import's time zone."""
    return moment(text, options, naive_is_utc=False)
