"""Importers: one module per service export, each with `SPEC`, `read(path)` and `parse_time`.

`import_file` reads an export, maps its columns to the survey's questions and hands the
records to the one intake path (`generator.ingest.intake.ingest`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

from generator.errors import RapportError, did_you_mean
from generator.ingest.context import load_context
from generator.ingest.importers import formspree, google_forms, jsonl, netlify, own_csv
from generator.ingest.importers.common import ImportNotes, ImportOptions, build_submissions
from generator.ingest.intake import IngestReport, ingest

SOURCES: dict[str, ModuleType] = {
    "formspree": formspree,
    "google-forms": google_forms,
    "netlify": netlify,
    "csv": own_csv,
    "jsonl": jsonl,
}


@dataclass(frozen=True)
class ImportResult:
    """The intake report of one file plus notes for the summary."""

    report: IngestReport
    notes: tuple[str, ...]

    def summary(self) -> str:
        """`read 120, accepted 112, duplicates 6, quarantined 2 (see data/quarantine/…)`."""
        report = self.report
        text = (f"read {report.read}, accepted {report.count('accepted')}, "
                f"duplicates {report.count('duplicate')}, quarantined {report.count('quarantined')}")
        if report.quarantine_files:
            text += f" (see {', '.join(str(path) for path in report.quarantine_files)})"
        return text


def import_file(
    data_dir: Path, path: Path, source: str, survey: str | None = None, timezone: str | None = None,
    date_order: str = "auto", now: dt.datetime | None = None,
) -> ImportResult:
    """Import one export file into data_dir; RapportError when the file cannot be read at all."""
    module = SOURCES.get(source)
    if module is None:
        raise RapportError(f"unknown source '{source}' (expected {', '.join(SOURCES)}){did_you_mean(source, SOURCES)}")
    zone = _zone(timezone)
    context = load_context(data_dir)
    if survey is not None and survey not in context.surveys:
        raise RapportError(context.unknown_survey_detail(survey))
    options = ImportOptions(source=source, file=str(path), survey=survey, timezone=zone, date_order=date_order)
    rows = module.read(path)
    notes = ImportNotes()
    prepare = getattr(module, "prepare", None)
    if prepare is not None:
        options = prepare(rows, options, notes)
    submissions, mapping_notes = build_submissions(rows, module.SPEC, options, context, module.parse_time)
    for line in mapping_notes.lines:
        notes.add(line)
    report = ingest(context, submissions, now=now)
    return ImportResult(report, tuple(notes.lines))


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        raise RapportError(f"'{name}' is not a time zone (expected an IANA name such as Europe/Berlin or America/New_York)") from None
