"""The one append path for responses: check, drop repeats, append, quarantine the rest.

Under the data lock, for each survey: read its response file, skip records already in it
(same response_id with the same content, or the same client, time and answers), append the
new rows in one atomic replacement, and write every refused record to the quarantine.
An import may also replace a response edited in its tool (same response_id, new content,
not older than the stored one): the stored version is first appended to
`responses/superseded/<survey>.csv`, so no answer is ever lost. With `write=False`
nothing is written at all (`rapport import --dry-run`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from generator.csv_text import csv_lines
from generator.ingest.append import appended, data_lock, read_bytes, read_table, replace_atomically
from generator.ingest.context import IntakeContext
from generator.ingest.quarantine import QuarantineStore, QuarantineWrite, Rejected
from generator.ingest.records import IMPORT_LIMITS, Candidate, Limits, Submission, check_submissions, derived_id, instant_key
from generator.metrics.rounds import LINK_MARK, round_of, through_link
from generator.model import RESERVED_COLUMNS, Survey
from generator.plurals import plural_noun

# client, moment and answers of a stored or incoming row
Identity = tuple[str, str, tuple[str, ...]]


@dataclass(frozen=True)
class Outcome:
    """What became of one submission: `accepted`, `replaced`, `duplicate`, `quarantined` or `quarantine_full` (refused, not kept)."""

    status: str
    response_id: str = ""
    reason: str = ""
    detail: str = ""
    quarantine_file: Path | None = None
    line: int = 0
    replaced: bool = False  # accepted, and replaces an earlier answer through the same link this round


@dataclass
class IngestReport:
    """Counts and per-record outcomes of one intake call."""

    outcomes: list[Outcome] = field(default_factory=list)
    followups: list[str] = field(default_factory=list)  # ids of the follow-ups the accepted answers opened
    followup_problem: str = ""  # why none could be opened (data/followups.csv unreadable); the answers are kept

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
    limits: Limits = IMPORT_LIMITS, require_answers: bool = False, replace_edited: bool = False, write: bool = True,
    quarantine: QuarantineStore | None = None, known: KnownRows | None = None,
) -> IngestReport:
    """Append the acceptable submissions to data/responses/, quarantine the others.

    A long-running caller (the collector) passes its own `quarantine` store and `known` rows,
    so that each call reads only what changed since the last one.
    """
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
    for index, checked_one in enumerate(checked):
        if isinstance(checked_one, Candidate):
            by_survey.setdefault(checked_one.survey.id, []).append((index, checked_one))
    # a dry run takes no lock either: the lock file would be a write
    with data_lock(context.data_dir) if write else contextlib.nullcontext():
        arrived: list[tuple[Survey, dict[str, str]]] = []
        for survey_id in sorted(by_survey):
            items = by_survey[survey_id]
            kept = _append_survey(context, items[0][1].survey, items, replace_edited, write, now, known)
            candidates = dict(items)
            for index, result in kept.items():
                if isinstance(result, Rejected):
                    rejected.append((index, result))
                else:
                    outcomes[index] = result
                    if result.status in ("accepted", "replaced"):
                        arrived.append((candidates[index].survey, candidates[index].row))
        opened, problem = _open_followups(context, arrived, now) if write and arrived else ([], "")
        store = quarantine or QuarantineStore(context.data_dir)
        written = store.write([r for _, r in rejected], now, write) if rejected else QuarantineWrite()
    for index, item in rejected:
        status = "quarantine_full" if item.key in written.full else "quarantined"
        outcomes[index] = Outcome(status, reason=item.reason, detail=item.detail, quarantine_file=written.where.get(item.key),
                                  line=item.line)
    return IngestReport([outcome for outcome in outcomes if outcome is not None], opened, problem)


def _open_followups(context: IntakeContext, arrived: list[tuple[Survey, dict[str, str]]],
                    now: dt.datetime) -> tuple[list[str], str]:
    """Open the follow-ups the appended answers call for (generator/followups/); the lock is held."""
    from generator.followups.opening import open_on_arrival
    from generator.followups.store import FollowupError

    if context.settings is None:
        return [], ""
    try:
        return open_on_arrival(context.data_dir, arrived, context.settings.targets, now.date()), ""
    except (FollowupError, OSError) as exc:
        # the answers are safe on disk already; `rapport followup sync` opens these once the file is fixed
        return [], str(exc)


def response_path(data_dir: Path, survey_id: str) -> Path:
    """`data/responses/<survey-id>.csv`."""
    return data_dir / "responses" / f"{survey_id}.csv"


def superseded_path(data_dir: Path, survey_id: str) -> Path:
    """`data/responses/superseded/<survey-id>.csv`: stored versions that an edit replaced."""
    return data_dir / "responses" / "superseded" / f"{survey_id}.csv"


@dataclass
class _Indexed:
    """A response file as last read or written: its stat signature, header and row identities."""

    signature: tuple[object, ...]
    header: list[str]
    by_id: dict[str, tuple[object, ...]]
    identities: set[tuple[object, ...]]
    answered: set[tuple[str, int]]  # (client, round) of the answers through a link


class KnownRows:
    """Response files already indexed, re-read only when their size, time or inode changed.

    Without it every batch of a busy collector parsed the whole file again (quadratic:
    2,000 posts took over a minute).
    """

    def __init__(self) -> None:
        self.files: dict[Path, _Indexed] = {}


def _append_survey(
    context: IntakeContext, survey: Survey, items: list[tuple[int, Candidate]], replace_edited: bool, write: bool,
    now: dt.datetime, known: KnownRows | None = None,
) -> dict[int, Outcome | Rejected]:
    """Append one survey's new rows (caller holds the lock); outcome or refusal by index."""
    data_dir = context.data_dir
    if known is not None and write and not replace_edited:
        return _append_known(context, survey, items, known)
    path = response_path(data_dir, survey.id)
    current = read_bytes(path)
    read = _table(path, current, survey, items)
    if isinstance(read, dict):
        return read
    header, rows = read
    results: dict[int, Outcome | Rejected] = {}
    question_ids = [q.id for q in survey.questions]
    by_id: dict[str, Identity] = {}
    position: dict[str, int] = {}
    identities: set[Identity] = set()
    answered: set[tuple[str, int]] = set()  # (client, round) of the answers through a link
    for number, stored_row in enumerate(rows):
        cells = dict(zip(header, stored_row))
        answered.update(_link_round(context, cells))
        identity = _identity(cells, question_ids)
        by_id.setdefault(cells.get("response_id", ""), identity)
        position.setdefault(cells.get("response_id", ""), number)
        identities.add(identity)
    table = [list(row) for row in rows]
    replaced_before = _superseded_versions(data_dir, survey.id, question_ids) if replace_edited else set()
    superseded: list[list[str]] = []
    appended_from = len(table)
    for index, candidate in items:
        row = candidate.row
        identity = _identity(row, question_ids)
        no_column = [q for q in question_ids if row.get(q, "") != "" and q not in header]
        existing = by_id.get(row["response_id"])
        if existing is not None:
            if existing == identity:
                results[index] = Outcome("duplicate", row["response_id"])
            elif not replace_edited:
                results[index] = candidate.submission.reject(
                    "duplicate", f"response_id '{row['response_id']}' is already used by a different response")
            elif _older(row["submitted_at"], existing[1]) or (row["response_id"], identity) in replaced_before:
                # an older export read again: the version it holds was replaced once and stays replaced
                results[index] = Outcome("duplicate", row["response_id"], detail="the stored version is newer")
            elif no_column:
                results[index] = _no_column(candidate, path, no_column)
            else:
                at = position[row["response_id"]]
                if at < appended_from:
                    superseded.append([now.isoformat(timespec="seconds"), *table[at]])
                table[at] = [row.get(column, "") for column in header]
                by_id[row["response_id"]] = identity
                identities.add(identity)
                results[index] = Outcome("replaced", row["response_id"])
            continue
        if candidate.submission.derived and identity in identities:
            results[index] = Outcome("duplicate", row["response_id"])
            continue
        if no_column:
            results[index] = _no_column(candidate, path, no_column)
            continue
        table.append([row.get(column, "") for column in header])
        position[row["response_id"]] = len(table) - 1
        by_id[row["response_id"]] = identity
        identities.add(identity)
        rounds = _link_round(context, row)
        results[index] = Outcome("accepted", row["response_id"], replaced=bool(rounds & answered))
        answered.update(rounds)
    if write and superseded:
        # the old version is safe on disk before the response file stops holding it
        old = superseded_path(data_dir, survey.id)
        replace_atomically(old, appended(read_bytes(old), ["superseded_at", *header], superseded))
    if write and superseded:
        replace_atomically(path, csv_lines([header, *table]))
    elif write and len(table) > appended_from:
        replace_atomically(path, appended(current, header, table[appended_from:]))
    return results


def _append_known(context: IntakeContext, survey: Survey, items: list[tuple[int, Candidate]],
                  known: KnownRows) -> dict[int, Outcome | Rejected]:
    """The collector's append: like `_append_survey`, the file's rows indexed once and re-read only when it changed."""
    path = response_path(context.data_dir, survey.id)
    question_ids = [q.id for q in survey.questions]
    current, signature = _read_with_signature(path)
    cached = known.files.pop(path, None)
    if cached is not None and cached.signature == (signature, tuple(question_ids)):
        results = _append_rows(context, path, current, cached, question_ids, items)
        cached.signature = (_read_with_signature(path, content=False)[1], tuple(question_ids))
        known.files[path] = cached
        return results
    read = _table(path, current, survey, items)
    if isinstance(read, dict):
        return read
    header, rows = read
    indexed = _Indexed((), header, {}, set(), set())
    for row in rows:
        cells = dict(zip(header, row))
        indexed.answered.update(_link_round(context, cells))
        identity = _identity(cells, question_ids)
        indexed.by_id.setdefault(cells.get("response_id", ""), identity)
        indexed.identities.add(identity)
    results = _append_rows(context, path, current, indexed, question_ids, items)
    indexed.signature = (_read_with_signature(path, content=False)[1], tuple(question_ids))
    known.files[path] = indexed
    return results


def _table(
    path: Path, current: bytes | None, survey: Survey, items: list[tuple[int, Candidate]],
) -> tuple[list[str], list[list[str]]] | dict[int, Outcome | Rejected]:
    """The response file's header (a new file's: the survey's columns) and rows; or every item refused, when unreadable."""
    try:
        header, rows = read_table(current)
    except ValueError as exc:
        return {index: candidate.submission.reject("response_file_unreadable", f"{path.name}: {exc}") for index, candidate in items}
    if not header:
        header = [*RESERVED_COLUMNS, *(q.id for q in survey.questions)]
    missing = [column for column in RESERVED_COLUMNS if column not in header]
    if missing:
        return {index: candidate.submission.reject("response_file_unreadable", f"{path.name}: header lacks {', '.join(missing)}")
                for index, candidate in items}
    return header, rows


def _read_with_signature(path: Path, content: bool = True) -> tuple[bytes | None, tuple[int, int, int] | None]:
    """The file's bytes (None if missing) and the (inode, size, mtime) of exactly those bytes."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None, None
    with os.fdopen(descriptor, "rb") as handle:
        stat = os.fstat(handle.fileno())
        return (handle.read() if content else None), (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _append_rows(context: IntakeContext, path: Path, current: bytes | None, index: _Indexed, question_ids: list[str],
                 items: list[tuple[int, Candidate]]) -> dict[int, Outcome | Rejected]:
    """Decide each candidate against the rows already there; append the new ones (updates the index)."""
    header, by_id, identities, answered = index.header, index.by_id, index.identities, index.answered
    results: dict[int, Outcome | Rejected] = {}
    new_rows: list[list[str]] = []
    for number, candidate in items:
        row = candidate.row
        identity = _identity(row, question_ids)
        existing = by_id.get(row["response_id"])
        if existing is not None:
            if existing == identity:
                results[number] = Outcome("duplicate", row["response_id"])
            else:
                results[number] = candidate.submission.reject(
                    "duplicate", f"response_id '{row['response_id']}' is already used by a different response")
            continue
        if candidate.submission.derived and identity in identities:
            results[number] = Outcome("duplicate", row["response_id"])
            continue
        no_column = [q for q in question_ids if row.get(q, "") != "" and q not in header]
        if no_column:
            results[number] = _no_column(candidate, path, no_column)
            continue
        new_rows.append([row.get(column, "") for column in header])
        by_id[row["response_id"]] = identity
        identities.add(identity)
        rounds = _link_round(context, row)
        results[number] = Outcome("accepted", row["response_id"], replaced=bool(rounds & answered))
        answered.update(rounds)
    if new_rows:
        replace_atomically(path, appended(current, header, new_rows))
    return results


def _superseded_versions(data_dir: Path, survey_id: str, question_ids: list[str]) -> set[tuple[str, Identity]]:
    """(response id, identity) of every version an edit has replaced."""
    try:
        header, rows = read_table(read_bytes(superseded_path(data_dir, survey_id)))
    except ValueError:
        return set()  # unreadable: an old version read again would only be stored again, not lost
    versions = set()
    for row in rows:
        cells = dict(zip(header, row))
        versions.add((cells.get("response_id", ""), _identity(cells, question_ids)))
    return versions


def _no_column(candidate: Candidate, path: Path, no_column: list[str]) -> Rejected:
    return candidate.submission.reject(
        f"missing_column: {no_column[0]}",
        f"{path.name} has no column for {plural_noun(len(no_column), 'question')} {', '.join(no_column)} (added to the survey after "
        "the file was started): add the column to the file's header and an empty cell to each row")


def _older(text: str, stored_key: str) -> bool:
    """The incoming time is before the stored one (an older export read after a newer one)."""
    try:
        incoming, stored = dt.datetime.fromisoformat(instant_key(text)), dt.datetime.fromisoformat(stored_key)
    except ValueError:
        return False
    if incoming.tzinfo is None or stored.tzinfo is None:
        return False
    return incoming < stored


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


def _identity(cells: dict[str, str], question_ids: list[str]) -> Identity:
    """Client, moment and answers: two rows equal here are the same response."""
    return (cells.get("client", ""), instant_key(cells.get("submitted_at", "")),
            tuple(cells.get(q, "") for q in question_ids))
