"""Incoming responses in one shape, checked with the loader's own rules before they are kept.

Every source (the collector, each importer) turns what it received into `Submission`s.
`check_submissions` then decides, for each, either the row to append or the reason to
quarantine it. The answer checks are the ones `load_responses` runs on the response files
(`generator/load/checks.py`), run on the incoming rows as a small frame, so intake can
never accept a row the loader would refuse.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from generator.errors import Problem, did_you_mean, shorten
from generator.ingest.context import IntakeContext
from generator.ingest.quarantine import Rejected
from generator.load.checks import check_member, parse_timestamps
from generator.load.responses import check_answers  # the loader's per-question rules
from generator.model import RESERVED_COLUMNS, Question, Survey
from generator.plurals import plural_noun
from generator.tokens import client_for_token

RESPONSE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
# what any survey link's code can be written with (URL-safe ASCII); anything else is refused
# before the token is compared: hmac.compare_digest raises TypeError on non-ASCII text
TOKEN_TEXT = re.compile(r"[A-Za-z0-9_-]{1,128}")
ALLOWED_CONTROLS = {"\t", "\n", "\r"}
OLD_TOKEN_DIGITS = 49  # the length of the first, all-digit token form (160 bits in decimal)


@dataclass(frozen=True)
class Limits:
    """The longest answer and the longest other value a record may hold.

    The default is the collector's, for untrusted live input; imports use IMPORT_LIMITS.
    """

    max_text_chars: int = 5000
    max_value_chars: int = 200


# Imports are the consultant's own choice of file, so long answers are kept; but no stored cell
# may outgrow the csv module's default field limit (131,072), or a reader of data/responses/
# that has not lifted it (pandas, another script, an older Rapport) would fail on the file.
MAX_STORED_CHARS = 100_000
IMPORT_LIMITS = Limits(max_text_chars=MAX_STORED_CHARS, max_value_chars=MAX_STORED_CHARS)


@dataclass
class Submission:
    """One incoming response, source-neutral, before any check.

    `record` is what arrived, kept verbatim for the quarantine. `client` is set only by
    sources the consultant writes themselves (our own CSV); every other source names the
    client through its `token`. `problem` is a (reason, detail) already found while reading.
    `identity` is the row as the source wrote it, for sources without ids of their own: the
    response id is derived from it, and such a record also counts as a repeat when the same
    client, time and answers are already stored. `received` is when a live submission
    arrived (its `submitted_at` when it names none).
    """

    source: str
    record: Any
    survey: str = ""
    token: str = ""
    client: str | None = None
    submitted_at: str = ""
    response_id: str = ""
    shown_at: str = ""
    honeypot: str = ""
    answers: dict[str, list[str]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    problem: tuple[str, str] | None = None
    file: str = ""
    line: int = 0
    identity: Any = None
    derived: bool = False
    received: dt.datetime | None = None

    def reject(self, reason: str, detail: str) -> Rejected:
        """This submission refused for `reason`."""
        return Rejected(self.source, reason, detail, self.record, self.survey if is_printable(self.survey) else "",
                        self.file, self.line)


@dataclass(frozen=True)
class Candidate:
    """A submission that passed every check: its row, ready to append."""

    submission: Submission
    survey: Survey
    row: dict[str, str]


def check_submissions(
    context: IntakeContext, submissions: list[Submission], now: dt.datetime,
    limits: Limits = IMPORT_LIMITS, require_answers: bool = False,
) -> list[Candidate | Rejected]:
    """For each submission in order, its row to append or its reason to be refused."""
    results: list[Candidate | Rejected | None] = [None] * len(submissions)
    pending: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for index, submission in enumerate(submissions):
        outcome = _check_one(context, submission, now, limits, require_answers)
        if isinstance(outcome, Rejected):
            results[index] = outcome
        else:
            pending.setdefault(submission.survey, []).append((index, outcome))
    for survey_id, items in pending.items():
        survey = context.surveys[survey_id]
        problems = _loader_problems(context, survey, [row for _, row in items])
        for position, (index, row) in enumerate(items):
            submission = submissions[index]
            found = problems.get(position + 1)
            if found:
                results[index] = submission.reject(_reason(found[0], row), "; ".join(_detail(p) for p in found))
            else:
                results[index] = Candidate(submission, survey, row)
    return [result for result in results if result is not None]


def _check_one(
    context: IntakeContext, submission: Submission, now: dt.datetime, limits: Limits, require_answers: bool,
) -> dict[str, str] | Rejected:
    """Every check but the loader's answer rules; the row when all pass."""
    if submission.problem is not None:
        return submission.reject(*submission.problem)
    text_problem = _text_problem(submission, limits)
    if text_problem is not None:
        return submission.reject(*text_problem)
    if submission.token and not TOKEN_TEXT.fullmatch(submission.token):
        return submission.reject("bad_token", f"token '{_short(submission.token)}' is not a survey link's code "
                                 "(at most 128 letters, digits, '-' or '_')")
    if submission.honeypot.strip():
        return submission.reject("honeypot", "the hidden field meant for robots was filled in")
    received = submission.received or now
    submitted_at = submission.submitted_at or received.isoformat(timespec="seconds")
    too_fast = _time_trap(submission.shown_at, _instant(submission.submitted_at) if submission.submitted_at else received,
                          context.min_seconds)
    if too_fast is not None:
        return submission.reject(*too_fast)
    survey = context.surveys.get(submission.survey)
    if survey is None:
        return submission.reject("unknown_survey", context.unknown_survey_detail(submission.survey))
    client = _client(context, submission)
    if isinstance(client, tuple):
        return submission.reject(*client)
    unknown = submission.unknown + [name for name in submission.answers if survey.question(name) is None]
    if unknown:
        names = ", ".join(_short(name) for name in unknown)
        return submission.reject(f"unknown_field: {_short(unknown[0])}",
                                 f"{names} {'matches' if len(unknown) == 1 else 'match'} no question of survey '{survey.id}'"
                                 f"{did_you_mean(unknown[0], [q.id for q in survey.questions])}")
    if submission.response_id and not RESPONSE_ID.match(submission.response_id):
        return submission.reject("bad_response_id", "expected letters, digits, '.', '_', ':' or '-' (at most 128)")
    answers = _answers(survey, submission)
    if isinstance(answers, tuple):
        return submission.reject(*answers)
    if not any(answers.values()):
        return submission.reject("empty", "no question was answered")
    if require_answers:
        missing = _missing_required(survey, answers)
        if missing:
            return submission.reject(f"missing_required: {missing[0]}", f"required {plural_noun(len(missing), 'question')} unanswered: {', '.join(missing)}")
    row = {"response_id": submission.response_id, "client": client, "submitted_at": submitted_at}
    row.update(answers)
    return row


def _text_problem(submission: Submission, limits: Limits) -> tuple[str, str] | None:
    """Control characters, broken Unicode, and over-long values."""
    fields = [("survey", submission.survey), ("token", submission.token), ("client", submission.client or ""),
              ("submitted_at", submission.submitted_at), ("response_id", submission.response_id),
              ("shown_at", submission.shown_at)]
    fields += [(name, value) for name, values in submission.answers.items() for value in (name, *values)]
    fields += [(name, name) for name in submission.unknown]
    for name, value in fields:
        if not is_printable(value):
            return (f"control_character: {_short(name)}",
                    f"'{_short(name)}' holds a control character or broken Unicode (kept here, not in the data)")
        limit = limits.max_text_chars if name in submission.answers else limits.max_value_chars
        if len(value) > limit:
            return f"too_long: {_short(name)}", f"'{_short(name)}' has {len(value):,} characters (at most {limit:,})"
    return None


def is_printable(value: str) -> bool:
    """No control characters (but tab and line breaks) and no broken Unicode."""
    for char in value:
        category = unicodedata.category(char)
        if (category == "Cc" and char not in ALLOWED_CONTROLS) or category == "Cs":
            return False
    return True


def _time_trap(shown_at: str, sent: dt.datetime | None, min_seconds: int) -> tuple[str, str] | None:
    """Refuse a form sent sooner after it was shown than a person could fill it in."""
    if not shown_at.strip():
        return None  # no JavaScript: no time to check
    if not re.fullmatch(r"[0-9]{1,16}", shown_at.strip()):
        return "bad_shown_at", f"'{_short(shown_at)}' is not milliseconds since 1970"
    if sent is None:
        return None  # the timestamp check reports it
    elapsed = sent.timestamp() - int(shown_at) / 1000
    # more than a second negative is a browser clock set ahead of ours, not a robot;
    # less is a time of submission written in whole seconds
    if -1 < elapsed < min_seconds:
        return "too_fast", f"sent {max(elapsed, 0):.1f} s after the page was shown (at least {min_seconds} s expected)"
    return None


def _client(context: IntakeContext, submission: Submission) -> str | tuple[str, str]:
    """The client id ('' = anonymous), or why it cannot be trusted."""
    from_token = ""
    if submission.token:
        from_token = client_for_token(context.secret, submission.survey, submission.token, sorted(context.client_ids)) or ""
        if not from_token and submission.token.isdigit() and len(submission.token) < OLD_TOKEN_DIGITS:
            # a spreadsheet read the old all-digit token as a number and dropped its leading zeros
            from_token = client_for_token(context.secret, submission.survey, submission.token.zfill(OLD_TOKEN_DIGITS),
                                          sorted(context.client_ids)) or ""
        if not from_token:
            return "unknown_token", f"token '{_short(submission.token)}' belongs to no client for survey '{submission.survey}'"
    if submission.client:
        if submission.client not in context.client_ids:
            return ("unknown_client", f"'{_short(submission.client)}' is not a client id"
                    f"{did_you_mean(submission.client, context.client_ids)}")
        if from_token and from_token != submission.client:
            return "token_mismatch", f"the token is for another client than '{submission.client}'"
        return submission.client
    return from_token


def _answers(survey: Survey, submission: Submission) -> dict[str, str] | tuple[str, str]:
    """One text cell per question; several values only for a multi question (joined by ';')."""
    cells: dict[str, str] = {}
    for question in survey.questions:
        values = [value for value in submission.answers.get(question.id, []) if value != ""]
        if question.type == "multi":
            cells[question.id] = ";".join(values)
        elif len(values) > 1:
            return f"repeated_field: {question.id}", f"'{question.id}' takes one answer, got {len(values)}"
        else:
            value = values[0] if values else ""
            # a number's surrounding spaces are not part of the answer; text stays as typed
            cells[question.id] = value.strip() if question.type in ("rating", "nps") else value
    return cells


def _missing_required(survey: Survey, answers: dict[str, str]) -> list[str]:
    """Required questions left empty, except follow-ups whose condition did not hold."""
    missing = []
    for question in survey.questions:
        if question.required and answers.get(question.id, "") == "" and _shown(question, answers):
            missing.append(question.id)
    return missing


def _shown(question: Question, answers: dict[str, str]) -> bool:
    condition = question.show_if
    if condition is None:
        return True
    answer = answers.get(condition.question, "")
    if answer == "":
        return False
    if condition.equals is not None:
        return condition.equals in answer.split(";")
    try:
        number = float(answer)
    except ValueError:
        return False
    if condition.at_most is not None:
        return number <= condition.at_most
    return condition.at_least is not None and number >= condition.at_least


def _loader_problems(context: IntakeContext, survey: Survey, rows: list[dict[str, str]]) -> dict[int, list[Problem]]:
    """The loader's checks on these rows as one frame; problems by row number (from 1)."""
    columns = [*RESERVED_COLUMNS, *(q.id for q in survey.questions)]
    frame = pd.DataFrame([[row.get(column, "") for column in columns] for row in rows], columns=columns, dtype=object)
    frame["line"] = pd.Series(range(1, len(rows) + 1), dtype="int64")
    problems: list[Problem] = []
    shown = f"responses/{survey.id}.csv"
    check_member(frame, "client", context.client_ids, shown, problems, "a client id",
                 "an id from clients.yaml, or empty for an anonymous response", allow_empty=True)
    parse_timestamps(frame, "submitted_at", shown, problems)
    for question in survey.questions:
        check_answers(frame, question, shown, problems)
    by_line: dict[int, list[Problem]] = {}
    for problem in problems:
        by_line.setdefault(problem.line, []).append(problem)
    return by_line


def _reason(problem: Problem, row: dict[str, str]) -> str:
    """A short code for the first problem: `out_of_range: recommend=11`."""
    value = _short(row.get(problem.field, ""))
    message = problem.message
    if problem.field == "submitted_at":
        return "bad_timestamp"
    if problem.field == "client":
        return "unknown_client"
    if "out of range" in message or "is negative" in message:
        return f"out_of_range: {problem.field}={value}"
    if "not a whole number" in message:
        return f"not_a_number: {problem.field}={value}"
    if "not an option" in message:
        return f"not_an_option: {problem.field}={value}"
    return f"invalid: {problem.field}"


def _detail(problem: Problem) -> str:
    return f"{problem.field}: {problem.message}" if problem.field else problem.message


def _short(text: str, limit: int = 40) -> str:
    return shorten("".join(char if is_printable(char) and char not in "\r\n\t" else "?" for char in str(text)), limit)


def _instant(text: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else None


def instant_key(text: str) -> str:
    """The same moment written two ways (`Z`, `+00:00`, `+01:00`) compares equal."""
    parsed = _instant(text)
    return parsed.astimezone(dt.UTC).isoformat() if parsed else text


def derived_id(source: str, identity: Any) -> str:
    """A stable response id from the source's own identity of a row (re-imports match)."""
    payload = json.dumps(identity, sort_keys=True, ensure_ascii=True, default=str)
    return f"{source}-{hashlib.sha256(payload.encode('ascii')).hexdigest()[:16]}"
