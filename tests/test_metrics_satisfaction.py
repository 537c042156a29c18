"""NPS, CSAT, response counts and their n, per client and for the portfolio (DESIGN.md §3)."""

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


def client(client_id: str, start: str = "2024-03-01", **extra: Any) -> dict[str, Any]:
    return {"id": client_id, "name": client_id.title(), "pcs": 18, "servers": 1,
            "agreement": {"start": start, "term_months": 12}, **extra}


def answer(rid: str, who: str, day: str, nps: int | str = "", overall: int | str = "", at: str = "T12:00:00Z") -> dict[str, str]:
    return {"response_id": rid, "client": who, "submitted_at": f"{day}{at}", "recommend": str(nps), "overall": str(overall)}


def run(make_portfolio: MakePortfolio, **parts: Any) -> Reports:
    parts.setdefault("site", SITE)
    parts.setdefault("clients", [client("acme")])
    return compute_reports(load_portfolio(make_portfolio(**parts)))


def row(reports: Reports, client_id: str) -> dict[str, Any]:
    return reports.clients.set_index("id").loc[client_id].to_dict()


@pytest.mark.parametrize(("scores", "expected"), [
    ([9, 7, 8], 33.3),                 # 1/3
    ([9, 10, 8], 66.7),                # 2/3
    ([9, 7, 7, 7, 7, 7], 16.7),        # 1/6
    ([6, 7, 7, 7, 7, 7], -16.7),
    ([10, 0], 0.0),
    ([0, 3, 6], -100.0),
    ([10] + [8] * 15, 6.3),            # 6.25: half away from zero, not to even
    ([6] + [7] * 15, -6.3),
])
def test_nps_of_a_client_is_exact_and_rounded_half_away_from_zero(make_portfolio: MakePortfolio, scores: list[int], expected: float) -> None:
    rows = [answer(f"r{i}", "acme", "2026-06-01", nps=s) for i, s in enumerate(scores)]
    reports = run(make_portfolio, responses={"review": rows})
    acme = row(reports, "acme")
    assert (acme["nps_12m"], acme["nps_12m_n"], acme["responses_12m"]) == (expected, len(scores), len(scores))


def test_a_tie_at_the_second_decimal_that_binary_floats_get_wrong(make_portfolio: MakePortfolio) -> None:
    # 3 promoters among 2000 answers: 100 × 3 / 2000 = 0.15 exactly → 0.2 (float round says 0.1)
    rows = [answer(f"r{i}", "acme", "2026-06-01", nps=10 if i < 3 else 8) for i in range(2000)]
    reports = run(make_portfolio, responses={"review": rows})
    assert row(reports, "acme")["nps_12m"] == 0.2
    assert reports.portfolio["nps_12m"] == 0.2


@pytest.mark.parametrize(("ratings", "expected"), [
    ([4, 5, 3], 66.7), ([1, 2, 3], 0.0), ([5], 100.0), ([4] + [3] * 15, 6.3), ([4, 3, 3, 3, 3, 3], 16.7),
])
def test_csat_counts_answers_of_4_and_5(make_portfolio: MakePortfolio, ratings: list[int], expected: float) -> None:
    rows = [answer(f"r{i}", "acme", "2026-06-01", overall=s) for i, s in enumerate(ratings)]
    acme = row(run(make_portfolio, responses={"review": rows}), "acme")
    assert (acme["csat_12m"], acme["csat_12m_n"]) == (expected, len(ratings))


def test_empty_answers_count_as_a_response_but_give_no_figure(make_portfolio: MakePortfolio) -> None:
    reports = run(make_portfolio, responses={"review": [answer("r1", "acme", "2026-06-01")]})
    acme = row(reports, "acme")
    assert (acme["responses_12m"], acme["nps_12m"], acme["csat_12m"], acme["nps_12m_n"]) == (1, None, None, 0)
    assert (reports.portfolio["nps_12m"], reports.portfolio["csat_12m"]) == (None, None)
    assert str(acme["last_response"]) == "2026-06-01"


def test_no_responses_at_all(make_portfolio: MakePortfolio) -> None:
    acme = row(run(make_portfolio), "acme")
    assert (acme["responses_12m"], acme["nps_12m"], acme["csat_12m"], acme["last_response"]) == (0, None, None, None)


def test_responses_after_the_report_date_do_not_exist(make_portfolio: MakePortfolio) -> None:
    rows = [answer("r1", "acme", "2026-11-30", nps=10, overall=5, at="T23:30:00-05:00"),  # the date written counts
            answer("r2", "acme", "2026-12-01", nps=0, overall=1, at="T00:30:00+09:00"),   # Nov 30 in UTC, Dec 1 as written
            answer("r3", "acme", "2027-02-01", nps=0, overall=1)]
    reports = run(make_portfolio, responses={"review": rows})
    acme = row(reports, "acme")
    assert (acme["responses_12m"], acme["nps_12m"], acme["csat_12m"]) == (1, 100.0, 100.0)
    assert str(acme["last_response"]) == "2026-11-30"
    assert reports.portfolio["responses_12m"] == 1


def test_the_12m_window_runs_from_a_minus_364_to_a(make_portfolio: MakePortfolio) -> None:
    rows = [answer("r1", "acme", "2025-11-30", nps=0),   # A − 365: outside
            answer("r2", "acme", "2025-12-01", nps=10)]  # A − 364: inside
    acme = row(run(make_portfolio, responses={"review": rows}), "acme")
    assert (acme["responses_12m"], acme["nps_12m"], acme["nps_12m_n"]) == (1, 100.0, 1)


def test_nps_uses_answers_of_every_survey_not_responses(make_portfolio: MakePortfolio) -> None:
    pulse = {"id": "pulse", "title": "Pulse", "questions": [
        {"id": "recommend", "type": "nps", "label": "Recommend?"},
        {"id": "friend", "type": "nps", "label": "Recommend to a friend?"},
        {"id": "speed", "type": "rating", "label": "Speed?"},            # not a CSAT question
    ]}
    review = {"id": "review", "title": "Review", "questions": [
        {"id": "overall", "type": "rating", "csat": True, "label": "Overall?"},
        {"id": "recommend", "type": "nps", "label": "Recommend?"},
    ]}
    reports = run(make_portfolio, surveys={"review": review, "pulse": pulse}, responses={
        "pulse": [{"response_id": "p1", "client": "acme", "submitted_at": "2026-05-01T09:00:00Z",
                   "recommend": "10", "friend": "0", "speed": "1"}],
        "review": [answer("r1", "acme", "2026-06-01", nps=9, overall=5)],
    })
    acme = row(reports, "acme")
    # answers 10, 0, 9 → (2 − 1) / 3; CSAT only from the csat question: 5 → 100
    assert (acme["nps_12m"], acme["nps_12m_n"], acme["responses_12m"]) == (33.3, 3, 2)
    assert (acme["csat_12m"], acme["csat_12m_n"]) == (100.0, 1)


def test_the_portfolio_pools_answers_of_active_clients_only(make_portfolio: MakePortfolio) -> None:
    clients = [client("acme"), client("bolt"), client("gone", ended="2026-06-30"), client("soon", start="2027-01-01")]
    rows = [answer("a1", "acme", "2026-06-01", nps=9, overall=5), answer("a2", "acme", "2026-07-01", nps=10, overall=4),
            answer("b1", "bolt", "2026-06-01", nps=0, overall=2),
            answer("g1", "gone", "2026-05-01", nps=0, overall=1),
            answer("s1", "soon", "2026-10-01", nps=0, overall=1),
            answer("x1", "", "2026-06-01", nps=0, overall=1), answer("x2", "", "2026-06-02", nps=0, overall=1)]
    reports = run(make_portfolio, clients=clients, responses={"review": rows})
    portfolio = reports.portfolio
    # acme 9, 10 and bolt 0 → (2 − 1) / 3 = 33.3, not the mean of 100 and −100; CSAT 2 of 3
    assert (portfolio["nps_12m"], portfolio["nps_12m_n"], portfolio["csat_12m"]) == (33.3, 3, 66.7)
    assert (portfolio["responses_12m"], portfolio["clients_active"]) == (3, 2)
    assert row(reports, "gone")["nps_12m"] == -100.0           # an inactive client keeps its own figures
    assert row(reports, "soon")["responses_12m"] == 1


def test_small_samples_are_marked_indicative(make_portfolio: MakePortfolio) -> None:
    rows = [answer(f"r{i}", "acme", "2026-06-01", nps=10, overall=5 if i < 4 else "") for i in range(5)]
    reports = run(make_portfolio, responses={"review": rows})
    acme = row(reports, "acme")
    assert (acme["nps_12m_n"], acme["nps_12m_indicative"]) == (5, False)
    assert (acme["csat_12m_n"], acme["csat_12m_indicative"]) == (4, True)
    assert (reports.portfolio["nps_12m_indicative"], reports.portfolio["csat_12m_indicative"]) == (False, True)
    site = {**SITE, "targets": {"min_responses": 4}}
    acme = row(run(make_portfolio, site=site, responses={"review": rows}), "acme")
    assert not acme["csat_12m_indicative"]


def test_latest_answers_feed_the_risk_rules(make_portfolio: MakePortfolio) -> None:
    rows = [answer("r1", "acme", "2026-09-14", nps=10, overall=5), answer("r2", "acme", "2026-09-14", nps=3, overall=4),
            answer("r0", "acme", "2026-08-01", nps=0, overall=1), answer("x1", "", "2026-10-01", nps=0, overall=1)]
    acme = row(run(make_portfolio, responses={"review": rows}), "acme")
    # two answers on the latest day: the lower one counts; the anonymous one is not acme's
    assert (acme["latest_nps"], str(acme["latest_nps_date"])) == (3, "2026-09-14")
    assert (acme["latest_csat"], str(acme["latest_csat_date"])) == (4, "2026-09-14")
