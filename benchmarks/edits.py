"""The saves the benchmarks make to a portfolio: one write each, as an editor, an import or the collector would."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml


def report_date(data: Path) -> str:
    """The portfolio's `as_of` (site.yaml), as written there."""
    return next(line.split(":", 1)[1].strip() for line in (data / "site.yaml").read_text(encoding="utf-8").splitlines()
                if line.startswith("as_of:"))


def first_survey(data: Path) -> Path:
    """The responses file new responses go to: the first survey's."""
    return sorted((data / "responses").glob("*.csv"))[0]


def new_response(data: Path, number: int) -> str:
    """Append one valid response to the first survey: a copy of its last row, dated the report date, with a text
    never given before in each text answer it has (as a real answer has); its client."""
    path = first_survey(data)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    header, last = rows[0], dict(zip(rows[0], rows[-1]))
    last.update(response_id=f"bench-{number}", submitted_at=f"{report_date(data)}T12:{number % 60:02d}:00+00:00")
    for question in text_questions(data, path.stem):
        if last.get(question):
            last[question] = f"Answer {number}: the scanner by reception loses its share after each update ({question})."
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([last[column] for column in header])
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + buffer.getvalue(), encoding="utf-8")
    return last["client"]


def text_questions(data: Path, survey: str) -> list[str]:
    """The ids of the survey's free-text questions (surveys/<survey>.yaml)."""
    definition = yaml.safe_load((data / "surveys" / f"{survey}.yaml").read_text(encoding="utf-8"))
    return [question["id"] for question in definition["questions"] if question.get("type") == "text"]


def add_visit(data: Path, client: str, number: int) -> None:
    """Append an on-site visit of the client, dated the report date, to contacts.csv (one write, like an editor's save)."""
    path = data / "contacts.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n")
                    + f"{report_date(data)},{client},onsite,Bench,{30 + number},\n", encoding="utf-8")
