"""Month arithmetic, windows and exact rounding of the metrics stage."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.metrics.dates import add_months, add_months_array, last_full_months, month_label, window_start
from generator.metrics.rounding import mean_2dp, percent_1dp

D = dt.date


@pytest.mark.parametrize(("start", "months", "expected"), [
    (D(2024, 1, 31), 1, D(2024, 2, 29)),    # leap February
    (D(2023, 1, 31), 1, D(2023, 2, 28)),
    (D(2022, 8, 31), 6, D(2023, 2, 28)),    # the contract's example
    (D(2023, 8, 31), 6, D(2024, 2, 29)),
    (D(2024, 1, 31), 2, D(2024, 3, 31)),    # from the original date, not Jan 31 → Feb 29 → Mar 29
    (D(2024, 2, 29), 12, D(2025, 2, 28)),
    (D(2024, 2, 29), 48, D(2028, 2, 29)),
    (D(2024, 3, 31), -1, D(2024, 2, 29)),
    (D(2024, 12, 15), 1, D(2025, 1, 15)),
    (D(2024, 5, 10), 0, D(2024, 5, 10)),
])
def test_add_months_clamps_to_month_end(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected
    assert add_months_array(np.array([start], dtype="datetime64[D]"), np.array([months]))[0] == np.datetime64(expected)


def test_add_months_array_keeps_missing_dates_missing() -> None:
    result = add_months_array(np.array(["NaT", "2024-01-31"], dtype="datetime64[D]"), 1)
    assert np.isnat(result[0]) and result[1] == np.datetime64("2024-02-29")


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2090, 12, 31)), st.integers(-240, 240))
def test_vectorised_add_months_agrees_with_the_scalar_one(start: dt.date, months: int) -> None:
    got = add_months_array(np.array([start], dtype="datetime64[D]"), np.array([months]))[0]
    assert got.astype(object) == add_months(start, months)


def test_last_full_months_are_the_twelve_calendar_months_before_the_report_month() -> None:
    assert month_label(last_full_months(D(2026, 11, 30))).tolist() == [
        "2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04",
        "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert month_label(last_full_months(D(2026, 1, 1), 3)).tolist() == ["2025-10", "2025-11", "2025-12"]


def test_the_12m_window_is_the_365_days_ending_on_the_report_date() -> None:
    assert window_start(D(2026, 11, 30)) == np.datetime64("2025-12-01")
    assert window_start(D(2024, 12, 31)) == np.datetime64("2024-01-02")  # 2024 has 366 days


@pytest.mark.parametrize(("part", "total", "expected"), [
    (1, 3, 33.3), (2, 3, 66.7), (1, 6, 16.7), (-1, 6, -16.7), (5, 6, 83.3),
    (1, 16, 6.3),      # 6.25 exactly: half away from zero (round(6.25, 1) gives 6.2)
    (-1, 16, -6.3),
    (3, 2000, 0.2),    # 0.15 exactly: the float 0.15 is just below, round() gives 0.1
    (1, 2000, 0.1),    # 0.05
    (49, 400, 12.3),   # 12.25
    (1, 2001, 0.0), (0, 7, 0.0), (7, 7, 100.0), (-7, 7, -100.0),
])
def test_percentages_round_half_away_from_zero_on_the_exact_fraction(part: int, total: int, expected: float) -> None:
    assert percent_1dp(np.array([part]), np.array([total]))[0] == expected


def test_a_percentage_of_nothing_is_missing() -> None:
    assert np.isnan(percent_1dp(np.array([0]), np.array([0]))[0])


def test_means_round_to_two_decimals_exactly() -> None:
    assert mean_2dp(np.array([14, 9, 1]), np.array([3, 8, 8])).tolist() == [4.67, 1.13, 0.13]  # 1.125 → 1.13, 0.125 → 0.13
