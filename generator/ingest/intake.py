"""The one append path for responses: check, drop repeats, append, quarantine the rest.

Under the data lock, for each survey: read its response file, skip records already in it
(same response_id with the same content, or the same client, time and answers), append the
new rows in one atomic replacement, and write every refused record to the quarantine.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from generator.ingest.append import appended, data_lock, read_bytes, read_table, replace_atomically
from generator.ingest.context import IntakeContext
from generator.ingest.quarantine import Rejected, write_quarantine
from generator.ingest.records import IMPORT_LIMITS, Candidate, Limits, Submission, check_submissions, derived_id, instant_key
from generator.metrics.rounds import LINK_MARK, round_of, through_link
from generator.model import RESERVED_COLUMNS, Survey


@dataclass(frozen=True)
class Outcome:
    """What became of one submission: `accepted`, `duplicate` or `quarantined`."""

    status: str
    response_id: str = ""
    reason: str = ""
    detail: str = ""
    quarantine_file: Path | None = None
    replaced: bool = False  # accepted, and replaces an earlier answer through the same link this round


@dataclass
class IngestReport:
    """Counts and per-record outcomes of one intake call."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def read(self) -> int:
        """Records read."""
        return len(self.outcomes)

    def count(self, status: str) -> int:
        """Records with this status."""
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def quarantine_files(self) -> list[Path]:
        """The quarantine files holding this call's refused records."""
        return sorted({o.quarantine_file for o in self.outcomes if o.quarantine_file is not None})


def ingest(
    context: IntakeContext, submissions: list[Submission], now: dt.datetime | None = None,
    limits: Limits = IMPORT_LIMITS, require_answers: bool = False,
) -> IngestReport:
    """Append the acceptable submissions to data/responses/, quarantine the others."""
    now = now or dt.datetime.now().astimezone()
    for submission in submissions:
        if not submission.response_id:
            submission.derived = submission.identity is not None
            # an answer whose client comes from its link's token is marked so (generator/metrics/rounds.py)
            source = f"{submission.source}{LINK_MARK.rstrip('-')}" if submission.token.strip() else submission.source
            submission.response_id = (derived_id(source, submission.identity) if submission.derived
                                      else f"{source}-{secrets.token_hex(8)}")
    checked = check_submissions(context, submissions, now, limits, require_answers)
    outcomes: list[Outcome | None] = [None] * len(checked)
    rejected: list[tuple[int, Rejected]] = [(i, r) for i, r in enumerate(checked) if isinstance(r, Rejected)]
    by_survey: dict[str, list[tuple[int, Candidate]]] = {}
    for index, result in enumerate(checked):
        if isinstance(result, Candidate):
            by_survey.setdefault(result.survey.id, []).append((index, result))
    with data_lock(context.data_dir):
        for survey_id in sorted(by_survey):
            items = by_survey[survey_id]
            kept = _append_survey(context, items[0][1].survey, items)
            for index, result in kept.items():
                if isinstance(result, Rejected):
                    rejected.append((index, result))
                else:
                    outcomes[index] = result
        where = write_quarantine(context.data_dir, [r for _, r in rejected], now) if rejected else {}
    for index, item in rejected:
        outcomes[index] = Outcome("quarantined", reason=item.reason, detail=item.detail, quarantine_file=where.get(item.key))
    return IngestReport([outcome for outcome in outcomes if outcome is not None])


def response_path(data_dir: Path, survey_id: str) -> Path:
    """`data/responses/<survey-id>.csv`."""
    return data_dir / "responses" / f"{survey_id}.csv"


def _append_survey(context: IntakeContext, survey: Survey, items: list[tuple[int, Candidate]]) -> dict[int, Outcome | Rejected]:
    """Append one survey's new rows (caller holds the lock); outcome or refusal by index."""
    path = response_path(context.data_dir, survey.id)
    current = read_bytes(path)
    results: dict[int, Outcome | Rejected] = {}
    try:
        header, rows = read_table(current)
    except ValueError as exc:
        for index, candidate in items:
            results[index] = candidate.submission.reject("response_file_unreadable", f"{path.name}: {exc}")
        return results
    if not header:
        header = [*RESERVED_COLUMNS, *(q.id for q in survey.questions)]
    missing = [column for column in RESERVED_COLUMNS if column not in header]
    if missing:
        for index, candidate in items:
            results[index] = candidate.submission.reject(
                "response_file_unreadable", f"{path.name}: header lacks {', '.join(missing)}")
        return results
    question_ids = [q.id for q in survey.questions]
    by_id: dict[str, tuple] = {}
    identities: set[tuple] = set()
    answered: set[tuple[str, int]] = set()  # (client, round) of the answers through a link
    for row in rows:
        cells = dict(zip(header, row))
        answered.update(_link_round(context, cells))
        identity = _identity(cells, question_ids)
        by_id.setdefault(cells.get("response_id", ""), identity)
        identities.add(identity)
    new_rows: list[list[str]] = []
    for index, candidate in items:
        row = candidate.row
        identity = _identity(row, question_ids)
        existing = by_id.get(row["response_id"])
        if existing is not None:
            if existing == identity:
                results[index] = Outcome("duplicate", row["response_id"])
            else:
                results[index] = candidate.submission.reject(
                    "duplicate", f"response_id '{row['response_id']}' is already used by a different response")
            continue
        if candidate.submission.derived and identity in identities:
            results[index] = Outcome("duplicate", row["response_id"])
            continue
        no_column = [q for q in question_ids if row.get(q, "") != "" and q not in header]
        if no_column:
            results[index] = candidate.submission.reject(
                f"missing_column: {no_column[0]}",
                f"{path.name} has no column for question(s) {', '.join(no_column)} (added to the survey after "
                "the file was started): add the column to the file's header and an empty cell to each row")
            continue
        new_rows.append([row.get(column, "") for column in header])
        by_id[row["response_id"]] = identity
        identities.add(identity)
        rounds = _link_round(context, row)
        results[index] = Outcome("accepted", row["response_id"], replaced=bool(rounds & answered))
        answered.update(rounds)
    if new_rows:
        replace_atomically(path, appended(current, header, new_rows))
    return results


def _link_round(context: IntakeContext, cells: dict[str, str]) -> set[tuple[str, int]]:
    """{(client, round)} of an answer that came through a link, else an empty set."""
    client, response_id, written = cells.get("client", ""), cells.get("response_id", ""), cells.get("submitted_at", "")
    if not client or client not in context.rounds or not through_link(response_id):
        return set()
    try:
        day = dt.date.fromisoformat(written[:10])  # the calendar date written, as the metrics read it
    except ValueError:
        return set()
    start, interval = context.rounds[client]
    return {(client, round_of(start, interval, day))}


def _identity(cells: dict[str, str], question_ids: list[str]) -> tuple:
    """Client, moment and answers: two rows equal here are the same response."""
    return (cells.get("client", ""), instant_key(cells.get("submitted_at", "")),
            tuple(cells.get(q, "") for q in question_ids))
