"""Google Forms: the CSV that Forms downloads (Responses → ⋮ → Download responses) or its linked Sheet's.

Both have a `Timestamp` column (localised: `Horodateur`, `Zeitstempel`, …) and one column
per question *title*, so answers are matched by label. Forms' own download writes the time
in the form owner's locale with its zone, `2022/11/30 10:39:41 PM GMT+1`; the Sheet writes
wall-clock time in the sheet's locale and zone with no offset — `11/30/2026 14:03:12`
(United States), `30/11/2026 14:03:12` (United Kingdom), `30.11.2026 14:03:12` (Germany) —
so `--timezone` names the sheet's zone (File → Settings) and the day/month order comes from
the file, `--dayfirst`/`--monthfirst` or `locale` in site.yaml. A quiz adds `Score`, a form
that collects e-mails `Email Address`. Checkbox answers are joined with ', '. There is no
response id: the row identifies the response. The hidden `token` is a short-answer question
of the form, matched by its title.
"""

from __future__ import annotations

from pathlib import Path

from generator.ingest.importers.common import ImportOptions, RawRow, SourceSpec, moment, read_table_rows

SPEC = SourceSpec(
    name="google-forms",
    time_columns=("timestamp", "horodateur", "zeitstempel", "marca temporal", "informazioni cronologiche",
                  "carimbo de data/hora", "tijdstempel"),
    ignore_columns=("email address", "score", "e mail address"),
    multi_separators=(", ", ";"),
)


def detect(names: list[str]) -> bool:
    """A first column named Timestamp (in one of Forms' languages)."""
    return bool(names) and names[0] in SPEC.time_columns


def read(path: Path) -> list[RawRow]:
    """Every response row of the download."""
    return read_table_rows(path)


def parse_time(text: str, options: ImportOptions) -> str:
    """The owner's local time, with its `GMT+1` zone when Forms wrote one."""
    return moment(text, options, naive_is_utc=False)
