"""Trends and breakdowns for the dashboards: quarters, rating means, distributions, months, comments."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.load import load_portfolio
from generator.metrics import Reports, compute_reports

# these portfolios hold dates after the real today: the clock runs after them (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("after_the_data")

MakePortfolio = Callable[..., Path]
SITE = {"business": {"name": "Test IT"}, "as_of": "2026-11-30"}


def client(client_id: str, **extra: Any) -> dict[str, Any]:
    # records complete from the agreement start (else tracking starts at the first contact)
    extra.setdefault("tracking_since", "2024-03-01")
    return {"id": client_id, "name": client_id.title(), "pcs": 18, "servers": 1,
            "agreement": {"start": "2024-03-01", "term_months": 12}, **extra}


def answer(rid: str, who: str, day: str, nps: int, overall: int, **more: str) -> dict[str, str]:
    return {"response_id": rid, "client": who, "submitted_at": f"{day}T12:00:00Z",
            "recommend": str(nps), "overall": str(overall), **more}


RESPONSES = [
    answer("a1", "acme", "2026-01-15", 10, 5, visits="About right", areas="Helpdesk;Backups", improve="Faster replies"),
    answer("a2", "acme", "2026-02-20", 6, 4),
    answer("a3", "acme", "2026-04-01", 8, 3),
    answer("b1", "bolt", "2026-03-31", 9, 5, areas="Backups"),
    answer("g1", "gone", "2026-02-01", 0, 1),
    answer("x1", "", "2026-03-01", 0, 2, visits="Too few", improve="Call back"),
    answer("late", "acme", "2026-12-05", 0, 1, improve="after A"),
]
CONTACTS = [
    ["2026-10-03", "acme", "onsite", "bo", "60", ""], ["2026-10-20", "acme", "onsite", "bo", "60", ""],
    ["2026-10-05", "acme", "email", "bo", "", ""], ["2026-10-06", "acme", "phone", "bo", "10", ""],
    ["2026-11-02", "acme", "remote", "bo", "30", ""], ["2026-12-01", "acme", "onsite", "bo", "60", ""],
    ["2026-08-01", "gone", "phone", "bo", "5", ""],
]


@pytest.fixture
def reports(make_portfolio: MakePortfolio) -> Reports:
    clients = [client("acme", onsite_min_per_month=2, onsite_typical_per_month=3), client("bolt"),
               client("gone", ended="2026-06-30"), client("soon", agreement={"start": "2027-01-01", "term_months": 12})]
    path = make_portfolio(site=SITE, clients=clients, contacts=CONTACTS, responses={"review": RESPONSES})
    return compute_reports(load_portfolio(path))


def records(frame: Any, columns: list[str]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in frame[columns].itertuples(index=False)]


def test_quarterly_satisfaction_per_client(reports: Reports) -> None:
    assert records(reports.quarterly, ["client", "quarter", "responses", "nps", "nps_n", "csat", "csat_n", "nps_indicative"]) == [
        ("acme", "2026-Q1", 2, 0.0, 2, 100.0, 2, True),
        ("acme", "2026-Q2", 1, 0.0, 1, 0.0, 1, True),
        ("bolt", "2026-Q1", 1, 100.0, 1, 100.0, 1, True),
        ("gone", "2026-Q1", 1, -100.0, 1, 0.0, 1, True),
    ]


def test_quarterly_satisfaction_of_the_portfolio_pools_active_clients(reports: Reports) -> None:
    # Q1: acme 10, 6 and bolt 9 → (2 − 1) / 3; gone (ended) and the anonymous answer are left out
    assert records(reports.portfolio_quarterly, ["quarter", "responses", "nps", "nps_n", "csat", "csat_n"]) == [
        ("2026-Q1", 3, 33.3, 3, 100.0, 3),
        ("2026-Q2", 1, 0.0, 1, 0.0, 1),
    ]


def test_mean_of_every_rating_question(reports: Reports) -> None:
    assert records(reports.question_means, ["client", "quarter", "survey", "question", "mean", "n"]) == [
        ("acme", "2026-Q1", "review", "overall", 4.5, 2), ("acme", "2026-Q2", "review", "overall", 3.0, 1),
        ("bolt", "2026-Q1", "review", "overall", 5.0, 1), ("gone", "2026-Q1", "review", "overall", 1.0, 1),
    ]
    assert records(reports.portfolio_question_means, ["quarter", "question", "mean", "n", "indicative"]) == [
        ("2026-Q1", "overall", 4.67, 3, True), ("2026-Q2", "overall", 3.0, 1, True),
    ]


def test_distributions_count_every_answer_including_anonymous_ones(reports: Reports) -> None:
    frame = reports.distributions.set_index(["question", "answer"])
    assert frame.loc["overall", "count"].to_dict() == {"1": 1, "2": 1, "3": 1, "4": 1, "5": 2}
    assert frame.loc["recommend", "count"].to_dict() == {
        "0": 2, "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 1, "7": 0, "8": 1, "9": 1, "10": 1}
    assert frame.loc["visits", "count"].to_dict() == {"Too few": 1, "About right": 1, "Too many": 0}
    assert frame.loc["areas", "count"].to_dict() == {"Helpdesk": 1, "Backups": 2}
    answered = reports.distributions.groupby("question")["answered"].first().to_dict()
    assert answered == {"areas": 2, "overall": 6, "recommend": 6, "visits": 2}
    assert "improve" not in answered


def test_free_text_answers_with_their_client_date_and_scores(reports: Reports) -> None:
    rows = reports.comments.to_dict("records")
    assert [(r["response_id"], r["client"], str(r["date"]), r["text"], r["nps"], r["csat"], r["scores"]) for r in rows] == [
        ("x1", "", "2026-03-01", "Call back", 0, 2, {"overall": 2, "recommend": 0}),
        ("a1", "acme", "2026-01-15", "Faster replies", 10, 5, {"overall": 5, "recommend": 10}),
    ]


def test_monthly_contacts_by_kind_against_the_targets(reports: Reports) -> None:
    frame = reports.monthly_contacts.set_index(["client", "month"])
    columns = ["onsite", "remote", "phone", "email", "total", "onsite_min", "onsite_typical", "counted", "below_min"]
    assert tuple(frame.loc[("acme", "2026-10"), columns]) == (2, 0, 1, 1, 4, 2, 3, True, False)
    assert tuple(frame.loc[("acme", "2026-09"), columns]) == (0, 0, 0, 0, 0, 2, 3, True, True)
    assert tuple(frame.loc[("acme", "2026-11"), columns]) == (0, 1, 0, 0, 1, 2, 3, False, False)   # A's month
    months = reports.monthly_contacts.groupby("client")["month"].agg(["first", "last", "size"])
    assert months.loc["acme"].tolist() == ["2024-03", "2026-11", 33]
    assert months.loc["gone"].tolist() == ["2024-03", "2026-08", 29]      # to its end, plus a later contact
    assert "soon" not in months.index
    assert tuple(frame.loc[("gone", "2026-06"), ["counted", "below_min"]]) == (True, True)
    assert tuple(frame.loc[("gone", "2026-08"), ["phone", "counted", "below_min", "onsite_min"]]) == (1, False, False, 1)
    assert ("gone", "2026-07") not in frame.index


def test_the_client_table_carries_n_and_rule_inputs(reports: Reports) -> None:
    acme = reports.clients.set_index("id").loc["acme"]
    assert (acme["onsite_min"], acme["onsite_typical"], acme["below_min_last_3"]) == (2, 3, 2)
    assert (acme["nps_12m_n"], acme["csat_12m_n"], acme["name"]) == (3, 3, "Acme")


def test_groups_number_the_key_combinations_in_sorted_order_as_a_groupby_does() -> None:
    import numpy as np
    import pandas as pd

    from generator.metrics.groups import groups

    rng = np.random.default_rng(5)
    wide = rng.integers(-(1 << 60), 1 << 60, 300)  # too wide a range to number by distance: hashed
    keys = [rng.integers(0, 7, 300), rng.integers(-3, 3, 300) * 1000, rng.choice(["b", "a", "c"], 300).astype(object),
            np.repeat(wide[:3], 100)]
    for chosen in (keys, [keys[0], keys[2]]):  # many possible combinations (sorted), few (marked in a table)
        group, values = groups(chosen)
        frame = pd.DataFrame({f"k{index}": key for index, key in enumerate(chosen)})
        expected = frame.groupby(list(frame.columns), sort=True).ngroup().to_numpy()
        assert (group == expected).all()
        firsts = frame.groupby(list(frame.columns), sort=True).size().index
        for index, key in enumerate(values):
            assert key.tolist() == firsts.get_level_values(index).tolist()
