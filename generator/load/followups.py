"""Load `data/followups.csv`: one row per follow-up of an unhappy answer (docs/data-formats.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from generator.errors import Problem, did_you_mean, shorten
from generator.load.csv_rows import read_csv_table

# the columns of data/followups.csv, in the order Rapport writes them (docs/data-formats.md)
FOLLOWUP_COLUMNS = ("id", "client", "survey", "response", "reason", "opened", "due", "owner", "status", "closed", "note")
STATUSES = ("open", "closed")
DATE_COLUMNS = ("opened", "due", "closed")


def empty_followups() -> pd.DataFrame:
    """A follow-ups frame with no rows and the right columns."""
    return pd.DataFrame({column: pd.Series(dtype=object) for column in (*FOLLOWUP_COLUMNS, "line")})


def load_followups(
    path: Path, shown: str, client_ids: set[str] | None, response_ids: Callable[[], Mapping[str, set[str]]],
    problems: list[Problem],
) -> pd.DataFrame:
    """Validate every follow-up (dates as `datetime.date`, `closed` None while open); only good rows are kept.

    `client_ids` None means clients.yaml could not be read: client ids are not checked;
    `response_ids` gives each survey's response ids (asked only when there is a file: 20,000 ids at 1,000 clients).
    """
    if not path.is_file():
        return empty_followups()
    table = read_csv_table(path, shown, FOLLOWUP_COLUMNS, FOLLOWUP_COLUMNS, problems)
    if table is None:
        return empty_followups()
    kept: list[dict[str, object]] = []
    ids: dict[str, int] = {}
    answered: dict[tuple[str, str], int] = {}
    known = response_ids()
    for cells in table.frame.to_dict("records"):
        line = int(cells["line"])
        found: list[Problem] = []

        def problem(column: str, message: str, line: int = line, found: list[Problem] = found) -> None:
            found.append(Problem(shown, line, column, message))

        number = str(cells["id"]).strip()
        if not number.isdigit() or int(number) < 1:
            problem("id", f"'{shorten(number)}' is not a follow-up id (expected a whole number from 1)")
        elif number in ids:
            problem("id", f"'{number}' is used twice (first on line {ids[number]})")
        else:
            ids[number] = line
        client = str(cells["client"])
        if client_ids is not None and client not in client_ids:
            problem("client", f"'{shorten(client)}' is not a client id (expected an id from clients.yaml)"
                              f"{did_you_mean(client, client_ids)}" if client else "is empty (expected an id from clients.yaml)")
        survey, response = str(cells["survey"]), str(cells["response"])
        if survey not in known:
            problem("survey", f"'{shorten(survey)}' is not a survey id (expected a file in surveys/){did_you_mean(survey, known)}")
        elif response not in known[survey]:
            problem("response", f"'{shorten(response)}' is not a response_id in responses/{survey}.csv" if response
                    else f"is empty (expected a response_id from responses/{survey}.csv)")
        elif (survey, response) in answered:
            problem("response", f"'{shorten(response)}' has a follow-up already (line {answered[survey, response]}; "
                                "expected one per response)")
        else:
            answered[survey, response] = line
        dates = {column: _date(str(cells[column]), column, problem) for column in DATE_COLUMNS}
        status = str(cells["status"])
        if status not in STATUSES:
            problem("status", f"'{shorten(status)}' is not a status (expected open or closed){did_you_mean(status, STATUSES)}")
        opened, due, closed = dates["opened"], dates["due"], dates["closed"]
        if str(cells["opened"]) == "":
            problem("opened", "is empty (expected YYYY-MM-DD)")
        if str(cells["due"]) == "":
            problem("due", "is empty (expected YYYY-MM-DD)")
        if opened and due and due < opened:
            problem("due", f"{due} is before opened {opened} (expected on or after it)")
        if status == "closed" and str(cells["closed"]) == "":
            problem("closed", "is empty on a closed follow-up (expected the date it was closed, YYYY-MM-DD)")
        if status == "open" and str(cells["closed"]) != "":
            problem("closed", "is set on an open follow-up (expected empty, or status closed)")
        if opened and closed and closed < opened:
            problem("closed", f"{closed} is before opened {opened} (expected on or after it)")
        problems += found
        if not found:
            kept.append({**{column: str(cells[column]) for column in FOLLOWUP_COLUMNS}, **dates, "line": line})
    if not kept:
        return empty_followups()
    return pd.DataFrame(kept, columns=[*FOLLOWUP_COLUMNS, "line"], dtype=object)


def _date(text: str, column: str, problem: Callable[[str, str], None]) -> dt.date | None:
    """A `YYYY-MM-DD` cell as a date; None when empty or wrong (reported)."""
    if text == "":
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        problem(column, f"'{shorten(text)}' is not a date (expected YYYY-MM-DD)")
        return None
