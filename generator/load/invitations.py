"""Load `invitations.csv`: one row per survey invitation or reminder sent (docs/data-formats.md)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from generator.errors import Problem, did_you_mean
from generator.load.checks import check_member, joined, parse_dates
from generator.load.csv_rows import read_csv_table
from generator.model import Settings
from generator.portfolio import INVITATION_COLUMNS, empty_invitations
from generator.yamlio import YamlSyntaxError, read_yaml

INVITATION_KINDS = ("invite", "reminder")
CHANNELS = ("email", "phone", "onsite", "other")
ROUND_PATTERN = r"[0-9]{4}-(0[1-9]|1[0-2])"
ROUND_EXPECTED = "the round's month, YYYY-MM"


def load_invitations(path: Path, shown: str, client_ids: set[str] | None, survey_ids: set[str],
                     problems: list[Problem]) -> pd.DataFrame:
    """Validate every row; the frame holds only rows without problems (dates as `datetime64`)."""
    if not path.is_file():
        return empty_invitations()
    table = read_csv_table(path, shown, INVITATION_COLUMNS, INVITATION_COLUMNS, problems)
    if table is None:
        return empty_invitations()
    frame = table.frame
    dates = parse_dates(frame, "date", shown, problems)
    good = dates.notna()
    good &= check_member(frame, "client", client_ids, shown, problems, "a client id", "an id from clients.yaml")
    good &= check_member(frame, "survey", survey_ids, shown, problems, "a survey id", "an id from surveys/")
    good &= check_member(frame, "channel", CHANNELS, shown, problems, "a channel", joined(CHANNELS))
    good &= check_member(frame, "kind", INVITATION_KINDS, shown, problems, "a kind", joined(INVITATION_KINDS))
    rounds = frame["round"].astype(str).str.fullmatch(ROUND_PATTERN)
    for value, line in zip(frame.loc[~rounds, "round"].tolist(), frame.loc[~rounds, "line"].tolist()):
        problems.append(Problem(shown, int(line), "round", f"'{value}' is not a round (expected {ROUND_EXPECTED})"
                                if value else f"is empty (expected {ROUND_EXPECTED})"))
    good &= rounds
    # the same invitation twice: `rapport invite` never writes it, so a hand edit or a merge did
    key = frame[["date", "client", "survey", "kind"]].astype(str).agg("|".join, axis=1)
    repeated = key.duplicated(keep="first")
    if repeated.any():
        first_line = dict(zip(key[~key.duplicated(keep="first")].tolist(), frame.loc[~key.duplicated(keep="first"), "line"].tolist()))
        for text, line in zip(key[repeated].tolist(), frame.loc[repeated, "line"].tolist()):
            problems.append(Problem(shown, int(line), "", f"repeats line {first_line[text]} (the same date, client, "
                                                          "survey and kind; expected each invitation once)"))
        good &= ~repeated
    invitations = pd.DataFrame({
        "date": dates, "client": frame["client"], "survey": frame["survey"], "round": frame["round"],
        "channel": frame["channel"], "kind": frame["kind"], "line": frame["line"],
    })
    return invitations[good].reset_index(drop=True)


def after_visit_problems(settings: Settings | None, survey_ids: set[str], site_path: Path, shown: str) -> list[Problem]:
    """`after_visit.survey` names a survey of the data folder, reported at its line of site.yaml."""
    if settings is None or settings.after_visit is None or settings.after_visit.survey in survey_ids:
        return []
    survey_id = settings.after_visit.survey
    try:
        line = read_yaml(site_path).line_of(("after_visit", "survey"))
    except (YamlSyntaxError, OSError, UnicodeDecodeError):  # read once already, without a problem
        line = 0
    return [Problem(shown, line, "after_visit.survey", f"'{survey_id}' is not a survey (expected an id from surveys/)"
                                                       f"{did_you_mean(survey_id, sorted(survey_ids))}")]
