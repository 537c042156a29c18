"""Who gets an invitation or a reminder today, and why each other client named does not.

Invitations (docs/invitations.md): the clients named with `--client`; else for the
`after_visit` survey those with an on-site visit in the last `within_days` days that no
invitation to it has followed yet; else with `--due` the active clients whose survey is due
(within the dashboards' window, or overdue: generator/metrics/attention.py); else every active
client. A client still waiting to answer an earlier invitation gets a reminder instead
(`--reminders`), never a second invitation. Reminders: exactly those the response-rate figures
say are due (generator/metrics/response_rate.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from generator.metrics.attention import attention
from generator.metrics.headline import compute_headline
from generator.metrics.paging import limits
from generator.metrics.response_rate import Invited, ResponseRates, response_rates
from generator.model import Client, Survey
from generator.plurals import plural
from generator.portfolio import Portfolio


@dataclass(frozen=True)
class Standing:
    """What choosing needs of the metrics: the active clients, whose survey is due, the response rates."""

    active: frozenset[str]
    surveys_due: list[str]  # soonest first (generator/metrics/attention.py)
    due_days: int
    response_rates: ResponseRates


def standing(portfolio: Portfolio) -> Standing:
    """The figures at `portfolio.as_of`: the headline metrics only, not every chart's (a second, not five)."""
    found = compute_headline(portfolio)
    active = frozenset(found.clients.loc[found.clients["active"], "id"].tolist())
    lists = attention(found.clients, found.monthly_contacts, portfolio.settings.targets, found.as_of,
                      limits(portfolio.settings.dashboards))
    rates = response_rates(portfolio.invitations, portfolio.responses, portfolio.settings, found.as_of, active)
    return Standing(active, lists.surveys_due, lists.due_days, rates)


@dataclass(frozen=True)
class Choice:
    """One client's outcome: an e-mail of `kind` in `round`, or `skipped` with the reason."""

    client: Client
    kind: str = "invite"
    round: str = ""
    skipped: str = ""


def latest_entries(state: Standing, survey: Survey) -> dict[str, Invited]:
    """Per client, its latest round of this survey (every round, however old)."""
    found: dict[str, Invited] = {}
    for round_rate in state.response_rates.rounds:
        if round_rate.survey == survey.id:
            for entry in round_rate.clients:
                if entry.client not in found or entry.invited > found[entry.client].invited:
                    found[entry.client] = entry
    return found


def invitations(portfolio: Portfolio, state: Standing, survey: Survey, named: Sequence[str], due: bool) -> tuple[list[Choice], str]:
    """The choices for an invitation run, and why there is none when the selection is empty."""
    today, active = portfolio.as_of, state.active
    pulse = portfolio.settings.after_visit is not None and portfolio.settings.after_visit.survey == survey.id
    if named:
        ids, why = list(dict.fromkeys(named)), ""
    elif pulse:
        ids = _visited(portfolio, survey)
        why = (f"no on-site visit in the last {plural(portfolio.settings.after_visit.within_days, 'day')} (after_visit in site.yaml) "  # type: ignore[union-attr]
               f"that no invitation to {survey.id} has followed yet")
    elif due:
        ids = list(state.surveys_due)
        why = f"no active client's survey is due within {plural(state.due_days, 'day')} of {today} or overdue"
    else:
        ids, why = [client.id for client in portfolio.clients if client.id in active], "there is no active client"
    latest = latest_entries(state, survey)
    choices = []
    for client_id in ids:
        client = portfolio.client(client_id)
        if client is None:
            continue
        entry = latest.get(client_id)
        round_name = entry.round if entry is not None and entry.invited == today else today.strftime("%Y-%m")
        if client_id not in active:
            choices.append(Choice(client, skipped=f"not an active client on {today}"))
        elif entry is not None and entry.answered is None and entry.invited < today and not pulse:
            choices.append(Choice(client, skipped=f"invited on {entry.invited} (round {entry.round}) and not answered yet: "
                                                  "send a reminder with --reminders"))
        else:
            choices.append(_with_address(Choice(client, "invite", round_name)))
    return choices, why


def reminders(portfolio: Portfolio, state: Standing, survey: Survey, named: Sequence[str]) -> tuple[list[Choice], str]:
    """The choices for a reminder run, and why there is none when nobody waits for one."""
    rates, today = state.response_rates, portfolio.as_of
    waiting = {entry.client: entry for entry in rates.waiting(survey.id)}
    ids = list(dict.fromkeys(named)) if named else list(waiting)
    choices = []
    for client_id in ids:
        client = portfolio.client(client_id)
        if client is None:
            continue
        entry = waiting.get(client_id)
        if entry is None:
            choices.append(Choice(client, skipped=f"no unanswered invitation to {survey.id} in the last 12 months"))
        elif (entry.reminder_due is not None and entry.reminder_due <= today) or (entry.last_sent == today and entry.reminders):
            choices.append(_with_address(Choice(client, "reminder", entry.round)))
        elif entry.reminders >= rates.max_reminders:
            choices.append(Choice(client, skipped=f"reminded {plural(entry.reminders, 'time')} "
                                                  f"in round {entry.round} already (max_reminders: {rates.max_reminders})"))
        else:
            choices.append(Choice(client, skipped=f"last sent on {entry.last_sent}: a reminder is due from {entry.reminder_due} "
                                                  f"(reminder_after_days: {rates.reminder_after_days})"))
    why = f"nobody invited to {survey.id} in the last 12 months is still waiting to answer"
    return choices, why


def _with_address(choice: Choice) -> Choice:
    if not (choice.client.contact.email or "").strip():
        return Choice(choice.client, skipped="no contact e-mail in clients.yaml")
    return choice


def _visited(portfolio: Portfolio, survey: Survey) -> list[str]:
    """Clients whose latest on-site visit lies in the last `within_days` days and has no invitation after it
    (one made today is this run's own, made again)."""
    setting = portfolio.settings.after_visit
    assert setting is not None
    today = portfolio.as_of
    since = today - dt.timedelta(days=setting.within_days)
    contacts = portfolio.contacts
    visits: dict[str, dt.date] = {}
    for client, kind, value in zip(contacts["client"].tolist(), contacts["kind"].tolist(), contacts["date"].tolist()):
        day = value.date()
        if kind == "onsite" and since <= day <= today and day > visits.get(client, dt.date.min):
            visits[client] = day
    sent = portfolio.invitations[portfolio.invitations["survey"] == survey.id]
    followed = {client for client, value in zip(sent["client"].tolist(), sent["date"].tolist())
                if client in visits and visits[client] <= value.date() < today}
    return sorted(client for client in visits if client not in followed)
