"""Vectorised column checks shared by the CSV loaders; each reports bad rows by line."""

from __future__ import annotations

from collections.abc import Collection, Iterable

import pandas as pd

from generator.errors import Problem, did_you_mean

ISO_DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
TIMESTAMP_PATTERN = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})"


def _report(frame: pd.DataFrame, mask: pd.Series, shown: str, column: str, message, problems: list[Problem]) -> None:
    """Add one problem per row where mask holds; `message(value)` says what is wrong."""
    if not mask.any():
        return
    for value, line in zip(frame.loc[mask, column].tolist(), frame.loc[mask, "line"].tolist()):
        problems.append(Problem(shown, int(line), column, message(value)))


def parse_dates(frame: pd.DataFrame, column: str, shown: str, problems: list[Problem]) -> pd.Series:
    """Parse `YYYY-MM-DD` text; bad or impossible dates are reported and become NaT."""
    text = frame[column].astype(str)
    shaped = text.str.fullmatch(ISO_DATE_PATTERN)
    parsed = pd.to_datetime(text.where(shaped), format="%Y-%m-%d", errors="coerce")
    _report(frame, ~shaped, shown, column, lambda v: f"'{v}' is not a date (expected YYYY-MM-DD)", problems)
    _report(frame, shaped & parsed.isna(), shown, column, lambda v: f"'{v}' is not a real date (expected YYYY-MM-DD)", problems)
    return parsed


def parse_timestamps(frame: pd.DataFrame, column: str, shown: str, problems: list[Problem]) -> pd.Series:
    """Check ISO 8601 timestamps with an offset; return the calendar date written in each."""
    text = frame[column].astype(str)
    shaped = text.str.fullmatch(TIMESTAMP_PATTERN)
    instants = pd.to_datetime(text.where(shaped), format="ISO8601", utc=True, errors="coerce")
    dates = pd.to_datetime(text.str.slice(0, 10).where(shaped), format="%Y-%m-%d", errors="coerce")
    _report(frame, ~shaped, shown, column,
            lambda v: f"'{v}' is not a timestamp with offset (expected YYYY-MM-DDTHH:MM:SS+HH:MM or …Z)", problems)
    _report(frame, shaped & (instants.isna() | dates.isna()), shown, column,
            lambda v: f"'{v}' is not a real date and time (expected YYYY-MM-DDTHH:MM:SS+HH:MM or …Z)", problems)
    return dates.where(instants.notna())


def check_member(
    frame: pd.DataFrame, column: str, allowed: Collection[str], shown: str, problems: list[Problem],
    what: str, expected: str, allow_empty: bool = False,
) -> pd.Series:
    """Report values outside `allowed` with 'did you mean'; return the mask of good rows."""
    values = frame[column]
    good = values.isin(list(allowed))
    if allow_empty:
        good |= values == ""
    _report(frame, ~good, shown, column,
            lambda v: f"'{v}' is not {what} (expected {expected}){did_you_mean(v, allowed)}" if v != ""
            else f"is empty (expected {expected})", problems)
    return good


def check_whole_numbers(
    frame: pd.DataFrame, column: str, low: int | None, high: int | None, shown: str,
    problems: list[Problem], expected: str,
) -> pd.Series:
    """Check optional whole numbers within [low, high]; return them as floats (NaN when empty/bad)."""
    text = frame[column].astype(str).str.strip()
    empty = text == ""
    whole = text.str.fullmatch(r"[+-]?\d+")
    numbers = pd.to_numeric(text.where(whole), errors="coerce")
    _report(frame, ~empty & ~whole, shown, column, lambda v: f"'{v}' is not a whole number (expected {expected})", problems)
    in_range = pd.Series(True, index=frame.index)
    if low is not None:
        below = whole & (numbers < low)
        in_range &= ~below
        _report(frame, below, shown, column,
                lambda v: f"'{v}' is negative (expected {expected})" if low == 0 else f"'{v}' is out of range (expected {expected})",
                problems)
    if high is not None:
        above = whole & (numbers > high)
        in_range &= ~above
        _report(frame, above, shown, column, lambda v: f"'{v}' is out of range (expected {expected})", problems)
    return numbers.where(whole & in_range)


def check_unique(frame: pd.DataFrame, column: str, shown: str, problems: list[Problem]) -> None:
    """Report empty values and every repeat of a value after its first line."""
    values = frame[column]
    _report(frame, values == "", shown, column, lambda v: "is empty (expected a unique id)", problems)
    repeated = values.duplicated(keep="first") & (values != "")
    if repeated.any():
        first_line = frame.loc[~values.duplicated(keep="first")].set_index(column)["line"]
        for value, line in zip(frame.loc[repeated, column].tolist(), frame.loc[repeated, "line"].tolist()):
            problems.append(Problem(shown, int(line), column, f"duplicate '{value}' (first used on line {int(first_line[value])})"))


def joined(values: Iterable[str]) -> str:
    """`a, b, c` for an expectation message."""
    return ", ".join(values)
