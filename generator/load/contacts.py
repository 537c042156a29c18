"""Load `contacts.csv`: one row per e-mail, call, remote session or on-site visit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from generator.bounds import CONTACT_KINDS
from generator.errors import Problem
from generator.load.appended import appended, tail_text
from generator.load.checks import check_member, check_whole_numbers, joined, parse_dates, stripped
from generator.load.csv_rows import read_csv_bytes

CONTACT_COLUMNS = ("date", "client", "kind", "staff", "minutes", "note")


def empty_contacts() -> pd.DataFrame:
    """A contacts frame with no rows and the right columns."""
    return pd.DataFrame({
        "date": pd.Series(dtype="datetime64[ns]"), "client": pd.Series(dtype=object),
        "kind": pd.Series(dtype=object), "staff": pd.Series(dtype=object),
        "minutes": pd.Series(dtype="Int64"), "note": pd.Series(dtype=object),
        "line": pd.Series(dtype="int64"),
    })


def load_contacts(path: Path, shown: str, client_ids: set[str] | None, problems: list[Problem]) -> pd.DataFrame:
    """Validate every contact; the frame holds only rows without problems.

    `client_ids` None means clients.yaml could not be read: client ids are not checked.
    """
    if not path.is_file():
        return empty_contacts()
    return contacts_from(path.read_bytes(), shown, client_ids, problems)


def append_contacts(before: pd.DataFrame, data: bytes, length: int, shown: str,
                    client_ids: set[str] | None) -> pd.DataFrame | None:
    """The contacts of `data`, which is the file that gave `before` from its first `length` bytes plus
    appended ones: only those are read; None when that is not possible or they have a problem
    (then the whole file is read: generator/load/appended.py)."""
    tail = tail_text(data, length)
    if tail is None:
        return None
    problems: list[Problem] = []
    after = contacts_from(tail[0], shown, client_ids, problems)
    return None if problems else appended(before, after, tail[1])


def contacts_from(raw: bytes, shown: str, client_ids: set[str] | None, problems: list[Problem]) -> pd.DataFrame:
    """`load_contacts` of the file's bytes."""
    table = read_csv_bytes(raw, shown, CONTACT_COLUMNS, CONTACT_COLUMNS, problems)
    if table is None:
        return empty_contacts()
    frame = table.frame
    before = len(problems)
    dates = parse_dates(frame, "date", shown, problems)
    good = dates.notna()
    good &= check_member(frame, "client", client_ids, shown, problems, "a client id", "an id from clients.yaml")
    good &= check_member(frame, "kind", CONTACT_KINDS, shown, problems, "a contact kind", joined(CONTACT_KINDS))
    minutes = check_whole_numbers(frame, "minutes", 0, None, shown, problems, "a whole number of minutes, 0 or more")
    if len(problems) == before:
        good[:] = True
    else:
        good &= minutes.notna() | (stripped(frame["minutes"]) == "")
        if table.header != CONTACT_COLUMNS and (~good).sum() * 2 > len(frame):
            _header_in_another_order(table.header, len(frame), int((~good).sum()), shown, problems, before)
    contacts = pd.DataFrame({
        "date": dates, "client": frame["client"], "kind": frame["kind"], "staff": frame["staff"],
        "minutes": minutes.astype("Int64"), "note": frame["note"], "line": frame["line"],
    })
    if not good.all():
        contacts = contacts[good]
    return contacts.reset_index(drop=True)


def _header_in_another_order(header: tuple[str, ...], rows: int, bad: int, shown: str, problems: list[Problem], before: int) -> None:
    """Columns are matched by name, so a file whose columns were moved reads the same; but when a
    header in another order than the documented one leaves most rows failing, its names are more
    likely swapped than the rows wrong: one problem on the header, with the first row's as an example."""
    example = problems[before]
    del problems[before:]
    problems.append(Problem(shown, 1, "", f"the header names the columns in the order {','.join(header)} and "
                                          f"{bad:,} of {rows:,} rows then fail their checks (e.g. line {example.line}: "
                                          f"{example.field}: {example.message}); expected the header "
                                          f"{','.join(CONTACT_COLUMNS)} — are column names swapped?"))
