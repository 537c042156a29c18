"""Importers: one module per tool's export, each with `SPEC`, `detect(names)`, `read(path)` and `parse_time`.

`import_file` reads an export (any encoding, separator or `.xlsx`), settles its day/month
order, maps its columns to the survey's questions and hands the records to the one intake
path (`generator.ingest.intake.ingest`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

from generator.errors import RapportError, did_you_mean
from generator.ingest.context import IntakeContext, load_context
from generator.ingest.importers import (
    formspree,
    google_forms,
    jotform,
    jsonl,
    microsoft_forms,
    netlify,
    own_csv,
    surveymonkey,
    tally,
    typeform,
)
from generator.ingest.importers.columns import normalise, plan_columns
from generator.ingest.importers.common import ImportNotes, ImportOptions, RawRow, build_submissions, with_options
from generator.ingest.importers.detect import detect_source
from generator.ingest.importers.times import AmbiguousDates, order_for_locale, settle_date_order
from generator.ingest.intake import IngestReport, ingest

# in the order `--source auto` tries them: the most specific headers first
SOURCES: dict[str, ModuleType] = {
    "typeform": typeform,
    "tally": tally,
    "surveymonkey": surveymonkey,
    "microsoft-forms": microsoft_forms,
    "jotform": jotform,
    "formspree": formspree,
    "netlify": netlify,
    "google-forms": google_forms,
    "csv": own_csv,
    "jsonl": jsonl,
}


@dataclass(frozen=True)
class ImportResult:
    """The intake report of one file plus notes for the summary."""

    report: IngestReport
    notes: tuple[str, ...]
    source: str = ""
    ignored: tuple[str, ...] = ()
    dry_run: bool = False

    def summary(self) -> str:
        """`read 120, accepted 110, replaced 2, duplicates 6, quarantined 2 (see data/quarantine/…)` (replaced only when some were)."""
        report = self.report
        replaced = report.count("replaced")
        text = (f"read {report.read}, accepted {report.count('accepted')}, {f'replaced {replaced}, ' if replaced else ''}"
                f"duplicates {report.count('duplicate')}, quarantined {report.count('quarantined')}")
        if report.quarantine_files:
            text += f" ({'would go to' if self.dry_run else 'see'} {', '.join(str(path) for path in report.quarantine_files)})"
        return f"dry run, nothing written; it would be: {text}" if self.dry_run else text


def import_file(
    data_dir: Path, path: Path, source: str = "auto", survey: str | None = None, timezone: str | None = None,
    date_order: str = "auto", now: dt.datetime | None = None, dry_run: bool = False,
) -> ImportResult:
    """Import one export file into data_dir; RapportError when the file cannot be read at all."""
    if source == "auto":
        source = detect_source(path, SOURCES)
    module = SOURCES.get(source)
    if module is None:
        raise RapportError(f"unknown source '{source}' (expected auto, {', '.join(SOURCES)}){did_you_mean(source, SOURCES)}")
    zone = _zone(timezone)
    context = load_context(data_dir)
    if survey is not None and survey not in context.surveys:
        raise RapportError(context.unknown_survey_detail(survey))
    rows = module.read(path)
    notes = ImportNotes()
    options = ImportOptions(source=source, file=str(path), survey=survey or _only_survey(path, rows, module, context, notes),
                            timezone=zone, date_order=date_order)
    options = with_options(options, date_order=_date_order(path, rows, module, options, context))
    submissions, column_notes = build_submissions(rows, module.SPEC, options, context, module.parse_time)
    for line in column_notes.lines:
        notes.add(line)
    notes.ignored.extend(column_notes.ignored)
    report = ingest(context, submissions, now=now, replace_edited=True, write=not dry_run)
    for outcome in report.outcomes:
        if outcome.status == "replaced":
            verb = "would be replaced" if dry_run else "was replaced"
            notes.add(f"response {outcome.response_id} was edited in {source}: the stored row {verb} "
                      f"(the previous version is kept in responses/superseded/)")
    return ImportResult(report, tuple(notes.lines), source, tuple(notes.ignored), dry_run)


def _only_survey(path: Path, rows: list[RawRow], module: ModuleType, context: IntakeContext, notes: ImportNotes) -> str | None:
    """The survey for a file whose rows name none: the one survey whose questions its columns answer."""
    if any(normalise(name) == "survey" and any(v.strip() for v in values) for row in rows for name, values in row.cells.items()):
        return None
    names = {name: 1 for row in rows for name in row.cells}
    answering = [survey_id for survey_id, survey in sorted(context.surveys.items())
                 if any(role.startswith(("answer:", "option:")) for roles in
                        plan_columns(names, module.SPEC.columns(), survey).values() for role in roles)]
    if len(answering) == 1:
        notes.add(f"the rows name no survey: imported into '{answering[0]}', the one survey whose questions the "
                  "columns answer (--survey chooses another)")
        return answering[0]
    if not rows:
        return None
    which = f"the columns answer questions of {', '.join(answering)}" if answering else "no survey's questions match its columns"
    raise RapportError(f"{path}: the rows name no survey and {which}; say which with --survey "
                       f"(one of {', '.join(sorted(context.surveys)) or 'none: add one under surveys/'}); nothing was imported")


def _date_order(path: Path, rows: list[RawRow], module: ModuleType, options: ImportOptions, context: IntakeContext) -> str:
    """`mdy`/`dmy` from the option, else site.yaml's locale, else the file; refuse to guess."""
    if options.date_order != "auto":
        return options.date_order
    locale = getattr(context.settings, "locale", None) if context.settings else None
    from_locale = order_for_locale(locale)
    if from_locale != "auto":
        return from_locale
    mapped = {column for survey in context.surveys.values() for column, role in (survey.import_map or {}).items()
              if role == "submitted_at"}
    columns = {name for row in rows for name in row.cells
               if normalise(name) in module.SPEC.time_columns or name in mapped}
    values = [value for row in rows for name in columns for value in row.cells.get(name, [])]
    try:
        settled = settle_date_order(values)
    except AmbiguousDates as exc:
        raise RapportError(
            f"{path}: every date in the file (e.g. '{str(exc)[:40]}') could be day/month or month/day; say which with "
            "--dayfirst or --monthfirst (or set locale in site.yaml, e.g. locale: en-GB); nothing was imported") from None
    except ValueError as exc:
        raise RapportError(f"{path}: {exc}; nothing was imported") from None
    return settled or "auto"


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        raise RapportError(f"'{name}' is not a time zone (expected an IANA name such as Europe/Berlin or America/New_York)") from None


__all__ = ["SOURCES", "ImportNotes", "ImportResult", "import_file"]
