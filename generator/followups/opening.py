"""When follow-ups open: as answers arrive (import, collector, quarantine retry), and on `rapport followup sync`.

Both paths apply the rules of generator/metrics/followups.py to response rows and append
through generator/followups/store.py, which never opens a second follow-up for a response
(open or closed). Arrival is the usual path; `sync` catches up on responses that came in
another way (a response file edited by hand, or answers from before follow-ups existed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from generator.followups.store import NewFollowup, open_followups, open_locked
from generator.metrics.followups import arrives_in_time, reasons
from generator.model import Survey, Targets


def _day(written: str) -> dt.date | None:
    """The calendar date written in a `submitted_at` (a response's date)."""
    try:
        return dt.date.fromisoformat(written.strip()[:10])
    except ValueError:
        return None


def to_open(survey: Survey, rows: Iterable[Mapping[str, str]], targets: Targets, today: dt.date) -> list[NewFollowup]:
    """The follow-ups these responses call for: a known client, dated recently and not after `today`, an answer that qualifies."""
    found = []
    for row in rows:
        client, day = row.get("client", ""), _day(row.get("submitted_at", ""))
        # an anonymous answer has nobody to follow up with: it stays in the feedback inbox
        if not client or day is None or day > today or not arrives_in_time(day, today, targets):
            continue
        why = reasons(survey, row, targets)
        if why:
            found.append(NewFollowup(client, survey.id, row.get("response_id", ""), "; ".join(why), day))
    return found


def open_on_arrival(data_dir: Path, arrived: Sequence[tuple[Survey, Mapping[str, str]]], targets: Targets,
                    today: dt.date) -> list[str]:
    """Open the follow-ups that answers just appended call for; the caller holds the data lock."""
    new = [item for survey, row in arrived for item in to_open(survey, [row], targets, today)]
    return open_locked(data_dir, new, targets) if new else []


def sync(data_dir: Path, as_of: dt.date | None) -> tuple[list[str], int]:
    """Open a follow-up for every recent response that calls for one and has none: the ids opened, and the responses read."""
    from generator.load import load_portfolio  # the whole folder is checked first: a bad file stops here

    portfolio = load_portfolio(data_dir, as_of)
    targets = portfolio.settings.targets
    new: list[NewFollowup] = []
    read = 0
    for survey in portfolio.surveys:
        frame = portfolio.responses[survey.id]
        read += len(frame)
        columns = ["response_id", "client", "submitted_at", *(q.id for q in survey.questions if q.id in frame.columns)]
        rows = [dict(zip(columns, values)) for values in frame[columns].itertuples(index=False, name=None)]
        new += to_open(survey, rows, targets, portfolio.as_of)
    new.sort(key=lambda item: (item.opened, item.survey, item.response))
    return (open_followups(data_dir, new, targets) if new else []), read


def arrival_lines(opened: Sequence[str], problem: str) -> list[str]:
    """What a command that took answers in says about the follow-ups they opened (or could not)."""
    if problem:
        return [f"warning: no follow-up opened: {problem}; the answers are stored, and `rapport followup sync` "
                "opens their follow-ups once the file is fixed"]
    if opened:
        return [f"opened follow-up{'s' if len(opened) != 1 else ''} {', '.join(opened)} (`rapport followup list`)"]
    return []
