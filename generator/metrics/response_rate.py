"""Response rates: per survey round and per client, who was invited, who answered, who is due a reminder.

A *round* is what `data/invitations.csv` says it is: the month (`YYYY-MM`) of the round's first
invitation, carried by its reminders. For each client and survey, a round runs from its first
invitation up to (not including) the client's first invitation of its next round of that
survey; the client *answered* when a response of theirs to that survey is dated in that span,
on or before A. Invitations dated after A are ignored, like all data (docs/metrics.md).

Figures over "12m" count the rounds whose first invitation lies in `A−364 … A`. A client who
has not answered the latest round of a survey, begun in that window, and is active, is *not
answered*; one of these is *due a reminder* when the last invitation or reminder went out
more than `reminder_after_days` days before A and fewer than `max_reminders` reminders were
sent in the round. `rapport invite --reminders` writes exactly the reminders due here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from generator.metrics.rounding import percent_1dp
from generator.model import Settings

WINDOW_DAYS = 365


@dataclass(frozen=True)
class Invited:
    """One client in one round of one survey."""

    survey: str
    round: str
    client: str
    invited: dt.date              # the round's first invitation
    last_sent: dt.date            # its latest invitation or reminder
    reminders: int                # reminders sent in the round
    answered: dt.date | None      # the first response in the round, None when none yet
    reminder_due: dt.date | None  # the first day a reminder is due (None: answered, or no more reminders)


@dataclass(frozen=True)
class Rate:
    """Invited, answered, and the rate in percent (1 decimal; None when nobody was invited)."""

    invited: int
    answered: int
    rate: float | None


@dataclass(frozen=True)
class RoundRate:
    """One round of one survey: its rate and every client invited in it (by client id)."""

    survey: str
    round: str
    rate: Rate
    clients: tuple[Invited, ...]


@dataclass(frozen=True)
class ResponseRates:
    """Every response-rate figure at A; `rounds` by survey id, newest round first."""

    as_of: dt.date
    rounds: tuple[RoundRate, ...] = ()
    overall_12m: Rate = Rate(0, 0, None)
    by_client_12m: Mapping[str, Rate] = field(default_factory=dict)
    by_survey_12m: Mapping[str, Rate] = field(default_factory=dict)
    not_answered: tuple[Invited, ...] = ()  # active, latest round begun in the 12m window, no answer: oldest first
    reminder_after_days: int = 7
    max_reminders: int = 2

    def waiting(self, survey_id: str | None = None) -> list[Invited]:
        """The clients who have not answered (one survey's, or all), oldest invitation first."""
        return [entry for entry in self.not_answered if survey_id in (None, entry.survey)]

    def reminders_due(self, survey_id: str | None = None) -> list[Invited]:
        """The clients a reminder is due to on A."""
        return [entry for entry in self.waiting(survey_id) if entry.reminder_due is not None and entry.reminder_due <= self.as_of]

    def last_sent(self) -> dict[tuple[str, str], dt.date]:
        """(survey id, client id) → the day of the latest invitation or reminder up to A."""
        found: dict[tuple[str, str], dt.date] = {}
        for round_rate in self.rounds:
            for entry in round_rate.clients:
                key = (entry.survey, entry.client)
                found[key] = max(found.get(key, entry.last_sent), entry.last_sent)
        return found

    @property
    def any(self) -> bool:
        """Whether any invitation was recorded up to A."""
        return bool(self.rounds)


def rate(invited: int, answered: int) -> Rate:
    """The rate of `answered` in `invited`, in percent with 1 decimal."""
    return Rate(invited, answered, None if invited == 0 else float(percent_1dp(np.array([answered]), np.array([invited]))[0]))


def response_rates(invitations: pd.DataFrame, responses: Mapping[str, pd.DataFrame], settings: Settings,
                   as_of: dt.date, active: Collection[str]) -> ResponseRates:
    """The figures of `invitations` (the frame of data/invitations.csv) against the responses, at `as_of`."""
    rows = _rows(invitations, as_of)
    answers = _answer_days(responses, as_of) if rows else {}  # no invitation, no answer to look for
    entries: list[Invited] = []
    for (survey, client), sent in rows.items():
        starts = sorted({_round_start(sent, name) for name in {name for _, name, _ in sent}})
        for name in dict.fromkeys(name for _, name, _ in sent):
            start = _round_start(sent, name)
            later = [day for day in starts if day > start]
            until = later[0] if later else None
            answered = next((day for day in answers.get((survey, client), ()) if day >= start and (until is None or day < until)), None)
            in_round = [(day, kind) for day, round_name, kind in sent if round_name == name]
            reminders = sum(1 for _, kind in in_round if kind == "reminder")
            last = max(day for day, _ in in_round)
            due = (last + dt.timedelta(days=settings.reminder_after_days + 1)
                   if answered is None and reminders < settings.max_reminders and until is None else None)
            entries.append(Invited(survey, name, client, start, last, reminders, answered, due))
    window = as_of - dt.timedelta(days=WINDOW_DAYS - 1)
    recent = [entry for entry in entries if entry.invited >= window]
    rounds: dict[tuple[str, str], list[Invited]] = {}
    for entry in sorted(entries, key=lambda e: (e.survey, _descending(e.round), e.client)):
        rounds.setdefault((entry.survey, entry.round), []).append(entry)
    latest = {(e.survey, e.client): e for e in sorted(entries, key=lambda e: e.invited)}
    waiting = sorted((e for e in latest.values() if e.answered is None and e.invited >= window and e.client in active),
                     key=lambda e: (e.invited, e.survey, e.client))
    return ResponseRates(
        as_of=as_of,
        rounds=tuple(RoundRate(survey, name, _rate_of(group), tuple(group)) for (survey, name), group in rounds.items()),
        overall_12m=_rate_of(recent),
        by_client_12m=_rates_by(recent, lambda entry: entry.client),
        by_survey_12m=_rates_by(recent, lambda entry: entry.survey),
        not_answered=tuple(waiting), reminder_after_days=settings.reminder_after_days, max_reminders=settings.max_reminders,
    )


def _rate_of(entries: Iterable[Invited]) -> Rate:
    listed = list(entries)
    return rate(len(listed), sum(1 for entry in listed if entry.answered is not None))


def _rates_by(entries: list[Invited], key: Callable[[Invited], str]) -> dict[str, Rate]:
    """The rate of each group of entries, by the group's name in order."""
    groups: dict[str, list[Invited]] = {}
    for entry in entries:
        groups.setdefault(key(entry), []).append(entry)
    return {name: _rate_of(groups[name]) for name in sorted(groups)}


def _descending(name: str) -> tuple[int, ...]:
    """Newest round first: YYYY-MM as negative numbers."""
    return tuple(-int(part) for part in name.split("-"))


def _round_start(sent: list[tuple[dt.date, str, str]], name: str) -> dt.date:
    return min(day for day, round_name, _ in sent if round_name == name)


def _rows(invitations: pd.DataFrame, as_of: dt.date) -> dict[tuple[str, str], list[tuple[dt.date, str, str]]]:
    """Per (survey, client): every (date, round, kind) sent up to A, in date order."""
    found: dict[tuple[str, str], list[tuple[dt.date, str, str]]] = {}
    days = [pd.Timestamp(value).date() for value in invitations["date"].tolist()]
    columns = (invitations[name].tolist() for name in ("survey", "client", "round", "kind"))
    for day, survey, client, name, kind in sorted(zip(days, *columns)):
        if day <= as_of:
            found.setdefault((survey, client), []).append((day, name, kind))
    return found


def _answer_days(responses: Mapping[str, pd.DataFrame], as_of: dt.date) -> dict[tuple[str, str], list[dt.date]]:
    """Per (survey, client): the days of its responses up to A, earliest first (anonymous ones name no client)."""
    found: dict[tuple[str, str], list[dt.date]] = {}
    for survey, frame in responses.items():
        # datetime64 → datetime.date for the whole column at once (a Timestamp per row costs 10 µs)
        days = frame["date"].to_numpy().astype("datetime64[D]").astype(object).tolist()
        for client, day in zip(frame["client"].tolist(), days):
            if client and day <= as_of:
                found.setdefault((survey, client), []).append(day)
    return {key: sorted(days) for key, days in found.items()}


def response_rates_json(rates: ResponseRates) -> dict[str, object]:
    """The figures as `rapport report --json` carries them (docs/metrics.md)."""
    def plain(figure: Rate) -> dict[str, object]:
        return {"invited": figure.invited, "answered": figure.answered, "rate": figure.rate}

    return {
        "invited_12m": rates.overall_12m.invited, "answered_12m": rates.overall_12m.answered, "rate_12m": rates.overall_12m.rate,
        "not_answered": len(rates.not_answered), "reminders_due": len(rates.reminders_due()),
        "rounds": [{"survey": r.survey, "round": r.round, **plain(r.rate)} for r in rates.rounds],
        "clients": [{"id": client, **plain(figure)} for client, figure in rates.by_client_12m.items()],
    }
