"""Fit with the ideal client profile, and renewal risk with its reasons (DESIGN.md §3)."""

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
# acme starts 2024-03-01 (annual): next renewal 2027-03-01, 91 days after 2026-11-30.
MONTHLY_VISITS = [[f"{y}-{m:02d}-10", "acme", "onsite", "bo", "60", ""]
                  for y, m in [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 12)]]
GOOD_ANSWER = {"response_id": "ok", "client": "acme", "submitted_at": "2026-11-10T12:00:00Z", "overall": "5", "recommend": "10"}


def client(client_id: str = "acme", **extra: Any) -> dict[str, Any]:
    return {"id": client_id, "name": client_id.title(), "pcs": 18, "servers": 1, "wan": False,
            "agreement": {"start": "2024-03-01", "term_months": 12}, **extra}


def answer(rid: str, day: str, nps: int | str = "", overall: int | str = "", who: str = "acme") -> dict[str, str]:
    return {"response_id": rid, "client": who, "submitted_at": f"{day}T12:00:00Z", "recommend": str(nps), "overall": str(overall)}


def run(make_portfolio: MakePortfolio, as_of: str = "2026-11-30", targets: dict[str, Any] | None = None,
        responses: list[dict[str, str]] | None = None, contacts: list[list[str]] | None = None, **parts: Any) -> Reports:
    parts["site"] = {**SITE, "as_of": as_of, **({"targets": targets} if targets else {})}
    parts.setdefault("clients", [client()])
    parts["contacts"] = MONTHLY_VISITS if contacts is None else contacts
    parts["responses"] = {"review": [GOOD_ANSWER] if responses is None else responses}
    return compute_reports(load_portfolio(make_portfolio(**parts)))


def risk(reports: Reports, client_id: str = "acme") -> tuple[Any, list[str]]:
    row = reports.clients.set_index("id").loc[client_id]
    return row["risk"], row["risk_reasons"]


# ------------------------------------------------------------------ fit

def test_fit_lists_every_deviation_from_the_ideal(make_portfolio: MakePortfolio) -> None:
    clients = [client(), client("big", pcs=60, servers=4, wan=True), client("tiny", pcs=1, servers=0),
               client("edges", pcs=10, servers=2), client("top", pcs=35, servers=1)]
    table = run(make_portfolio, clients=clients).clients.set_index("id")
    assert table.loc["big", "fit_issues"] == ["60 PCs (ideal 10–35)", "4 servers (ideal 1–2)", "has a WAN (ideal: none)"]
    assert table.loc["tiny", "fit_issues"] == ["1 PC (ideal 10–35)", "0 servers (ideal 1–2)"]
    assert not table.loc["big", "fit"] and not table.loc["tiny", "fit"]
    assert table.loc["edges", "fit"] and table.loc["edges", "fit_issues"] == []
    assert table.loc["top", "fit"]


def test_fit_follows_the_ideal_client_setting(make_portfolio: MakePortfolio) -> None:
    site = {**SITE, "ideal_client": {"pcs": [20, 20], "servers": [0, 3], "wan": True}}
    path = make_portfolio(site=site, clients=[client(pcs=18, servers=0, wan=False)])
    table = compute_reports(load_portfolio(path)).clients
    assert table.loc[0, "fit_issues"] == ["18 PCs (ideal 20)", "no WAN (ideal: has one)"]


# ------------------------------------------------------------------ risk

def test_a_well_kept_client_is_low_risk(make_portfolio: MakePortfolio) -> None:
    reports = run(make_portfolio)
    assert risk(reports) == ("low", [])
    assert reports.portfolio["clients_at_risk"] == 0


def test_latest_nps_detractor(make_portfolio: MakePortfolio) -> None:
    reports = run(make_portfolio, responses=[answer("r1", "2026-11-10", nps=3, overall=5)])
    assert risk(reports) == ("medium", ["latest NPS answer 3 (detractor) on 2026-11-10"])
    assert reports.portfolio["clients_at_risk"] == 1


def test_a_same_day_promoter_does_not_hide_a_detractor(make_portfolio: MakePortfolio) -> None:
    rows = [answer("r1", "2026-11-10", nps=10, overall=5), answer("r2", "2026-11-10", nps=6)]
    assert risk(run(make_portfolio, responses=rows))[1] == ["latest NPS answer 6 (detractor) on 2026-11-10"]


def test_an_older_detractor_followed_by_a_promoter_is_no_reason(make_portfolio: MakePortfolio) -> None:
    rows = [answer("r1", "2026-09-01", nps=0, overall=1), GOOD_ANSWER]
    assert risk(run(make_portfolio, responses=rows)) == ("low", [])


def test_anonymous_detractors_are_nobody_s_risk(make_portfolio: MakePortfolio) -> None:
    rows = [GOOD_ANSWER, answer("x1", "2026-11-20", nps=0, overall=1, who="")]
    assert risk(run(make_portfolio, responses=rows)) == ("low", [])


def test_latest_csat_unhappy(make_portfolio: MakePortfolio) -> None:
    reports = run(make_portfolio, responses=[answer("r1", "2026-11-10", nps=9, overall=3)])
    assert risk(reports) == ("medium", ["latest CSAT answer 3 of 5 on 2026-11-10"])


def test_thresholds_come_from_the_settings(make_portfolio: MakePortfolio) -> None:
    rows = [answer("r1", "2026-11-10", nps=7, overall=4)]
    assert risk(run(make_portfolio, responses=rows)) == ("low", [])
    reports = run(make_portfolio, responses=rows, targets={"detractor_max_nps": 7, "unhappy_max_rating": 4})
    assert risk(reports)[1] == ["latest NPS answer 7 (detractor) on 2026-11-10", "latest CSAT answer 4 of 5 on 2026-11-10"]


def period(prefix: str, first_day: str, scores: list[int], kind: str) -> list[dict[str, str]]:
    """One answer a day from `first_day` on, in order (the last one is the latest)."""
    import datetime as dt

    start = dt.date.fromisoformat(first_day)
    return [answer(f"{prefix}{k}", (start + dt.timedelta(days=k)).isoformat(), **{kind: score})
            for k, score in enumerate(scores)]


def test_falling_nps_between_the_two_12_month_periods(make_portfolio: MakePortfolio) -> None:
    rows = (period("p", "2024-12-01", [10] * 9, "nps") + [answer("p9", "2025-11-30", nps=10)]   # A−729 … A−365
            + period("n", "2026-10-01", [3] * 5 + [10] * 5, "nps"))
    reports = run(make_portfolio, responses=rows)
    assert risk(reports) == ("medium", [
        "NPS fell from 100.0 (n=10) in the previous 12 months to 0.0 (n=10) in the last 12 months"])
    figures = reports.clients.set_index("id").loc["acme", "risk_figures"]
    # pooled: 15 promoters and 5 detractors of 20, v = 1 − 0.5² = 0.75; the fall is 1 / √(0.75 × 0.2) = 2.58 standard errors
    assert figures == [{"rule": "nps_falling", "before": 100.0, "before_n": 10, "now": 0.0, "now_n": 10, "drop": 100.0,
                        "z": 2.58, "z_needed": 1.645, "min_n": 5, "min_drop": 10}]


@pytest.mark.parametrize(("before", "now", "reason"), [
    ([5] * 10, [5] * 9 + [3], None),                 # 100 → 90 on ten answers: within what ten answers explain
    ([5] * 9 + [2], [2] * 6 + [5] * 4, "CSAT fell from 90.0 (n=10) in the previous 12 months to 40.0 (n=10) in the last 12 months"),
])
def test_a_csat_fall_counts_only_beyond_what_the_sample_size_explains(
    make_portfolio: MakePortfolio, before: list[int], now: list[int], reason: str | None,
) -> None:
    latest_first = now[::-1] if now[-1] < 4 else now  # the latest answer is a good one: no "unhappy" reason
    rows = period("p", "2025-01-01", before, "overall") + period("n", "2026-10-01", latest_first, "overall")
    assert risk(run(make_portfolio, responses=rows)) == (("medium", [reason]) if reason else ("low", []))


def test_a_fall_in_a_sample_smaller_than_the_minimum_n_is_not_a_trend(make_portfolio: MakePortfolio) -> None:
    rows = period("p", "2025-01-01", [5] * 4, "overall") + period("n", "2026-10-01", [2] * 9 + [5], "overall")
    assert risk(run(make_portfolio, responses=rows)) == ("low", [])  # 4 answers before: fewer than min_responses (5)
    assert risk(run(make_portfolio, responses=rows, targets={"min_responses": 4}))[1] == [
        "CSAT fell from 100.0 (n=4) in the previous 12 months to 10.0 (n=10) in the last 12 months"]


def test_two_answers_each_are_never_enough_to_call_a_fall(make_portfolio: MakePortfolio) -> None:
    rows = [answer("p1", "2024-12-01", nps=10), answer("p2", "2025-11-30", nps=10),
            answer("n1", "2025-12-01", nps=10), answer("n2", "2026-11-10", nps=8, overall=5)]
    # NPS 100 → 50 on two answers each is 1.15 standard errors: luck, not a trend
    assert risk(run(make_portfolio, responses=rows, targets={"min_responses": 2})) == ("low", [])


@pytest.mark.parametrize("rows", [
    [answer("p1", "2025-06-01", nps=10), answer("n1", "2026-06-01", nps=7), answer("n2", "2026-11-10", nps=8)],
    [answer("p1", "2025-06-01", nps=10), answer("p2", "2025-07-01", nps=10), answer("n2", "2026-11-10", nps=7)],
    [answer("p0", "2024-11-30", nps=10), answer("p1", "2025-06-01", nps=10),   # A−730 is in neither period
     answer("n1", "2026-06-01", nps=7), answer("n2", "2026-11-10", nps=8)],
])
def test_never_falling_from_fewer_than_2_responses_in_a_period(make_portfolio: MakePortfolio, rows: list[dict[str, str]]) -> None:
    assert risk(run(make_portfolio, responses=rows, targets={"min_responses": 1, "falling_min_drop": 0})) == ("low", [])


def test_one_response_with_two_nps_answers_is_still_one_response(make_portfolio: MakePortfolio) -> None:
    survey = {"id": "review", "title": "Review", "questions": [
        {"id": "overall", "type": "rating", "csat": True, "label": "Overall?"},
        {"id": "recommend", "type": "nps", "label": "Recommend?"},
        {"id": "friend", "type": "nps", "label": "To a friend?"}]}
    before = [{**answer(f"p{k}", f"2025-06-{k + 1:02d}", nps=10), "friend": "10"} for k in range(3)]
    now = [{**answer(f"n{k}", f"2026-06-{k + 1:02d}", nps=2), "friend": "3"} for k in range(3)] + [{**GOOD_ANSWER, "friend": "9"}]
    # NPS 100.0 (n=6 answers from 3 responses) → 25.0 (n=8 from 4): each answer counts toward n
    reports = run(make_portfolio, surveys={"review": survey}, responses=before + now)
    assert risk(reports) == ("medium", [
        "NPS fell from 100.0 (n=6) in the previous 12 months to -50.0 (n=8) in the last 12 months"])


def test_equal_satisfaction_is_not_falling(make_portfolio: MakePortfolio) -> None:
    rows = [answer("p1", "2025-06-01", nps=10), answer("p2", "2025-07-01", nps=7),
            answer("n1", "2026-06-01", nps=8), answer("n2", "2026-11-10", nps=9)]
    assert risk(run(make_portfolio, responses=rows)) == ("low", [])


def test_two_of_the_last_three_months_below_the_minimum(make_portfolio: MakePortfolio) -> None:
    visits = [row for row in MONTHLY_VISITS if row[0][:7] not in ("2026-08", "2026-10")]
    assert risk(run(make_portfolio, contacts=visits)) == ("medium", ["2 of the last 3 months below the on-site minimum of 1 per month"])
    one_gap = [row for row in MONTHLY_VISITS if row[0][:7] != "2026-09"]
    assert risk(run(make_portfolio, contacts=one_gap)) == ("low", [])
    # with a minimum of 2 every month is below
    reports = run(make_portfolio, clients=[client(onsite_min_per_month=2)])
    assert risk(reports) == ("medium", ["3 of the last 3 months below the on-site minimum of 2 per month"])
    assert risk(run(make_portfolio, contacts=visits, targets={"below_min_months_of_3": 3})) == ("low", [])


def test_months_before_the_start_are_not_below_the_minimum(make_portfolio: MakePortfolio) -> None:
    young = client(agreement={"start": "2026-09-15", "term_months": 12})
    contacts = [["2026-11-20", "acme", "phone", "bo", "5", ""]]
    rows = [answer("r1", "2026-11-20", nps=10, overall=5)]
    # only October lies wholly inside the agreement; one month below is not two
    assert risk(run(make_portfolio, clients=[young], contacts=contacts, responses=rows)) == ("low", [])


@pytest.mark.parametrize(("last", "reasons"), [
    ("2026-11-01", []),                                                    # 29 days
    ("2026-10-31", ["no contact for 30 days (last on 2026-10-31)"]),      # 30 days: "30 days or more"
])
def test_no_contact_for_30_days(make_portfolio: MakePortfolio, last: str, reasons: list[str]) -> None:
    visits = [row for row in MONTHLY_VISITS if row[0] < "2026-10"] + [[last, "acme", "email", "bo", "", ""]]
    visits += [["2026-10-05", "acme", "onsite", "bo", "60", ""]]
    assert risk(run(make_portfolio, contacts=visits))[1] == reasons


def test_never_contacted(make_portfolio: MakePortfolio) -> None:
    reasons = risk(run(make_portfolio, contacts=[]))[1]
    assert reasons == ["3 of the last 3 months below the on-site minimum of 1 per month", "no contact logged"]
    assert risk(run(make_portfolio, contacts=[], targets={"onsite_min_per_month": 0, "no_contact_days": 400}))[1] == ["no contact logged"]


def test_survey_overdue(make_portfolio: MakePortfolio) -> None:
    rows = [answer("r1", "2025-10-15", nps=10, overall=5)]
    assert risk(run(make_portfolio, responses=rows)) == ("medium", ["survey overdue since 2026-10-15"])


def test_high_when_a_reason_meets_a_renewal_within_90_days(make_portfolio: MakePortfolio) -> None:
    rows = [answer("r1", "2026-11-10", nps=2, overall=5)]
    assert risk(run(make_portfolio, responses=rows))[0] == "medium"                     # renewal in 91 days
    assert risk(run(make_portfolio, as_of="2026-12-01", responses=rows)) == ("high", [   # in 90 days
        "latest NPS answer 2 (detractor) on 2026-11-10", "renewal on 2027-03-01 in 90 days"])
    assert risk(run(make_portfolio, as_of="2026-12-01"))[0] == "low"                     # no reason: renewal alone is no risk
    assert risk(run(make_portfolio, responses=rows, targets={"renewal_window_days": 91}))[0] == "high"


def test_renewal_on_the_report_date(make_portfolio: MakePortfolio) -> None:
    rows = [answer("r1", "2027-02-20", nps=2, overall=5)]
    visits = MONTHLY_VISITS + [["2027-02-15", "acme", "onsite", "bo", "60", ""], ["2027-01-15", "acme", "onsite", "bo", "60", ""],
                               ["2026-12-15", "acme", "onsite", "bo", "60", ""]]
    assert risk(run(make_portfolio, as_of="2027-03-01", responses=rows, contacts=visits)) == ("high", [
        "latest NPS answer 2 (detractor) on 2027-02-20", "renewal on 2027-03-01 today"])


def test_an_ending_client_with_reasons_is_medium_not_high(make_portfolio: MakePortfolio) -> None:
    rows = [answer("r1", "2026-11-10", nps=2, overall=5)]
    reports = run(make_portfolio, clients=[client(ended="2026-12-31")], responses=rows)
    assert risk(reports) == ("medium", ["latest NPS answer 2 (detractor) on 2026-11-10"])


def test_clients_that_are_not_active_have_no_risk(make_portfolio: MakePortfolio) -> None:
    clients = [client("acme"), client("gone", ended="2026-06-30"), client("soon", agreement={"start": "2027-01-01", "term_months": 12})]
    rows = [GOOD_ANSWER, answer("g1", "2026-05-01", nps=0, overall=1, who="gone")]
    reports = run(make_portfolio, clients=clients, responses=rows)
    assert risk(reports, "gone") == (None, []) and risk(reports, "soon") == (None, [])
    assert reports.portfolio["clients_at_risk"] == 0


def test_reasons_come_in_rule_order(make_portfolio: MakePortfolio) -> None:
    rows = [answer("r1", "2025-10-15", nps=1, overall=2)]
    reasons = risk(run(make_portfolio, as_of="2026-12-01", responses=rows, contacts=[]))[1]
    assert reasons == ["latest NPS answer 1 (detractor) on 2025-10-15", "latest CSAT answer 2 of 5 on 2025-10-15",
                       "3 of the last 3 months below the on-site minimum of 1 per month", "no contact logged",
                       "survey overdue since 2026-10-15", "renewal on 2027-03-01 in 90 days"]


def test_a_fall_smaller_than_the_minimum_drop_is_not_a_trend(make_portfolio: MakePortfolio) -> None:
    rows = period("p", "2025-01-01", [5] * 10, "overall") + period("n", "2026-10-01", [2] * 3 + [5] * 7, "overall")
    # CSAT 100.0 → 70.0 is a drop of 30 points, 1.88 standard errors
    assert risk(run(make_portfolio, responses=rows, targets={"falling_min_drop": 30}))[1] == [
        "CSAT fell from 100.0 (n=10) in the previous 12 months to 70.0 (n=10) in the last 12 months"]
    assert risk(run(make_portfolio, responses=rows, targets={"falling_min_drop": 30.1})) == ("low", [])
