"""What every importer shares: reading rows, mapping columns to questions, times, multi answers.

A source module describes its export with a `SourceSpec` (which columns hold the id, the
time, the honeypot; which are the service's own metadata) and provides `read(path)` and
`parse_time(text, options)`. `build_submissions` does the rest the same way for all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from generator.csv_text import reader
from generator.errors import RapportError, did_you_mean
from generator.ingest.context import IntakeContext
from generator.ingest.records import Submission
from generator.model import Survey

ROLES = ("token", "survey", "shown_at", "honeypot", "submitted_at", "response_id", "client", "ignore")


@dataclass(frozen=True)
class ImportOptions:
    """How to read one export: the survey for rows that do not name one, the time zone."""

    source: str
    file: str
    survey: str | None = None
    timezone: ZoneInfo | None = None  # None: this computer's time zone
    date_order: str = "auto"          # auto | mdy | dmy (Google Sheets' locale formats)


@dataclass
class RawRow:
    """One record of an export: its cells by column (a list per column) and its line."""

    line: int
    cells: dict[str, list[str]]
    record: Any
    problem: tuple[str, str] | None = None


@dataclass(frozen=True)
class SourceSpec:
    """The columns a service's export uses, by lower-case name."""

    name: str
    id_columns: tuple[str, ...] = ()
    time_columns: tuple[str, ...] = ()
    honeypot_columns: tuple[str, ...] = ("website",)
    ignore_columns: tuple[str, ...] = ()
    multi_separators: tuple[str, ...] = (";",)
    client_column: bool = False  # only the consultant's own CSV may name the client directly
    id_is_ours: bool = False     # the id column holds our response_id as is (no source prefix)


@dataclass
class ImportNotes:
    """Things the summary mentions once per file rather than once per row."""

    lines: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        """Remember a note (once)."""
        if text not in self.lines:
            self.lines.append(text)


def normalise(name: str) -> str:
    """Compare column names and labels ignoring case, spacing, `_`/`-` and a trailing `:`/`*`."""
    text = re.sub(r"[\s_-]+", " ", name.replace("\ufeff", "")).strip().casefold()
    return text.rstrip(":* ").strip()


def read_csv_rows(path: Path) -> list[RawRow]:
    """Every record of a CSV export with the line it starts on; RapportError if not CSV."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RapportError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); export the file as UTF-8 CSV") from None
    except OSError as exc:
        raise RapportError(f"{path}: cannot read ({exc.strerror})") from None
    parsed = reader(text)
    records: list[tuple[int, list[str]]] = []
    previous_end = 0
    try:
        for row in parsed:
            start, previous_end = previous_end + 1, parsed.line_num
            if row:
                records.append((start, row))
    except csv.Error as exc:
        opened = unclosed_quote_line(text, previous_end) if "unexpected end of data" in str(exc) else None
        if opened is not None:
            raise RapportError(f"{path}:{opened}: not valid CSV (the quoted field that starts on line {opened} is never "
                               "closed, so where the rows after it end is unknown); nothing was imported") from None
        raise RapportError(f"{path}:{previous_end + 1}: not valid CSV ({exc}); nothing was imported") from None
    if not records:
        raise RapportError(f"{path}: the file is empty (expected a header row)")
    header = [cell.strip() for cell in records[0][1]]
    rows: list[RawRow] = []
    for line, values in records[1:]:
        record = dict(zip(header, values))
        if len(values) != len(header):
            rows.append(RawRow(line, {}, values, ("ragged_row", f"has {len(values)} fields (the header has {len(header)})")))
            continue
        cells: dict[str, list[str]] = {}
        for name, value in zip(header, values):
            cells.setdefault(name, []).append(value)
        rows.append(RawRow(line, cells, record))
    return rows


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
    """Each row as a Submission for the intake, plus notes about unmapped columns."""
    notes = ImportNotes()
    survey_columns = [c for c in {name for row in rows for name in row.cells} if normalise(c) == "survey"]
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
        _fill(submission, row, spec, options, survey, parse_time, notes)
        submissions.append(submission)
    return submissions, notes


def _fill(
    submission: Submission, row: RawRow, spec: SourceSpec, options: ImportOptions, survey: Survey | None,
    parse_time: Callable[[str, ImportOptions], str], notes: ImportNotes,
) -> None:
    """Set the submission's fields from the row's cells by each column's role."""
    honeypots: list[str] = []
    source_id = ""
    for column, values in row.cells.items():
        role = column_role(column, spec, survey)
        value = next((v for v in values if v != ""), "")
        if role == "survey" or role == "ignore":
            continue
        if role == "token":
            submission.token = value.strip()
        elif role == "shown_at":
            submission.shown_at = value.strip()
        elif role == "honeypot":
            honeypots.append(value)
        elif role == "client":
            submission.client = value.strip()
        elif role == "response_id":
            source_id = value.strip()
        elif role == "submitted_at":
            if value.strip():
                try:
                    submission.submitted_at = parse_time(value.strip(), options)
                except ValueError as exc:
                    submission.problem = ("bad_timestamp", f"{column}: {exc}")
        elif role.startswith("answer:"):
            question = survey.question(role.removeprefix("answer:")) if survey else None
            answers = submission.answers.setdefault(question.id, []) if question else []
            for cell in values:
                if question is not None and question.type == "multi":
                    answers.extend(split_multi(cell, question.options or (), spec.multi_separators))
                elif cell != "":
                    answers.append(cell)
        elif any(v != "" for v in values):
            submission.unknown.append(column)
            if survey is not None:
                notes.add(f"column '{column}' matches no question of survey '{survey.id}'"
                          f"{did_you_mean(column, [q.label for q in survey.questions] + [q.id for q in survey.questions])}"
                          f" — map it in import_map of surveys/{survey.id}.yaml; its rows were quarantined")
    submission.honeypot = "".join(honeypots)
    if not submission.submitted_at and submission.problem is None:
        submission.problem = ("bad_timestamp", f"no time of submission (expected a column {' or '.join(spec.time_columns)})")
    if source_id:
        submission.response_id = source_id if spec.id_is_ours else f"{spec.name}-{source_id}"
    else:
        # the row as the service wrote it, without empty cells (a column added later changes nothing)
        submission.identity = sorted((column, values) for column, values in row.cells.items() if any(values))


def column_role(column: str, spec: SourceSpec, survey: Survey | None) -> str:
    """What a column holds: `answer:<question id>` or one of ROLES, or `unknown`."""
    mapped = (survey.import_map or {}).get(column) if survey else None
    if mapped:
        return mapped if mapped in ROLES else f"answer:{mapped}"
    name = normalise(column)
    if name in ("token", "survey", "shown at"):
        return name.replace(" ", "_")
    if name in spec.honeypot_columns:
        return "honeypot"
    if name in spec.time_columns:
        return "submitted_at"
    if name in spec.id_columns:
        return "response_id"
    if spec.client_column and name == "client":
        return "client"
    if survey is not None:
        for question in survey.questions:
            if name == normalise(question.id) or name == normalise(question.label):
                return f"answer:{question.id}"
    if name in spec.ignore_columns or column.startswith("_"):
        return "ignore"
    return "unknown"


def split_multi(cell: str, options: tuple[str, ...], separators: tuple[str, ...]) -> list[str]:
    """A multi answer's options; services join them with ', ' (options may contain commas)."""
    if cell == "":
        return []
    if cell in options:
        return [cell]
    allowed = set(options)
    for separator in separators:
        parts = cell.split(separator)
        found = _partition(parts, allowed, separator)
        if found is not None:
            return found
    # no reading makes every part an option: keep the parts so the check names the bad one
    return cell.split(separators[0]) if separators else [cell]


def _partition(parts: list[str], allowed: set[str], separator: str) -> list[str] | None:
    """Group consecutive parts so each group is an option; None when impossible."""
    if not parts:
        return []
    for end in range(len(parts), 0, -1):
        head = separator.join(parts[:end])
        if head in allowed:
            rest = _partition(parts[end:], allowed, separator)
            if rest is not None:
                return [head, *rest]
    return None


def iso_time(text: str, options: ImportOptions, naive_is_utc: bool) -> str:
    """An ISO 8601 time, written with the offset of the import's time zone."""
    try:
        parsed = dt.datetime.fromisoformat(text.replace(" UTC", "Z"))
    except ValueError:
        raise ValueError(f"'{text[:40]}' is not an ISO 8601 date and time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc) if naive_is_utc else local_time(parsed, options)
    return written(parsed, options)


def local_time(naive: dt.datetime, options: ImportOptions) -> dt.datetime:
    """A wall-clock time in the import's time zone (this computer's when none is given)."""
    if options.timezone is not None:
        return naive.replace(tzinfo=options.timezone)
    return naive.astimezone()


def written(moment: dt.datetime, options: ImportOptions) -> str:
    """The moment in the import's time zone, as `submitted_at` is stored."""
    shifted = moment.astimezone(options.timezone) if options.timezone else moment.astimezone()
    return shifted.isoformat(timespec="seconds" if shifted.microsecond == 0 else "milliseconds")


def with_options(options: ImportOptions, **changes: Any) -> ImportOptions:
    """A copy of the options with some changed."""
    return replace(options, **changes)
