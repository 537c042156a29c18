"""On-site visits per calendar month, months below the minimum, and days since the last contact."""

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
    # these clients' records are complete from the agreement start (a log that begins later
    # would start tracking later: see test_metrics_tracking.py)
    extra.setdefault("tracking_since", start)
    return {"id": client_id, "name": client_id.title(), "pcs": 18, "servers": 1,
            "agreement": {"start": start, "term_months": 12}, **extra}


def visit(day: str, who: str = "acme", kind: str = "onsite") -> list[str]:
    return [day, who, kind, "bo", "30", ""]


def run(make_portfolio: MakePortfolio, **parts: Any) -> Reports:
    parts.setdefault("site", SITE)
    parts.setdefault("clients", [client("acme")])
    return compute_reports(load_portfolio(make_portfolio(**parts)))


def row(reports: Reports, client_id: str) -> dict[str, Any]:
    return reports.clients.set_index("id").loc[client_id].to_dict()


def test_onsite_12m_counts_the_twelve_calendar_months_before_the_report_month(make_portfolio: MakePortfolio) -> None:
    contacts = [visit("2025-10-31"),            # before 2025-11: out
                visit("2025-11-01"),            # first of the 12 months: in
                visit("2026-10-31"),            # last of the 12 months: in
                visit("2026-11-15"),            # A's own month: out (though within 365 days)
                visit("2026-12-01"),            # after A: out
                visit("2026-06-10", kind="remote")]
    reports = run(make_portfolio, contacts=contacts)
    assert row(reports, "acme")["onsite_12m"] == 2
    assert reports.portfolio["onsite_12m"] == 2


def test_every_month_without_a_visit_is_below_the_default_minimum(make_portfolio: MakePortfolio) -> None:
    contacts = [visit("2026-01-05"), visit("2026-01-20"), visit("2026-05-05")]
    acme = row(run(make_portfolio, contacts=contacts), "acme")
    assert (acme["onsite_12m"], acme["months_below_min_12m"]) == (3, 10)


def test_only_months_wholly_inside_the_agreement_count(make_portfolio: MakePortfolio) -> None:
    clients = [client("late", start="2026-03-15"),                       # 2026-04 … 2026-10: 7 months
               client("ended", ended="2026-06-15"),                       # 2025-11 … 2026-05: 7 months
               client("monthend", ended="2026-06-30"),                    # 2025-11 … 2026-06: 8 months
               client("future", start="2027-01-01")]
    contacts = [visit("2026-03-20", "late"), visit("2026-05-02", "late"), visit("2026-07-01", "late"), visit("2026-07-02", "late"),
                visit("2025-12-01", "ended"), visit("2026-06-20", "ended")]
    reports = run(make_portfolio, clients=clients, contacts=contacts)
    assert row(reports, "late")["months_below_min_12m"] == 5        # 7 months, visits in May and July
    assert row(reports, "late")["onsite_12m"] == 4                  # the March visit still counts as a visit
    assert row(reports, "ended")["months_below_min_12m"] == 6       # 7 months, a visit in December
    assert row(reports, "monthend")["months_below_min_12m"] == 8
    assert row(reports, "future")["months_below_min_12m"] == 0


def test_a_client_minimum_overrides_the_default(make_portfolio: MakePortfolio) -> None:
    clients = [client("acme", onsite_min_per_month=2), client("bolt")]
    contacts = [visit(f"2026-{m:02d}-10", who) for m in range(1, 11) for who in ("acme", "bolt")]
    contacts += [visit("2026-03-20", "acme"), visit("2025-11-03", "acme"), visit("2025-11-04", "acme")]
    reports = run(make_portfolio, clients=clients, contacts=contacts)
    # acme: Nov 2 visits, Dec 0, Jan–Oct 1 each except March (2) → below 2 in Dec and 9 months
    assert row(reports, "acme")["months_below_min_12m"] == 10
    assert row(reports, "bolt")["months_below_min_12m"] == 2        # Nov and Dec 2025
    site = {**SITE, "targets": {"onsite_min_per_month": 0}}
    assert row(run(make_portfolio, site=site, clients=clients, contacts=contacts), "bolt")["months_below_min_12m"] == 0


def test_days_since_the_latest_contact_on_or_before_a(make_portfolio: MakePortfolio) -> None:
    clients = [client("acme"), client("quiet")]
    contacts = [visit("2026-11-20", kind="email"), visit("2026-11-01"), visit("2026-12-05"),
                visit("2026-12-01", kind="phone")]
    reports = run(make_portfolio, clients=clients, contacts=contacts)
    acme, quiet = row(reports, "acme"), row(reports, "quiet")
    assert (acme["days_since_contact"], acme["days_since_onsite"]) == (10, 29)
    assert (quiet["days_since_contact"], quiet["days_since_onsite"]) == (None, None)


def test_a_contact_on_the_report_date_is_zero_days_ago(make_portfolio: MakePortfolio) -> None:
    acme = row(run(make_portfolio, contacts=[visit("2026-11-30", kind="phone")]), "acme")
    assert (acme["days_since_contact"], acme["days_since_onsite"]) == (0, None)


@pytest.mark.parametrize("as_of", ["2026-11-01", "2026-11-30"])
def test_the_month_of_a_is_never_counted(make_portfolio: MakePortfolio, as_of: str) -> None:
    site = {**SITE, "as_of": as_of}
    contacts = [visit("2026-11-01")] + [visit(f"2026-{m:02d}-10") for m in range(1, 11)] + [visit("2025-11-11"), visit("2025-12-11")]
    acme = row(run(make_portfolio, site=site, contacts=contacts), "acme")
    assert (acme["onsite_12m"], acme["months_below_min_12m"]) == (12, 0)
