"""Vectorised column checks shared by the CSV loaders; each reports bad rows by line."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import cast

import numpy as np
import pandas as pd

from generator.bounds import EARLIEST_DATE, LATEST_DATE
from generator.errors import Problem, did_you_mean, shorten

# [0-9], not \d: \d also matches other scripts' digits ('٣', '３'), which pandas cannot parse
ISO_DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
TIMESTAMP_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?(?:Z|[+-][0-9]{2}:[0-9]{2})"
WHOLE_NUMBER_PATTERN = r"[+-]?[0-9]+"
# float64 holds every whole number of up to 15 digits exactly, so the Int64 columns stay exact
MAX_DIGITS = 15
DATE_EXPECTED = "YYYY-MM-DD"
TIMESTAMP_EXPECTED = "YYYY-MM-DDTHH:MM:SS+HH:MM or …Z"


def _report(
    frame: pd.DataFrame, mask: pd.Series, shown: str, column: str, message: Callable[[object], str], problems: list[Problem],
) -> None:
    """Add one problem per row where mask holds; `message(value)` says what is wrong."""
    if not mask.any():
        return
    for value, line in zip(frame.loc[mask, column].tolist(), frame.loc[mask, "line"].tolist()):
        problems.append(Problem(shown, int(line), column, message(shorten(value) if isinstance(value, str) else value)))


def parse_dates(frame: pd.DataFrame, column: str, shown: str, problems: list[Problem]) -> pd.Series:
    """Parse `YYYY-MM-DD` text; bad or impossible dates are reported and become NaT."""
    values = frame[column].tolist()
    if _all_like(values, {10: DATE_SHAPE}):
        # a hundred thousand dates, each written right: the pattern checked at once, no problem to report
        parsed = pd.to_datetime(frame[column], format="%Y-%m-%d", errors="coerce")
        if not parsed.isna().any():
            return parsed
    text = frame[column].astype(str)
    empty = text == ""
    shaped = text.str.fullmatch(ISO_DATE_PATTERN)
    parsed = pd.to_datetime(text.where(shaped), format="%Y-%m-%d", errors="coerce")
    _report(frame, empty, shown, column, lambda v: f"is empty (expected {DATE_EXPECTED})", problems)
    _report(frame, ~shaped & ~empty, shown, column, lambda v: f"'{v}' is not a date (expected {DATE_EXPECTED})", problems)
    _report(frame, shaped & parsed.isna(), shown, column, lambda v: f"'{v}' is not a real date (expected {DATE_EXPECTED})", problems)
    return parsed


def parse_timestamps(frame: pd.DataFrame, column: str, shown: str, problems: list[Problem]) -> pd.Series:
    """Check ISO 8601 timestamps with an offset; return the calendar date written in each."""
    values = frame[column].tolist()
    if _all_like(values, TIMESTAMP_SHAPES):
        # every value written to the second, as exports and the collector write them: only whether
        # each is a real time, and its year, are left to check
        written = pd.Series([value[:10] for value in values], index=frame.index, name=column, dtype=object)
        first_years = np.array([value[:4] for value in values], dtype=np.int64)
        instants = pd.to_datetime(frame[column], format="ISO8601", utc=True, errors="coerce")
        dates = pd.to_datetime(written, format="%Y-%m-%d", errors="coerce")
        if (first_years.min() >= EARLIEST_DATE.year and first_years.max() <= LATEST_DATE.year
                and not instants.isna().any() and not dates.isna().any()):
            return dates
    text = frame[column].astype(str)
    empty = text == ""
    shaped = text.str.fullmatch(TIMESTAMP_PATTERN)
    instants = pd.to_datetime(text.where(shaped), format="ISO8601", utc=True, errors="coerce")
    dates = pd.to_datetime(text.str.slice(0, 10).where(shaped), format="%Y-%m-%d", errors="coerce")
    _report(frame, empty, shown, column, lambda v: f"is empty (expected {TIMESTAMP_EXPECTED})", problems)
    _report(frame, ~shaped & ~empty, shown, column,
            lambda v: f"'{v}' is not a timestamp with offset (expected {TIMESTAMP_EXPECTED})", problems)
    _report(frame, shaped & (instants.isna() | dates.isna()), shown, column,
            lambda v: f"'{v}' is not a real date and time (expected {TIMESTAMP_EXPECTED})", problems)
    # year 0001 or 9999 parses, and then no report date can be near it: the same range as every date
    years = text.str.slice(0, 4).where(shaped & instants.notna() & dates.notna(), "2000").astype(int)
    outside = (years < EARLIEST_DATE.year) | (years > LATEST_DATE.year)
    _report(frame, outside, shown, column,
            lambda v: f"'{v}' is out of range (expected a time from {EARLIEST_DATE.year} to {LATEST_DATE.year})", problems)
    return dates.where(instants.notna() & ~outside)


# the shapes of `_all_like`: `9` a digit, `±` a sign, anything else itself
DATE_SHAPE = "9999-99-99"
TIMESTAMP_SHAPES = {25: "9999-99-99T99:99:99±99:99", 20: "9999-99-99T99:99:99Z"}


def _texts(values: Sequence[object]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """ASCII texts without a line break, at once: their characters joined by line feeds, where each starts, each length."""
    try:
        joined = "\n".join(cast("Sequence[str]", values))
    except TypeError:  # not every value is text
        return None
    if not values or not joined.isascii():
        return None
    chars = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    breaks = np.flatnonzero(chars == ord("\n"))
    if len(breaks) != len(values) - 1:  # a value holds a line break of its own
        return None
    starts = np.concatenate(([0], breaks + 1))
    return chars, starts, np.diff(np.concatenate((starts, [len(chars) + 1]))) - 1


def _all_like(values: Sequence[object], shapes: dict[int, str]) -> bool:
    """Every value is a string of one of `shapes` (by its length): tested at once, not one by one."""
    texts = _texts(values)
    if texts is None:
        return False
    chars, starts, lengths = texts
    if lengths.min() == lengths.max():  # one length: the values are the rows of one array
        width = int(lengths[0])
        rows = np.append(chars, np.uint8(ord("\n"))).reshape(len(values), width + 1)[:, :width]
        return width in shapes and _fits(rows, shapes[width])
    for width in np.unique(lengths).tolist():  # of several lengths (a `Z` beside offsets): each on its rows
        if width not in shapes or not _fits(chars[starts[lengths == width][:, None] + np.arange(width)], shapes[width]):
            return False
    return True


def _fits(chars: np.ndarray, shape: str) -> bool:
    """Each row of character codes is written in `shape`."""
    for position, wanted in enumerate(shape):
        column = chars[:, position]
        if wanted == "9":
            fits = (column >= ord("0")) & (column <= ord("9"))
        elif wanted == "±":
            fits = (column == ord("+")) | (column == ord("-"))
        else:
            fits = column == ord(wanted)
        if not fits.all():
            return False
    return True


def plain_numbers(values: Sequence[object], name: str, index: pd.Index) -> pd.Series | None:
    """Every value empty or 1 to MAX_DIGITS ASCII digits (no sign, no space): the numbers, NaN when empty; else None."""
    texts = _texts(values)
    if texts is None:
        return None
    chars, starts, lengths = texts
    digit = (chars >= ord("0")) & (chars <= ord("9"))
    if int(np.count_nonzero(digit)) != len(chars) - (len(values) - 1) or lengths.max() > MAX_DIGITS:
        return None
    # each digit times its place value, summed per cell: exact in float64 below 2**53 (16 digits)
    cell = np.repeat(np.arange(len(values)), lengths + 1)[:len(chars)]  # each value and the line feed after it
    place = (starts + lengths)[cell] - 1 - np.arange(len(chars))
    weights = np.where(digit, (chars.astype(np.int64) - ord("0")) * 10.0 ** np.maximum(place, 0), 0.0)
    numbers = np.bincount(cell, weights=weights, minlength=len(values)).astype(np.float64)
    if lengths.min() > 0:
        return pd.Series(numbers.astype(np.int64), index=index, name=name)
    numbers[lengths == 0] = np.nan
    return pd.Series(numbers, index=index, name=name)


def stripped(column: pd.Series) -> pd.Series:
    """The column as text without surrounding blanks (a spreadsheet's no-break space too), as `.str.strip()` gives it."""
    text = column.astype(str)
    try:
        joined = "".join(column.tolist())
    except TypeError:
        return text.str.strip()
    # digits and empty cells only, the usual rating column: nothing to strip (and stripping costs 30 times more)
    return text if joined.isascii() and (joined.isdigit() or not joined) else text.str.strip()


def check_member(
    frame: pd.DataFrame, column: str, allowed: Collection[str] | None, shown: str, problems: list[Problem],
    what: str, expected: str, allow_empty: bool = False,
) -> pd.Series:
    """Report values outside `allowed` with 'did you mean'; return the mask of good rows.

    `allowed` None means the allowed values are unknown (their file could not be read,
    which is reported once there): nothing is checked.
    """
    if allowed is None:
        return pd.Series(True, index=frame.index)
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
    plain = plain_numbers(frame[column].tolist(), column, frame.index)
    if plain is not None and (low is None or not plain.min() < low) and (high is None or not plain.max() > high):
        # every cell plain digits or empty (the usual file): nothing to strip, only the range to check
        return plain
    text = stripped(frame[column])
    empty = text == ""
    whole = text.str.fullmatch(WHOLE_NUMBER_PATTERN)
    long = whole & (text.str.len() > MAX_DIGITS)
    negative = pd.Series(False, index=frame.index)
    if long.any():
        # only the few long texts are looked at closely: a sign or leading zeros are not digits
        long_text = text[long]
        long[long] = long_text.str.lstrip("+-").str.lstrip("0").str.len() > MAX_DIGITS
        negative[long] = text[long].str.startswith("-")
    numbers = pd.to_numeric(text.where(whole & ~long), errors="coerce")
    _report(frame, ~empty & ~whole, shown, column, lambda v: f"'{v}' is not a whole number (expected {expected})", problems)
    in_range = ~long
    if low is not None:
        # a negative number too long to store is still below any lower bound
        below = whole & ((numbers < low) | (long & negative))
        in_range &= ~below
        _report(frame, below, shown, column,
                lambda v: f"'{v}' is negative (expected {expected})" if low == 0 else f"'{v}' is out of range (expected {expected})",
                problems)
    if high is not None:
        above = whole & ~long & (numbers > high)
        in_range &= ~above
        _report(frame, above, shown, column, lambda v: f"'{v}' is out of range (expected {expected})", problems)
    too_large = long & ~(negative & (low is not None))
    _report(frame, too_large, shown, column, lambda v: f"'{v}' is too large (expected {expected})", problems)
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
