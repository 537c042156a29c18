"""`tracking_since`: schedules count only from when a client's records begin; day one is not red."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.build import build_site
from generator.cli import cli
from generator.load import load_portfolio
from generator.metrics import compute_reports

MakePortfolio = Callable[..., Path]
AS_OF = "2026-11-30"
SITE = {"business": {"name": "Test IT"}, "as_of": AS_OF}


def client(client_id: str, start: str = "2024-03-01", **extra: Any) -> dict[str, Any]:
    return {"id": client_id, "name": f"{client_id.title()} Ltd", "pcs": 18, "servers": 1,
            "agreement": {"start": start, "term_months": 12}, **extra}


def visit(day: str, who: str, kind: str = "onsite") -> list[str]:
    return [day, who, kind, "bo", "30", ""]


def rows(make_portfolio: MakePortfolio, **parts: Any) -> dict[str, dict[str, Any]]:
    parts.setdefault("site", SITE)
    reports = compute_reports(load_portfolio(make_portfolio(**parts)))
    return {row["id"]: row for row in reports.clients.to_dict("records")}


def report_json(data: Path) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["report", "--json", "--data", str(data)])
    assert result.exit_code == 0, result.output
    return {row["id"]: row for row in json.loads(result.stdout)["clients"]}


def test_a_client_whose_agreement_started_today_is_new_and_not_red(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(site=SITE, clients=[client("fresh", start=AS_OF)])
    fresh = report_json(data)["fresh"]
    assert fresh["tracking_since"] == AS_OF
    assert (fresh["months_below_min_12m"], fresh["survey_overdue"], fresh["risk"], fresh["risk_reasons"]) == (0, False, "low", [])
    assert fresh["survey_next_due"] == "2027-10-01"    # the renewal survey: 2027-11-30 − 60 days
    assert rows(make_portfolio, clients=[client("fresh", start=AS_OF)])["fresh"]["new"]


def test_a_new_client_is_not_red_on_the_built_overview(make_portfolio: MakePortfolio, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", "test-secret-for-deterministic-tokens")
    data = make_portfolio(site=SITE, clients=[client("fresh", start=AS_OF)])
    build_site(data, tmp_path / "out")
    page = (tmp_path / "out" / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert "No active client is at risk." in page
    assert "0 at risk" in page and "class=\"bad\">overdue" not in page
    assert 'class="num below"' not in page
    index = (tmp_path / "out" / "dashboard" / "clients" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"Fresh Ltd</a></th><td>new", index), "the client index marks the client new"
    client_page = (tmp_path / "out" / "dashboard" / "clients" / "fresh.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", client_page)
    assert "New client: records from 2026-11-30." in text
    assert "the first survey is due on 2027-10-01" in text


def test_by_default_tracking_starts_at_the_later_of_the_agreement_and_the_first_contact(make_portfolio: MakePortfolio) -> None:
    clients = [client("late-log"), client("early-log"), client("no-log")]
    contacts = [visit("2026-01-05", "late-log"), visit("2026-05-05", "late-log"),
                visit("2023-12-01", "early-log", kind="phone"), visit("2026-05-05", "early-log")]
    found = rows(make_portfolio, clients=clients, contacts=contacts)
    assert found["late-log"]["tracking_since"].isoformat() == "2026-01-05"
    # February … October 2026 are counted (January began before the log did); May had a visit
    assert found["late-log"]["months_below_min_12m"] == 8
    assert found["early-log"]["tracking_since"].isoformat() == "2024-03-01"
    assert found["early-log"]["months_below_min_12m"] == 11       # full history: all 12 months, one visit
    assert found["no-log"]["tracking_since"].isoformat() == "2024-03-01"
    assert found["no-log"]["risk_reasons"][:2] == ["3 of the last 3 months below the on-site minimum of 1 per month",
                                                   "no contact logged"]


def test_the_site_setting_moves_tracking_later_and_a_client_setting_wins(make_portfolio: MakePortfolio) -> None:
    site = {**SITE, "tracking_since": "2026-11-10"}
    clients = [client("old"), client("imported", tracking_since="2024-03-01"), client("newer", start="2026-11-01")]
    found = rows(make_portfolio, site=site, clients=clients)
    assert found["old"]["tracking_since"].isoformat() == "2026-11-10"
    assert found["old"]["months_below_min_12m"] == 0               # no full month since tracking began
    assert (found["old"]["risk"], found["old"]["risk_reasons"]) == ("low", [])
    assert found["old"]["survey_next_due"].isoformat() == "2026-12-31"   # renewal 2027-03-01 − 60 days
    assert found["imported"]["tracking_since"].isoformat() == "2024-03-01"
    assert found["imported"]["months_below_min_12m"] == 12
    assert found["newer"]["tracking_since"].isoformat() == "2026-11-10"


def test_no_contact_counts_from_tracking_since(make_portfolio: MakePortfolio) -> None:
    clients = [client("quiet")]
    recent = rows(make_portfolio, site={**SITE, "tracking_since": "2026-11-01"}, clients=clients)["quiet"]
    assert "no contact logged" not in recent["risk_reasons"]
    assert recent["days_since_contact"] is None                    # the fact itself is unchanged
    month = rows(make_portfolio, site={**SITE, "tracking_since": "2026-10-31"}, clients=clients)["quiet"]
    assert "no contact logged" in month["risk_reasons"]            # 30 days tracked and nothing logged
    earlier = rows(make_portfolio, site={**SITE, "tracking_since": "2026-11-10"}, clients=clients,
                   contacts=[visit("2026-06-01", "quiet", kind="phone")])["quiet"]
    assert not any(reason.startswith("no contact") for reason in earlier["risk_reasons"])
    assert earlier["days_since_contact"] == 182


def test_a_renewal_survey_dated_before_tracking_is_not_due(make_portfolio: MakePortfolio) -> None:
    # renews 2027-01-15; its survey would be due 2026-11-16, before tracking began on 2026-11-20
    clients = [client("renewing", start="2024-01-15")]
    found = rows(make_portfolio, site={**SITE, "tracking_since": "2026-11-20"}, clients=clients)["renewing"]
    assert found["renewal_survey"] is None
    assert found["survey_next_due"].isoformat() == "2027-11-20"    # tracking_since + 12 months
    assert (found["survey_overdue"], found["risk"]) == (False, "low")
    full = rows(make_portfolio, clients=clients)["renewing"]        # full history: never surveyed, overdue
    assert full["survey_next_due"].isoformat() == "2025-01-15" and full["survey_overdue"]


def test_a_client_is_new_until_its_first_full_month_and_contact_period_have_passed(make_portfolio: MakePortfolio) -> None:
    clients = [client("c", start="2026-10-01")]
    contacts = [visit("2026-10-01", "c"), visit("2026-11-02", "c")]
    assert not rows(make_portfolio, clients=clients, contacts=contacts)["c"]["new"]      # October counted
    clients, contacts = [client("c", start="2026-10-02")], [visit("2026-10-02", "c")]
    assert rows(make_portfolio, clients=clients, contacts=contacts)["c"]["new"]          # November is the first full month
    assert not rows(make_portfolio, site={**SITE, "as_of": "2026-12-01"}, clients=clients, contacts=contacts)["c"]["new"]
