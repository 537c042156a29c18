"""Active clients, next renewal, and when the next survey is due (DESIGN.md §3)."""

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


def client(client_id: str, start: str = "2024-03-01", term: int = 12, **extra: Any) -> dict[str, Any]:
    return {"id": client_id, "name": client_id.title(), "pcs": 18, "servers": 1,
            "agreement": {"start": start, "term_months": term}, **extra}


def responded(rid: str, who: str, day: str) -> dict[str, str]:
    return {"response_id": rid, "client": who, "submitted_at": f"{day}T12:00:00Z", "overall": "5", "recommend": "10"}


def run(make_portfolio: MakePortfolio, as_of: str = "2026-11-30", targets: dict[str, Any] | None = None, **parts: Any) -> Reports:
    parts["site"] = {**SITE, "as_of": as_of, **({"targets": targets} if targets else {})}
    parts.setdefault("clients", [client("acme")])
    return compute_reports(load_portfolio(make_portfolio(**parts)))


def field(reports: Reports, client_id: str, name: str) -> Any:
    value = reports.clients.set_index("id").loc[client_id, name]
    return None if value is None else str(value) if not isinstance(value, (bool, int)) else value


def test_active_means_started_on_or_before_a_and_not_ended_before_a(make_portfolio: MakePortfolio) -> None:
    clients = [client("starts-today", start="2026-11-30"), client("starts-tomorrow", start="2026-12-01"),
               client("ends-today", ended="2026-11-30"), client("ended-yesterday", ended="2026-11-29"),
               client("ends-later", ended="2027-06-30")]
    reports = run(make_portfolio, clients=clients)
    active = dict(zip(reports.clients["id"], reports.clients["active"].tolist()))
    assert active == {"ended-yesterday": False, "ends-later": True, "ends-today": True,
                      "starts-today": True, "starts-tomorrow": False}
    assert reports.portfolio["clients_active"] == 3


@pytest.mark.parametrize(("start", "term", "as_of", "expected"), [
    ("2024-03-01", 12, "2026-11-30", "2027-03-01"),
    ("2025-11-30", 12, "2026-11-30", "2026-11-30"),   # a renewal on A itself is the next one
    ("2025-11-30", 12, "2026-12-01", "2027-11-30"),
    ("2026-01-31", 1, "2026-02-15", "2026-02-28"),    # month end clamps
    ("2026-01-31", 1, "2026-03-01", "2026-03-31"),    # counted from the start: Jan 31 + 2, not Feb 28 + 1
    ("2024-02-29", 12, "2025-01-10", "2025-02-28"),   # leap-day start in a common year
    ("2024-02-29", 12, "2028-01-10", "2028-02-29"),   # and back on the leap day
    ("2023-08-31", 6, "2026-11-30", "2027-02-28"),
    ("2023-08-31", 24, "2026-11-30", "2027-08-31"),
    ("2027-01-15", 12, "2026-11-30", "2028-01-15"),   # not started yet: the first renewal, k ≥ 1
    ("2026-11-30", 12, "2026-11-30", "2027-11-30"),   # the start itself is not a renewal
])
def test_next_renewal(make_portfolio: MakePortfolio, start: str, term: int, as_of: str, expected: str) -> None:
    reports = run(make_portfolio, as_of=as_of, clients=[client("acme", start=start, term=term)])
    assert field(reports, "acme", "next_renewal") == expected


def test_no_next_renewal_for_a_client_with_an_ended_date_even_a_future_one(make_portfolio: MakePortfolio) -> None:
    reports = run(make_portfolio, clients=[client("acme", ended="2027-06-30"), client("gone", ended="2026-01-31")])
    assert field(reports, "acme", "next_renewal") is None
    assert field(reports, "gone", "next_renewal") is None


# Client acme: start 2024-03-01, annual term, so at A = 2026-11-30 the next renewal is 2027-03-01
# and the renewal survey (60 days lead) is 2026-12-31; it counts as done from 2026-11-01.

def test_never_surveyed_is_due_one_cadence_after_the_start(make_portfolio: MakePortfolio) -> None:
    reports = run(make_portfolio)
    assert (field(reports, "acme", "survey_next_due"), field(reports, "acme", "survey_overdue")) == ("2025-03-01", True)
    assert reports.portfolio["clients_survey_overdue"] == 1


def test_renewal_survey_already_done(make_portfolio: MakePortfolio) -> None:
    reports = run(make_portfolio, responses={"review": [responded("r1", "acme", "2026-11-10")]})
    assert field(reports, "acme", "survey_next_due") == "2027-11-10"     # cadence only
    assert field(reports, "acme", "survey_overdue") is False


def test_renewal_survey_done_exactly_on_the_first_day_that_counts(make_portfolio: MakePortfolio) -> None:
    reports = run(make_portfolio, responses={"review": [responded("r1", "acme", "2026-11-01")]})
    assert field(reports, "acme", "survey_next_due") == "2027-11-01"


def test_renewal_survey_not_done_one_day_earlier(make_portfolio: MakePortfolio) -> None:
    reports = run(make_portfolio, responses={"review": [responded("r1", "acme", "2026-10-31")]})
    assert field(reports, "acme", "survey_next_due") == "2026-12-31"
    assert field(reports, "acme", "survey_overdue") is False


def test_a_response_after_a_does_not_count_as_done(make_portfolio: MakePortfolio) -> None:
    rows = [responded("r1", "acme", "2026-10-31"), responded("r2", "acme", "2026-12-02")]
    reports = run(make_portfolio, responses={"review": rows})
    assert (field(reports, "acme", "survey_next_due"), field(reports, "acme", "last_response")) == ("2026-12-31", "2026-10-31")


def test_due_on_a_is_not_yet_overdue(make_portfolio: MakePortfolio) -> None:
    reports = run(make_portfolio, responses={"review": [responded("r1", "acme", "2025-11-30")]})
    assert (field(reports, "acme", "survey_next_due"), field(reports, "acme", "survey_overdue")) == ("2026-11-30", False)
    reports = run(make_portfolio, as_of="2026-12-01", responses={"review": [responded("r1", "acme", "2025-11-30")]})
    assert (field(reports, "acme", "survey_next_due"), field(reports, "acme", "survey_overdue")) == ("2026-11-30", True)


def test_cadence_override_and_default(make_portfolio: MakePortfolio) -> None:
    clients = [client("acme", survey_cadence="semiannual"), client("bolt"), client("calm", survey_cadence="quarterly")]
    rows = [responded("a", "acme", "2026-04-15"), responded("b", "bolt", "2026-04-15"), responded("c", "calm", "2026-08-31")]
    reports = run(make_portfolio, clients=clients, responses={"review": rows})
    assert (field(reports, "acme", "survey_next_due"), field(reports, "acme", "survey_overdue")) == ("2026-10-15", True)
    assert field(reports, "bolt", "survey_next_due") == "2026-12-31"     # annual would be 2027-04-15
    assert field(reports, "calm", "survey_next_due") == "2026-11-30"     # Aug 31 + 3 months, clamped
    reports = run(make_portfolio, targets={"survey_cadence": "semiannual"}, clients=clients, responses={"review": rows})
    assert field(reports, "bolt", "survey_next_due") == "2026-10-15"


def test_survey_lead_days_from_the_settings(make_portfolio: MakePortfolio) -> None:
    reports = run(make_portfolio, targets={"survey_lead_days": 90}, responses={"review": [responded("r1", "acme", "2026-10-15")]})
    # renewal survey 2027-03-01 − 90 = 2026-12-01, done from 2026-10-02: 2026-10-15 is done
    assert field(reports, "acme", "survey_next_due") == "2027-10-15"
    reports = run(make_portfolio, targets={"survey_lead_days": 90}, responses={"review": [responded("r1", "acme", "2026-10-01")]})
    assert field(reports, "acme", "survey_next_due") == "2026-12-01"


def test_an_ending_client_is_surveyed_on_cadence_only(make_portfolio: MakePortfolio) -> None:
    reports = run(make_portfolio, clients=[client("acme", ended="2027-02-28")],
                  responses={"review": [responded("r1", "acme", "2026-06-30")]})
    assert field(reports, "acme", "survey_next_due") == "2027-06-30"


def test_clients_that_are_not_active_have_no_survey_due(make_portfolio: MakePortfolio) -> None:
    clients = [client("gone", ended="2026-06-30"), client("soon", start="2027-01-01")]
    reports = run(make_portfolio, clients=clients)
    for client_id in ("gone", "soon"):
        assert field(reports, client_id, "survey_next_due") is None
        assert field(reports, client_id, "survey_overdue") is None
    assert field(reports, "soon", "next_renewal") == "2028-01-01"
    assert reports.portfolio["clients_survey_overdue"] == 0
