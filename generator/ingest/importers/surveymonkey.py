"""SurveyMonkey: Analyze Results → Save as → Export file → All responses data, CSV or XLSX.

The export has two header rows: the first names each question (a question with several
columns names only its first), the second each column's part — `Response`, `Open-Ended
Response`, or an option's text. Before the questions come `Respondent ID` (newer files:
`Response ID`), `Collector ID`, `Start Date`, `End Date`, `IP Address`, `Email Address`,
`First Name`, `Last Name`, `Custom Data 1`. A multi-select question has one column per option
holding the option's text when it was chosen; a rating the label's text or number
(`Very satisfied`, `5`). `End Date` is when the response was completed,
`11/30/2022 10:39:41 PM`, in the account's time zone. The token travels as a custom
variable (`?t=…` on the collector link), exported as its own column `t`.
"""

from __future__ import annotations

from pathlib import Path

from generator.ingest.importers.common import ImportOptions, RawRow, SourceSpec, moment, rows_from_records
from generator.ingest.importers.files import read_records

SPEC = SourceSpec(
    name="surveymonkey",
    id_columns=("respondent id", "response id"),
    time_columns=("end date",),
    ignore_columns=("collector id", "start date", "ip address", "email address", "first name", "last name",
                    "custom data 1"),
    multi_separators=(", ", ";"),
)
HEADER_ROWS = 2


def detect(names: list[str]) -> bool:
    """`Respondent ID` (or `Response ID`) and `Start Date`."""
    return bool({"respondent id", "response id"} & set(names)) and "start date" in names


def read(path: Path) -> list[RawRow]:
    """Every response row under the header rows.

    The second header row leaves the id column empty; a file saved again with one header row
    (its first record then holds an id) is read with one, so no response is taken for a header.
    """
    records = read_records(path)
    second = records[1][1] if len(records) > 1 else []
    return rows_from_records(path, records, HEADER_ROWS if second and not second[0].strip() else 1)


def parse_time(text: str, options: ImportOptions) -> str:
    """The account's local time, `11/30/2022 10:39:41 PM`."""
    return moment(text, options, naive_is_utc=False)
