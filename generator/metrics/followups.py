"""Follow-ups: which answers open one, when it is due, and what the pages show of them (docs/metrics.md).

An answer opens a follow-up when it is a detractor's (an `nps` answer at or below
`targets.detractor_max_nps`), a low rating (a `rating` answer at or below
`targets.followup_max_rating`), or the yes of a question marked `contact_request: true`.
One response opens at most one follow-up, whatever number of its answers qualify. It is due
`targets.followup_days` working days (Monday to Friday) after it was opened, which is the
date of the response. On the report date A, a follow-up opened after A is not there yet (like
its response); one that is open is overdue when its due date is before A. A closed one shows
what was done whenever it was closed: the status is the file's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from generator.model import Question, Survey, Targets

YES_WORDS = ("yes",)


def contact_answer(question: Question) -> str:
    """The answer of a `contact_request` question that asks to be contacted: its option `Yes` (any case), else its first option."""
    options = question.options or ("",)
    return next((option for option in options if option.strip().casefold() in YES_WORDS), options[0])


def _whole(value: str) -> int | None:
    try:
        return int(value.strip())
    except ValueError:
        return None


def reasons(survey: Survey, cells: Mapping[str, str], targets: Targets) -> list[str]:
    """Why this response opens a follow-up, one phrase per answer that qualifies (none: it opens none)."""
    found = []
    for question in survey.questions:
        value = cells.get(question.id, "").strip()
        if value == "":
            continue
        score = _whole(value) if question.type in ("nps", "rating") else None
        if question.type == "nps" and score is not None and score <= targets.detractor_max_nps:
            found.append(f"detractor: {score} of 10 ({question.id})")
        elif question.type == "rating" and score is not None and score <= targets.followup_max_rating:
            found.append(f"low rating: {score} of 5 ({question.id})")
        elif question.contact_request and value == contact_answer(question):
            found.append(f"asked to be contacted ({question.id})")
    return found


def due_date(opened: dt.date, working_days: int) -> dt.date:
    """`working_days` Monday-to-Friday days after `opened` (a weekend opening counts from the Monday)."""
    day = np.busday_offset(np.datetime64(opened, "D"), working_days, roll="forward")
    return dt.date.fromisoformat(str(day))


def arrives_in_time(answered: dt.date, today: dt.date, targets: Targets) -> bool:
    """An answer opens a follow-up only while it is recent: an old export read again opens none."""
    return answered >= today - dt.timedelta(days=targets.followup_lookback_days)


@dataclass(frozen=True)
class Followup:
    """One row of `data/followups.csv`, overdue or not on the report date."""

    id: str
    client: str
    survey: str
    response: str
    reason: str
    opened: dt.date
    due: dt.date
    owner: str
    status: str            # open | closed
    closed: dt.date | None
    note: str              # what was done: the words the client is shown
    overdue: bool          # open, and due before the report date
    days_overdue: int      # days past due (0 when not overdue)


@dataclass(frozen=True)
class Feedback:
    """One piece of feedback beside what was done: "you said — we did"."""

    followup: Followup
    date: dt.date                            # the response's date
    survey_title: str
    said: tuple[tuple[str, str, str], ...]   # (question label, question type, answer as written)


@dataclass(frozen=True)
class FollowupFigures:
    """What the pages show of follow-ups: the open ones, most urgent first, and each client's feedback."""

    open: list[Followup] = field(default_factory=list)     # due soonest first (the longest overdue lead)
    overdue: int = 0
    by_client: dict[str, list[Feedback]] = field(default_factory=dict)  # newest response first

    @property
    def overdue_list(self) -> list[Followup]:
        """The overdue ones, longest overdue first."""
        return [item for item in self.open if item.overdue]


def followup_figures(followups: pd.DataFrame, surveys: tuple[Survey, ...], responses: Mapping[str, pd.DataFrame],
                     as_of: dt.date) -> FollowupFigures:
    """The follow-ups on `as_of` (see the module's docstring), with the client's words from each response."""
    items = [_on(row, as_of) for row in followups.to_dict("records") if row["opened"] <= as_of]
    open_ = sorted((item for item in items if item.status == "open"), key=lambda item: (item.due, int(item.id)))
    by_survey = {survey.id: survey for survey in surveys}
    # each answered response's cells, looked up once per survey (not a scan of the file per follow-up)
    wanted: dict[str, set[str]] = {}
    for item in items:
        wanted.setdefault(item.survey, set()).add(item.response)
    rows: dict[tuple[str, str], dict[Any, Any]] = {}
    for survey_id, ids in wanted.items():
        frame = responses.get(survey_id)
        if frame is not None and survey_id in by_survey:
            for found in frame[frame["response_id"].isin(ids)].to_dict("records"):
                rows.setdefault((survey_id, str(found["response_id"])), found)
    by_client: dict[str, list[Feedback]] = {}
    for item in items:
        cells = rows.get((item.survey, item.response))
        if cells is None:
            continue
        survey = by_survey[item.survey]
        said = tuple((q.label, q.type, str(cells.get(q.id, ""))) for q in survey.questions
                     if str(cells.get(q.id, "")).strip() and _said(q, str(cells.get(q.id, "")), item.reason))
        date = pd.Timestamp(cells["date"]).date()
        by_client.setdefault(item.client, []).append(Feedback(item, date, survey.title, said))
    for feedback in by_client.values():
        feedback.sort(key=lambda entry: (entry.date, int(entry.followup.id)), reverse=True)
    return FollowupFigures(open_, sum(1 for item in open_ if item.overdue), by_client)


def _said(question: Question, value: str, reason: str) -> bool:
    """The answers that are the client's words: comments, and the answers that opened the follow-up."""
    return question.type == "text" or f"({question.id})" in reason


def _on(row: Mapping[Any, Any], as_of: dt.date) -> Followup:
    """A row with its overdue days on `as_of`."""
    closed = row["closed"] if isinstance(row["closed"], dt.date) else None
    status = "closed" if row["status"] == "closed" else "open"
    due = row["due"]
    assert isinstance(due, dt.date) and isinstance(row["opened"], dt.date)
    overdue = status == "open" and due < as_of
    return Followup(
        id=str(row["id"]), client=str(row["client"]), survey=str(row["survey"]), response=str(row["response"]),
        reason=str(row["reason"]), opened=row["opened"], due=due, owner=str(row["owner"]), status=status,
        closed=closed, note=str(row["note"]) if status == "closed" else "", overdue=overdue,
        days_overdue=(as_of - due).days if overdue else 0,
    )


def every_followup(followups: pd.DataFrame, as_of: dt.date) -> list[Followup]:
    """Every row of the file, overdue or not on `as_of`: open ones by due date first, then the closed, newest first."""
    items = [_on(row, as_of) for row in followups.to_dict("records")]
    open_ = sorted((item for item in items if item.status == "open"), key=lambda item: (item.due, int(item.id)))
    closed = sorted((item for item in items if item.status == "closed"), key=lambda item: -int(item.id))
    return open_ + closed
