"""`rapport quarantine retry`: run held rows through the intake again, after a mapping or data fix.

Each row is rebuilt as its source would have read it (an export's cells by column, a form
post's fields) and handed to the one intake path (generator/ingest/intake.py), which appends
what is now acceptable and skips what is already stored. A row accepted, or found already
stored, leaves the quarantine; a row refused again stays (its entry is replaced only when the
reason changed, so it is never held twice).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.ingest.append import appended, data_lock, read_bytes, read_table, replace_atomically
from generator.ingest.context import load_context
from generator.ingest.intake import IngestReport, Outcome, ingest
from generator.ingest.quarantine import QUARANTINE_COLUMNS, Rejected
from generator.ingest.quarantine_list import HeldRow, held_rows
from generator.ingest.records import Limits, Submission

COLLECTOR = "collector"


@dataclass
class RetryResult:
    """What became of the held rows."""

    accepted: int = 0
    duplicates: int = 0
    still_held: int = 0
    not_retried: int = 0  # rows whose record cannot be read again as it arrived (a broken line, a raw body)
    moved_to: set[Path] = field(default_factory=set)
    followups: list[str] = field(default_factory=list)  # ids of the follow-ups the accepted rows opened
    followup_problem: str = ""

    def summary(self) -> str:
        """`retried 5: accepted 4, already stored 0, still held 1`."""
        retried = self.accepted + self.duplicates + self.still_held
        text = (f"retried {retried}: accepted {self.accepted}, already stored {self.duplicates}, "
                f"still held {self.still_held}")
        if self.not_retried:
            text += f"; {self.not_retried} not retried (not readable as they arrived: correct the source file and import it again)"
        return text


def retry_quarantine(data_dir: Path, now: dt.datetime | None = None) -> RetryResult:
    """Retry every held row; accepted and already-stored rows leave data/quarantine/."""
    now = now or dt.datetime.now().astimezone()
    result = RetryResult()
    held = held_rows(data_dir)
    if not held:
        return result
    context = load_context(data_dir)
    done: list[HeldRow] = []
    for rows, submissions, collector in _batches(held, context):
        if not submissions:
            continue
        # the collector's records are checked as the collector checks them: its limits, required answers
        report = (ingest(context, submissions, now=now, limits=Limits(), require_answers=True) if collector
                  else ingest(context, submissions, now=now))
        done.extend(_settle(rows, submissions, report, result))
        result.followups += report.followups
        result.followup_problem = result.followup_problem or report.followup_problem
    result.not_retried = len(held) - result.accepted - result.duplicates - result.still_held
    _remove(data_dir, done)
    return result


def _settle(rows: list[HeldRow], submissions: list[Submission], report: IngestReport, result: RetryResult) -> list[HeldRow]:
    """Count the outcomes; the rows whose old entry goes."""
    leaving: list[HeldRow] = []
    for row, submission, outcome in zip(rows, submissions, report.outcomes):
        if outcome.status == "accepted":
            result.accepted += 1
            leaving.append(row)
        elif outcome.status == "duplicate":
            result.duplicates += 1
            leaving.append(row)
        else:
            result.still_held += 1
            if _new_key(submission, outcome) != row.cells.get("key"):
                leaving.append(row)  # refused for another reason now: intake stored it anew
    return leaving


def _new_key(submission: Submission, outcome: Outcome) -> str:
    return Rejected(submission.source, outcome.reason, outcome.detail, submission.record).key


def _batches(held: list[HeldRow], context: Any) -> list[tuple[list[HeldRow], list[Submission], bool]]:
    """Held rows grouped by how they are read again: per export (source, file, survey), and the collector's."""
    from generator.ingest.importers import SOURCES

    groups: dict[tuple[str, str, str], list[HeldRow]] = {}
    for row in held:
        source = row.get("source")
        if (source in SOURCES and isinstance(row.record, dict)) or (source == COLLECTOR and isinstance(row.record, dict)):
            groups.setdefault((source, row.get("file"), row.get("survey")), []).append(row)
    batches = []
    for (source, file, survey), rows in sorted(groups.items()):
        if source == COLLECTOR:
            batches.append((rows, [_posted(row) for row in rows], True))
        else:
            batches.append((rows, _exported(source, file, survey, rows, context), False))
    return batches


def _posted(row: HeldRow) -> Submission:
    """A form post to the collector, from the fields it kept."""
    from generator.ingest.collector import to_submission

    fields = [(name, _text(item)) for name, value in row.record.items()
              for item in (value if isinstance(value, list) else [value])]
    submission = to_submission(fields)
    submission.record = row.record
    try:
        submission.received = dt.datetime.fromisoformat(row.get("received_at"))
    except ValueError:
        submission.received = None
    return submission


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else json.dumps(value)


def _exported(source: str, file: str, survey: str, rows: list[HeldRow], context: Any) -> list[Submission]:
    """Rows of one export, read again by their importer from their stored records (lines kept)."""
    from generator.ingest.importers import SOURCES
    from generator.ingest.importers.common import ImportNotes, ImportOptions, build_submissions

    module = SOURCES[source]
    with tempfile.TemporaryDirectory() as folder:
        # the importer reads its own file format: the records are written back in it
        path = Path(folder) / ("held.jsonl" if source == "jsonl" else "held.csv")
        _write_records(path, [row.record for row in rows], source == "jsonl")
        raw = module.read(path)
    for row, item in zip(rows, raw):
        line = row.get("line")
        item.line = int(line) if line.isdigit() else 0
    options = ImportOptions(source=source, file=file, survey=survey or None)
    prepare = getattr(module, "prepare", None)
    if prepare is not None:
        options = prepare(raw, options, ImportNotes())
    submissions, _ = build_submissions(raw, module.SPEC, options, context, module.parse_time)
    return submissions


def _write_records(path: Path, records: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8")
        return
    from generator.csv_text import csv_lines

    header: list[str] = []
    for record in records:
        header.extend(name for name in record if name not in header)
    path.write_bytes(csv_lines([header, *([_text(record.get(name, "")) for name in header] for record in records)]))


def _remove(data_dir: Path, leaving: list[HeldRow]) -> None:
    """Rewrite each quarantine file without the rows that left it (a file left empty is deleted)."""
    by_file: dict[Path, set[int]] = {}
    for row in leaving:
        by_file.setdefault(row.path, set()).add(row.index)
    with data_lock(data_dir):
        for path, indexes in by_file.items():
            header, rows = read_table(read_bytes(path))
            kept = [row for index, row in enumerate(rows) if index not in indexes]
            if kept:
                replace_atomically(path, appended(None, header or list(QUARANTINE_COLUMNS), kept))
            else:
                path.unlink()
