"""Google Forms: the linked Google Sheet downloaded as CSV (File → Download → CSV).

The sheet has a `Timestamp` column and one column per question *title*, so answers are
matched to questions by label (or by `import_map` in the survey). The timestamp is written
in the sheet's locale and time zone with no offset — `11/30/2026 14:03:12` (United
States), `30/11/2026 14:03:12` (United Kingdom), `30.11.2026 14:03:12` (Germany),
`2026-11-30 14:03:12` — so `--timezone` names the sheet's zone (File → Settings) and the
day/month order is read from the file (`--date-order` when every day is 12 or less).
Checkbox answers are joined with ', '. The sheet has no submission id: the row identifies
the submission. The hidden `token` (and `survey`, `shown_at`) fields are ordinary
questions of the Google Form, matched by their titles.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from generator.ingest.importers.common import (ImportNotes, ImportOptions, RawRow, SourceSpec, iso_time, local_time,
                                               normalise, read_csv_rows, with_options, written)

SPEC = SourceSpec(
    name="google-forms",
    time_columns=("timestamp", "horodateur", "zeitstempel", "marca temporal", "informazioni cronologiche"),
    ignore_columns=("email address", "score"),
    multi_separators=(", ", ";"),
)

LOCALE_TIME = re.compile(
    r"^(?P<a>\d{1,4})[/.-](?P<b>\d{1,2})[/.-](?P<c>\d{1,4})[ T,]+"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<half>[AaPp]\.?[Mm]\.?)?$"
)


def read(path: Path) -> list[RawRow]:
    """Every response row of the sheet."""
    return read_csv_rows(path)


def prepare(rows: list[RawRow], options: ImportOptions, notes: ImportNotes) -> ImportOptions:
    """Settle day/month order from the file itself when it was not given."""
    if options.date_order != "auto":
        return options
    firsts, seconds = [], []
    for row in rows:
        for column, values in row.cells.items():
            if normalise(column) not in SPEC.time_columns:
                continue
            for value in values:
                match = LOCALE_TIME.match(value.strip())
                if match and len(match["a"]) <= 2:
                    firsts.append(int(match["a"]))
                    seconds.append(int(match["b"]))
    if any(first > 12 for first in firsts):
        return with_options(options, date_order="dmy")
    if firsts and not any(second > 12 for second in seconds):
        notes.add("every timestamp could be month/day or day/month: read as month/day/year "
                  "(the Google Sheets default); use --date-order dmy for a day-first sheet")
    return with_options(options, date_order="mdy")


def parse_time(text: str, options: ImportOptions) -> str:
    """A sheet timestamp (wall-clock time in the sheet's zone), or ISO 8601."""
    match = LOCALE_TIME.match(text)
    if match is None:
        return iso_time(text, options, naive_is_utc=False)
    a, b, c = int(match["a"]), int(match["b"]), int(match["c"])
    if len(match["a"]) == 4:
        year, month, day = a, b, c
    elif options.date_order == "dmy":
        day, month, year = a, b, c
    else:
        month, day, year = a, b, c
    if len(match["c"]) != 4 and len(match["a"]) != 4:
        raise ValueError(f"'{text[:40]}' has no four-digit year")
    hour = int(match["hour"])
    if match["half"]:
        if not 1 <= hour <= 12:
            raise ValueError(f"'{text[:40]}' is not a real time")
        hour = hour % 12 + (12 if match["half"][0] in "Pp" else 0)
    try:
        naive = dt.datetime(year, month, day, hour, int(match["minute"]), int(match["second"] or 0))
    except ValueError:
        raise ValueError(f"'{text[:40]}' is not a real date and time ({options.date_order} order)") from None
    return written(local_time(naive, options), options)
