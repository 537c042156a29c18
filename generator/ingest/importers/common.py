"""What every importer shares: rows of an export, their columns' roles, times, answers.

A source module describes its export with a `SourceSpec` (which columns hold the id, the
time, the honeypot; which are the tool's own metadata; how many header rows) and provides
`read(path)`, `parse_time(text, options)` and `detect(names)`. `build_submissions` does the
rest the same way for all; `generator/ingest/importers/columns.py` says which question each
column answers.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from generator.errors import RapportError, did_you_mean
from generator.ingest.context import IntakeContext
from generator.ingest.importers.columns import (
    ColumnSpec,
    normalise,
    option_answer,
    option_words,
    plan_columns,
    scale_answer,
    split_multi,
    translated_option,
)
from generator.ingest.importers.files import Records, read_records
from generator.ingest.importers.times import parse_moment
from generator.ingest.records import Submission
from generator.model import Survey

__all__ = ["normalise", "split_multi"]
# a 49-digit token that went through a spreadsheet as a number: 6.4E+47, 6,40E+47
MANGLED_TOKEN = re.compile(r"^\d(?:[.,]\d+)?[eE]\+?\d{1,3}$")


@dataclass(frozen=True)
class ImportOptions:
    """How to read one export: the survey for rows that do not name one, the time zone, the date order."""

    source: str
    file: str
    survey: str | None = None
    timezone: ZoneInfo | None = None  # None: this computer's time zone
    date_order: str = "auto"          # auto | mdy | dmy


@dataclass
class RawRow:
    """One record of an export: its cells by column (a list per column) and its line."""

    line: int
    cells: dict[str, list[str]]
    record: Any
    problem: tuple[str, str] | None = None


@dataclass(frozen=True)
class SourceSpec:
    """The columns a tool's export uses, by normalised name."""

    name: str
    id_columns: tuple[str, ...] = ()
    time_columns: tuple[str, ...] = ()
    honeypot_columns: tuple[str, ...] = ("website",)
    ignore_columns: tuple[str, ...] = ()
    multi_separators: tuple[str, ...] = (";",)
    client_column: bool = False  # only the consultant's own CSV may name the client directly
    id_is_ours: bool = False     # the id column holds our response_id as is (no source prefix)
    naive_is_utc: bool = False   # a time without an offset is UTC (else the import's time zone)
    status_column: str = ""      # a column that marks a response the respondent never submitted as `partial`

    def columns(self) -> ColumnSpec:
        """The column-matching part of the spec."""
        return ColumnSpec(self.id_columns, self.time_columns, self.honeypot_columns, self.ignore_columns,
                          self.client_column)


@dataclass
class ImportNotes:
    """Things the summary mentions once per file rather than once per row."""

    lines: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        """Remember a note (once)."""
        if text not in self.lines:
            self.lines.append(text)


def read_table_rows(path: Path, header_rows: int = 1) -> list[RawRow]:
    """Every record of a CSV/TSV/XLSX export under its header (two rows for SurveyMonkey)."""
    return rows_from_records(path, read_records(path), header_rows)


def rows_from_records(path: Path, records: Records, header_rows: int = 1) -> list[RawRow]:
    """Records as rows keyed by their column names; a ragged record is kept with its problem."""
    if len(records) < header_rows:
        raise RapportError(f"{path}: expected {header_rows} header rows, found {len(records)}")
    header = combined_header([cells for _, cells in records[:header_rows]])
    rows: list[RawRow] = []
    for line, values in records[header_rows:]:
        record = dict(zip(header, values))
        if len(values) != len(header):
            rows.append(RawRow(line, {}, values, ("ragged_row", f"has {len(values)} fields (the header has {len(header)})")))
            continue
        cells: dict[str, list[str]] = {}
        for name, value in zip(header, values):
            cells.setdefault(name, []).append(value)
        rows.append(RawRow(line, cells, record))
    return rows


def combined_header(rows: list[list[str]]) -> list[str]:
    """One name per column; a second header row (SurveyMonkey's sub-answers) joins its title as `Title (Option)`."""
    first = [cell.strip().lstrip("\ufeff").strip() for cell in rows[0]]
    if len(rows) == 1:
        return first
    second = [cell.strip() for cell in rows[1]] + [""] * max(0, len(first) - len(rows[1]))
    names: list[str] = []
    title = ""
    for index, name in enumerate(first):
        title = name or title  # a question spanning several columns names only its first
        sub = second[index] if index < len(second) else ""
        if normalise(sub) in ("", "response", "open ended response"):
            names.append(title if name or sub else name)
        else:
            names.append(f"{title} ({sub})" if title else sub)
    return names


def unclosed_quote_line(text: str, lines_read: int) -> int | None:
    """The line on which a quoted field that runs to the end of the text opens, if one does.

    `lines_read` is how many lines the csv reader had consumed before the record it failed on.
    """
    lines = io.StringIO(text, newline="").readlines()  # split as the csv reader counts lines
    line = lines_read + 1
    quoted, opened, field_start = False, 0, True
    for physical in lines[lines_read:]:
        index = 0
        while index < len(physical):
            char = physical[index]
            if quoted:
                if char == '"':
                    if physical[index + 1: index + 2] == '"':
                        index += 1  # a doubled quote inside the field
                    else:
                        quoted = False
            elif char == '"' and field_start:
                quoted, opened = True, line
            field_start = not quoted and char in ",\r\n"
            index += 1
        line += 1
    return opened if quoted else None


def build_submissions(
    rows: list[RawRow], spec: SourceSpec, options: ImportOptions, context: IntakeContext,
    parse_time: Callable[[str, ImportOptions], str],
) -> tuple[list[Submission], ImportNotes]:
    """Each row as a Submission for the intake, plus notes about columns that were ignored."""
    notes = ImportNotes()
    names: dict[str, int] = {}
    for row in rows:
        for name, values in row.cells.items():
            names[name] = max(names.get(name, 0), len(values))
    survey_columns = [c for c in names if normalise(c) == "survey"]
    plans: dict[str, dict[str, list[str]]] = {}
    submissions: list[Submission] = []
    for row in rows:
        submission = Submission(spec.name, row.record, file=options.file, line=row.line)
        if row.problem is not None:
            submission.problem = row.problem
            submissions.append(submission)
            continue
        written_survey = next((v for c in survey_columns for v in row.cells.get(c, []) if v.strip()), "")
        submission.survey = written_survey.strip() or (options.survey or "")
        survey = context.surveys.get(submission.survey)
        key = survey.id if survey else ""
        if key not in plans:
            plans[key] = plan_columns(names, spec.columns(), survey)
            _note_unmatched(plans[key], survey, notes)
        _fill(submission, row, spec, options, survey, plans[key], parse_time)
        submissions.append(submission)
    return submissions, notes


def _note_unmatched(plan: dict[str, list[str]], survey: Survey | None, notes: ImportNotes) -> None:
    """Name, once, each column that answers no question (its cells are ignored)."""
    if survey is None:
        return
    labels = [q.label for q in survey.questions] + [q.id for q in survey.questions]
    for column, roles in plan.items():
        if "unknown" in roles and column.strip():
            notes.ignored.append(column)
            notes.add(f"column '{column[:80]}' matches no question of survey '{survey.id}', so it was ignored"
                      f"{did_you_mean(column, labels)} (map it in import_map of surveys/{survey.id}.yaml, "
                      "or to 'ignore' to silence this)")


def _fill(
    submission: Submission, row: RawRow, spec: SourceSpec, options: ImportOptions, survey: Survey | None,
    plan: dict[str, list[str]], parse_time: Callable[[str, ImportOptions], str],
) -> None:
    """Set the submission's fields from the row's cells by each column's role."""
    honeypots: list[str] = []
    source_id = ""
    for column, values in row.cells.items():
        roles = plan.get(column, ["unknown"])
        for position, cell in enumerate(values):
            role = roles[position] if position < len(roles) else roles[-1]
            value = cell.strip()
            if role in ("survey", "ignore", "unknown"):
                continue
            if role == "token":
                submission.token = submission.token or value
            elif role == "shown_at":
                submission.shown_at = value
            elif role == "honeypot":
                honeypots.append(cell)
            elif role == "client":
                submission.client = value
            elif role == "response_id":
                source_id = source_id or value
            elif role == "submitted_at" and value and not submission.submitted_at:
                try:
                    submission.submitted_at = parse_time(value, options)
                except ValueError as exc:
                    submission.problem = ("bad_timestamp", f"{column}: {exc}")
            elif role.startswith(("answer:", "option:")) and survey is not None:
                _answer(submission, survey, role, cell, spec)
    submission.honeypot = "".join(honeypots)
    status = next((v for c, vs in row.cells.items() if spec.status_column and normalise(c) == spec.status_column for v in vs), "")
    if status.strip().casefold() == "partial" and submission.problem is None:
        submission.problem = ("partial_response", f"{spec.name} marks it partial: the respondent left before submitting "
                              "(download completed responses only, or leave it here)")
    if mangled_token(submission.token) and submission.problem is None:
        submission.problem = ("mangled_token", f"token '{submission.token}' was turned into a number by a spreadsheet and "
                              "its digits are lost: export the file again from the tool itself (not through Excel or "
                              "Sheets), or enter this response by hand")
    if not submission.submitted_at and submission.problem is None:
        submission.problem = ("bad_timestamp", f"no time of submission (expected a column {' or '.join(spec.time_columns)})")
    if source_id:
        submission.response_id = source_id if spec.id_is_ours else f"{spec.name}-{source_id}"
    else:
        # the row as the tool wrote it, without empty cells (a column added later changes nothing)
        submission.identity = sorted((column, values) for column, values in row.cells.items() if any(values))


def _answer(submission: Submission, survey: Survey, role: str, cell: str, spec: SourceSpec) -> None:
    """Add one cell's answer in the contract's form (numbers for scales, option texts for multi)."""
    parts = role.split(":")
    question = survey.question(parts[1])
    if question is None:
        return
    answers = submission.answers.setdefault(question.id, [])
    if role.startswith("option:"):
        chosen = option_answer(question, int(parts[2]), cell)
        if chosen and chosen not in answers:
            answers.append(chosen)
    elif question.type == "multi":
        words = option_words(survey, question)  # a form shown in another language: its words → the stored option
        answers.extend(option for option in (words.get(part, part) for part in split_multi(cell, tuple(words), spec.multi_separators))
                       if option not in answers)
    elif cell.strip() != "":
        answers.append(scale_answer(question, cell) if question.type in ("rating", "nps")
                       else translated_option(survey, question, cell) if question.type == "choice" else cell)


def mangled_token(token: str) -> bool:
    """A token a spreadsheet stored as a number: `6.4E+47`, or its 15 digits padded with zeros."""
    # Excel keeps 15 significant digits: a long all-digit token ending in a run of zeros lost the rest
    return bool(MANGLED_TOKEN.match(token)) or (token.isdigit() and len(token) >= 20 and len(token.rstrip("0")) <= 15)


def moment(text: str, options: ImportOptions, naive_is_utc: bool) -> str:
    """Any supported timestamp, written in the import's time zone as `submitted_at` is stored."""
    return written(parse_moment(text, options.date_order, options.timezone, naive_is_utc), options)


def written(moment: dt.datetime, options: ImportOptions) -> str:
    """The moment in the import's time zone, as `submitted_at` is stored."""
    shifted = moment.astimezone(options.timezone) if options.timezone else moment.astimezone()
    return shifted.isoformat(timespec="seconds" if shifted.microsecond == 0 else "milliseconds")


def with_options(options: ImportOptions, **changes: Any) -> ImportOptions:
    """A copy of the options with some changed."""
    return replace(options, **changes)
