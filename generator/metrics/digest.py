"""The weekly digest's figures: what happened since a date, and what is due (docs/metrics.md).

Computed from the loaded portfolio and the Reports the build computes, for the days `since`
through `as_of` (both included): new responses and their comments, new detractors, contacts logged, follow-ups
opened, closed, open and overdue, on-site visits due this month, surveys due, renewals in the
next RENEWAL_DAYS days, and the response rate. Every list is in a fixed order, and the page and
the e-mail show its first `dashboards.list_size` entries and count the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from generator.metrics.followups import Followup
from generator.plurals import plural
from generator.portfolio import Portfolio

if TYPE_CHECKING:
    from generator.metrics import Reports

RENEWAL_DAYS = 60  # the digest's renewals: within this many days of as_of
DIGEST_DAYS = 7    # the default period: the week up to as_of


@dataclass(frozen=True)
class NewResponse:
    """A response dated in the period."""

    date: dt.date
    client: str          # '' when anonymous
    name: str            # the client's name, or "Anonymous"
    survey: str          # the survey's title
    response_id: str
    nps: int | None      # the response's answer to the survey's first nps question
    detractor: bool
    comments: tuple[str, ...]  # its non-empty text answers


@dataclass(frozen=True)
class ContactEvent:
    """A contact logged in the period (its note stays on the client page)."""

    date: dt.date
    client: str
    name: str
    kind: str
    staff: str


@dataclass(frozen=True)
class ClientDue:
    """A client with something due: when, and in words."""

    client: str
    name: str
    date: dt.date | None
    detail: str


@dataclass(frozen=True)
class ResponseRate:
    """Who answered of those asked, as a share; how it is counted is said in `definition`."""

    answered: int
    asked: int
    percent: float | None
    definition: str


@dataclass(frozen=True)
class Digest:
    """Every figure of one digest."""

    since: dt.date
    as_of: dt.date
    responses: list[NewResponse] = field(default_factory=list)   # newest first
    detractors: list[NewResponse] = field(default_factory=list)
    comments: int = 0
    contacts: list[ContactEvent] = field(default_factory=list)  # newest first
    followups_opened: int = 0
    followups_closed: int = 0
    followups_open: list[Followup] = field(default_factory=list)  # most urgent first
    followups_overdue: int = 0
    visits_due: list[ClientDue] = field(default_factory=list)
    surveys_due: list[ClientDue] = field(default_factory=list)
    renewals: list[ClientDue] = field(default_factory=list)
    response_rate: ResponseRate = ResponseRate(0, 0, None, "")
    list_size: int = 25


def default_since(as_of: dt.date) -> dt.date:
    """The first day of the default period: `DIGEST_DAYS` days before as_of."""
    return as_of - dt.timedelta(days=DIGEST_DAYS)


def response_rate(reports: Reports) -> ResponseRate:
    """Of the clients invited in the last 12 months, those who answered (data/invitations.csv, docs/metrics.md
    "Response rate"); before any invitation is recorded, active clients with a response in 12 months, of all."""
    invited = reports.response_rates.overall_12m
    if invited.invited:
        return ResponseRate(invited.answered, invited.invited, invited.rate,
                            "clients who answered the survey they were invited to in the last 12 months, of those invited")
    # no invitation recorded yet: every active client is due a survey at least once a year
    active = reports.clients[reports.clients["active"]]
    asked, answered = len(active), int((active["responses_12m"] > 0).sum())
    percent = round(100 * answered / asked, 1) if asked else None
    return ResponseRate(answered, asked, percent, "active clients with a response in the last 12 months, of all active clients")


def compute_digest(portfolio: Portfolio, reports: Reports, since: dt.date) -> Digest:
    """The digest of the days `since` … `reports.as_of`."""
    as_of = reports.as_of
    names = {client.id: client.name for client in portfolio.clients}
    responses = _new_responses(portfolio, reports, since, as_of, names)
    rows = {str(row["id"]): row for row in reports.clients.to_dict("records")}
    visits = [ClientDue(client, names[client], None, action.detail)
              for client, actions in reports.attention.actions.items() for action in actions if action.kind == "visit"]
    visits.sort(key=lambda due: (due.name.casefold(), due.client))
    surveys = [ClientDue(client, names[client], rows[client]["survey_next_due"],
                         "overdue since" if rows[client]["survey_overdue"] else "due on") for client in reports.attention.surveys_due]
    renewals = [ClientDue(client, names[client], rows[client]["next_renewal"], f"in {plural(rows[client]['days_to_renewal'], 'day')}")
                for client in reports.attention.renewals if rows[client]["days_to_renewal"] <= RENEWAL_DAYS]
    followups = portfolio.followups.to_dict("records")
    return Digest(
        since=since, as_of=as_of, responses=responses, detractors=[r for r in responses if r.detractor],
        comments=sum(len(r.comments) for r in responses), contacts=_contacts(portfolio, since, as_of, names),
        followups_opened=sum(1 for row in followups if since <= row["opened"] <= as_of),
        followups_closed=len([row for row in followups if _closed_between(row, since, as_of)]),
        followups_open=reports.followups.open, followups_overdue=reports.followups.overdue,
        visits_due=visits, surveys_due=surveys, renewals=renewals, response_rate=response_rate(reports),
        list_size=reports.attention.limits.list_size,
    )


def _contacts(portfolio: Portfolio, since: dt.date, as_of: dt.date, names: dict[str, str]) -> list[ContactEvent]:
    """The contacts dated in the period, newest first."""
    frame = portfolio.contacts
    if frame.empty:
        return []
    days = frame["date"].dt.date
    window = frame[(days >= since) & (days <= as_of)]
    found = [ContactEvent(pd.Timestamp(row["date"]).date(), row["client"], names.get(row["client"], row["client"]),
                          row["kind"], row["staff"]) for row in window.to_dict("records")]
    found.sort(key=lambda c: (c.date, c.name.casefold(), c.kind), reverse=True)
    return found


def _closed_between(row: Mapping[Any, Any], since: dt.date, as_of: dt.date) -> bool:
    closed = row["closed"]
    return row["status"] == "closed" and isinstance(closed, dt.date) and since <= closed <= as_of


def _new_responses(portfolio: Portfolio, reports: Reports, since: dt.date, as_of: dt.date,
                   names: dict[str, str]) -> list[NewResponse]:
    """The responses dated in the period (those replaced through the same link left out), newest first."""
    replaced = set(zip(reports.superseded["survey"].tolist(), reports.superseded["response_id"].tolist()))
    detractor_max = portfolio.settings.targets.detractor_max_nps
    found = []
    for survey in portfolio.surveys:
        frame = portfolio.responses[survey.id]
        days = frame["date"].dt.date if len(frame) else pd.Series(dtype=object)
        window = frame[(days >= since) & (days <= as_of)] if len(frame) else frame
        nps = next((q.id for q in survey.questions if q.type == "nps"), None)
        texts = [q.id for q in survey.questions if q.type == "text"]
        for row in window.to_dict("records"):
            if (survey.id, row["response_id"]) in replaced:
                continue
            score = int(row[nps]) if nps and str(row[nps]).strip() else None
            found.append(NewResponse(
                date=pd.Timestamp(row["date"]).date(), client=row["client"],
                name=names.get(row["client"], row["client"]) if row["client"] else "Anonymous",
                survey=survey.title, response_id=row["response_id"], nps=score,
                detractor=score is not None and score <= detractor_max,
                comments=tuple(str(row[q]).strip() for q in texts if str(row[q]).strip())))
    found.sort(key=lambda r: (r.date, r.survey, r.response_id), reverse=True)
    return found
