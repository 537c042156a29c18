"""Reading `data/quarantine/`: every held row with where it came from, why, and the fix to try."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.ingest.append import read_bytes, read_table
from generator.ingest.quarantine import QUARANTINE_COLUMNS
from generator.load.held import QUARANTINE_FOLDER

RETRY = "then `rapport quarantine retry`"


@dataclass(frozen=True)
class HeldRow:
    """One row of a quarantine file, its cells exactly as stored."""

    path: Path
    index: int  # its place among the file's rows, from 0
    cells: dict[str, str]

    def get(self, column: str) -> str:
        """A cell, without the `'` that guards a formula-like text for spreadsheets."""
        value = self.cells.get(column, "")
        return value[1:] if value.startswith("'") and column not in ("record", "key") else value

    @property
    def record(self) -> Any:
        """What arrived, as stored (JSON); the text itself when it is not JSON."""
        text = self.cells.get("record", "")
        try:
            return json.loads(text)
        except ValueError:
            return text

    @property
    def where(self) -> str:
        """`export.csv:12`, or the source when it names no file."""
        file, line = self.get("file"), self.get("line")
        return f"{file}:{line}" if file and line else file or self.get("source")

    @property
    def fix(self) -> str:
        """The fix to try for this row's reason."""
        return fix_for(self.get("reason"), self.get("survey"), self.get("detail"))


def quarantine_files(data_dir: Path) -> list[Path]:
    """The quarantine files of a data folder, by name."""
    folder = data_dir / QUARANTINE_FOLDER
    return sorted(folder.glob("*.csv")) if folder.is_dir() else []


def held_rows(data_dir: Path) -> list[HeldRow]:
    """Every row held in `data/quarantine/`, file by file, in the order stored."""
    held: list[HeldRow] = []
    for path in quarantine_files(data_dir):
        try:
            header, rows = read_table(read_bytes(path))
        except ValueError:
            continue
        if not set(QUARANTINE_COLUMNS) <= set(header):
            continue
        for index, row in enumerate(rows):
            held.append(HeldRow(path, index, dict(zip(header, row))))
    return held


FIXES = {
    "unknown_field": "map the column to a question with import_map in surveys/{survey}.yaml "
                     "(import_map: {{\"Column title\": question_id}}), " + RETRY,
    "unknown_survey": "add the survey to surveys/, or import the file again with --survey ID, " + RETRY,
    "unknown_client": "add the client to clients.yaml (or correct its id in the file), " + RETRY,
    "unknown_token": "the link was made with another site secret or survey: restore the secret the links were sent "
                     "with, " + RETRY,
    "token_mismatch": "the row names another client than its link: correct the client in the file and import it again",
    "bad_timestamp": "the time could not be read: import the file again with --timezone or --date-order, "
                     "or correct the time in the export",
    "out_of_range": "an answer is outside the question's scale: correct it in the export and import it again",
    "not_a_number": "an answer is not a number: correct it in the export and import it again",
    "not_an_option": "an answer is not one of the question's options: add the option to surveys/{survey}.yaml, "
                     + RETRY,
    "invalid": "an answer does not fit its question: correct it in the export and import it again",
    "missing_required": "a required question was left empty: nothing to retry unless the survey changes",
    "ragged_row": "the row has more or fewer fields than the header: correct the export and import it again",
    "bad_json": "the line is not a JSON object: correct it in the file and import it again",
    "honeypot": "the hidden field for robots was filled in: most likely spam, nothing to do",
    "too_fast": "sent faster than a person reads the form: most likely a robot, nothing to do",
    "empty": "no column matched a question of the survey, or the respondent answered nothing: if the import named "
             "columns it ignored, map them with import_map in surveys/{survey}.yaml "
             "(import_map: {{\"Column title\": question_id}}), then `rapport quarantine retry`",
}


def fix_for(reason: str, survey: str, detail: str) -> str:
    """The fix to try for a reason code such as `unknown_field: Rating` or `out_of_range: recommend=11`."""
    code = reason.split(":", 1)[0].strip()
    template = FIXES.get(code)
    if template is None:
        return f"correct what the detail names ({detail or reason}), " + RETRY
    return template.format(survey=survey or "<survey>")
