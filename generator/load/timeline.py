"""Dates that would hide data: rows dated after today (errors) and a fixed report date older than the data (a warning)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from generator.errors import Problem
from generator.memo import NO_MEMO, Memo, held_for

# a response's written date may run a day ahead of this computer's (its offset is the respondent's):
# its instant is compared with now instead, with this much allowance for a fast clock
CLOCK_SKEW = dt.timedelta(minutes=5)


def future_rows(
    contacts: pd.DataFrame, responses: Mapping[str, pd.DataFrame], shown: str, now: dt.datetime, memo: Memo = NO_MEMO,
) -> list[Problem]:
    """One problem per contact dated after today and per response submitted after now.

    Each frame's newest date is held in `memo` while it is the very frame the memo gave the last build
    (`held_for`): a frame with none after today needs no look at its rows (130,000 contacts at 1,000 clients).
    """
    today = now.date()
    problems: list[Problem] = []
    if _newest(memo, "contacts", contacts) > pd.Timestamp(today):
        later = contacts[contacts["date"] > pd.Timestamp(today)]
        for day, line in zip(later["date"].tolist(), later["line"].tolist()):
            problems.append(Problem(f"{shown}/contacts.csv", int(line), "date",
                                    f"'{day.date().isoformat()}' is after today ({today.isoformat()}): log a contact once "
                                    "it has happened (planned visits belong in your calendar)"))
    limit = pd.Timestamp(now.astimezone(dt.UTC) + CLOCK_SKEW)
    for survey_id, frame in sorted(responses.items()):
        if not _newest(memo, f"responses-{survey_id}", frame) >= pd.Timestamp(today):
            continue
        near = frame[frame["date"] >= pd.Timestamp(today)]
        if near.empty:
            continue
        instants = pd.to_datetime(near["submitted_at"], format="ISO8601", utc=True, errors="coerce")
        for written, line in zip(near.loc[instants > limit, "submitted_at"].tolist(), near.loc[instants > limit, "line"].tolist()):
            problems.append(Problem(f"{shown}/responses/{survey_id}.csv", int(line), "submitted_at",
                                    f"'{written}' is after now ({now.isoformat(timespec='minutes')}): "
                                    "a response cannot be submitted in the future"))
    return problems


def _newest(memo: Memo, name: str, frame: pd.DataFrame) -> pd.Timestamp:
    """The frame's newest date (NaT when it has none), held for the very frame."""
    return held_for(memo, f"newest-{name}", frame, lambda: pd.Timestamp(frame["date"].max()))


def rows_after(contacts: pd.DataFrame, responses: Mapping[str, pd.DataFrame], as_of: dt.date, source: str) -> str | None:
    """The warning for a fixed report date older than the newest contact or response, else None."""
    cut = pd.Timestamp(as_of)
    contact_dates = contacts["date"]
    later_contacts = int((contact_dates > cut).sum())
    later_responses = sum(int((frame["date"] > cut).sum()) for frame in responses.values())
    if not later_contacts and not later_responses:
        return None
    newest = max(series.max() for series in (contact_dates, *(frame["date"] for frame in responses.values())) if len(series))
    parts = [f"{count:,} {noun}{'' if count == 1 else 's'}"
             for count, noun in ((later_contacts, "contact"), (later_responses, "response")) if count]
    return (f"as_of {as_of.isoformat()} ({source}) is older than the newest data ({newest.date().isoformat()}): "
            f"{' and '.join(parts)} dated after it {'is' if later_contacts + later_responses == 1 else 'are'} "
            "left out of every figure; "
            "remove as_of to report as of today")
