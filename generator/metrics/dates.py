"""Calendar arithmetic of docs/metrics.md: clamped month addition, the 12m window, full months.

Dates inside the metrics stage are numpy `datetime64[D]` values (days) and months are
`datetime64[M]` values, so that every per-client figure is one array operation.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

WINDOW_DAYS = 365  # "12m": the 365 days ending on A, i.e. A−364 … A
DAY = np.timedelta64(1, "D")


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus `months` calendar months, the day clamped to the month's end (31 Aug + 6 = 28 Feb)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = _calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def add_months_array(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """`add_months` over a `datetime64[D]` array (NaT stays NaT); always counted from `days`."""
    days = np.asarray(days, dtype="datetime64[D]")
    missing = np.isnat(days)
    safe = np.where(missing, np.datetime64("2000-01-01", "D"), days)
    month = safe.astype("datetime64[M]")
    day_of_month = (safe - month.astype("datetime64[D]")).astype(np.int64)  # 0-based
    target = month + np.asarray(months, dtype=np.int64).astype("timedelta64[M]")
    first = target.astype("datetime64[D]")
    length = ((target + 1).astype("datetime64[D]") - first).astype(np.int64)
    result = first + np.minimum(day_of_month, length - 1).astype("timedelta64[D]")
    return np.where(missing, np.datetime64("NaT", "D"), result)


def day64(day: dt.date) -> np.datetime64:
    """A python date as `datetime64[D]`."""
    return np.datetime64(day, "D")


def days_of(values: pd.Series) -> np.ndarray:
    """A datetime column as a `datetime64[D]` array (whatever its resolution)."""
    return values.to_numpy().astype("datetime64[D]")


def window_start(as_of: dt.date) -> np.datetime64:
    """First day of the 12m window: A − 364."""
    return day64(as_of) - (WINDOW_DAYS - 1) * DAY


def last_full_months(as_of: dt.date, count: int = 12) -> np.ndarray:
    """The `count` full calendar months before A's month, oldest first, as `datetime64[M]`."""
    this_month = np.datetime64(as_of, "M")
    return this_month - np.arange(count, 0, -1).astype("timedelta64[M]")


def month_bounds(months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last day of each month."""
    months = np.asarray(months, dtype="datetime64[M]")
    return months.astype("datetime64[D]"), (months + 1).astype("datetime64[D]") - DAY


def quarter_label(months: np.ndarray) -> np.ndarray:
    """`YYYY-Qn` for each `datetime64[M]` month."""
    index = np.asarray(months, dtype="datetime64[M]").astype(np.int64)  # months since 1970-01
    years, month0 = np.divmod(index, 12)
    return np.char.add(np.char.add((years + 1970).astype(str), "-Q"), (month0 // 3 + 1).astype(str))


def month_label(months: np.ndarray) -> np.ndarray:
    """`YYYY-MM` for each `datetime64[M]` month."""
    return np.datetime_as_string(np.asarray(months, dtype="datetime64[M]"), unit="M")


def shared_labels(values: np.ndarray, label: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """`label(values)` as python strings, made once per distinct value and shared by its rows.

    A large portfolio has hundreds of thousands of client months or quarters but a few dozen
    distinct ones: a string per row would cost time and ~50 bytes a row, kept to the build's end.
    """
    uniques, inverse = np.unique(np.asarray(values), return_inverse=True)
    shared: np.ndarray = np.asarray(label(uniques)).astype(object)[inverse.reshape(-1)]
    return shared


def to_date(value: np.datetime64) -> dt.date | None:
    """A `datetime64[D]` as a python date, NaT as None."""
    return None if np.isnat(value) else value.astype("datetime64[D]").item()
