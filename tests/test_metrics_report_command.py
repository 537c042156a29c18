"""`rapport report`: the exact §3 JSON on stdout, or a readable table with at-risk clients first."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from generator.cli import cli

MakePortfolio = Callable[..., Path]
SITE = {"business": {"name": "Test IT"}, "as_of": "2026-11-30"}
CLIENT_KEYS = ["id", "active", "responses_12m", "nps_12m", "csat_12m", "last_response", "onsite_12m",
               "months_below_min_12m", "days_since_contact", "days_since_onsite", "next_renewal",
               "survey_next_due", "survey_overdue", "fit", "fit_issues", "risk", "risk_reasons", "risk_figures",
               "tracking_since"]
PORTFOLIO_KEYS = ["clients_active", "responses_12m", "nps_12m", "csat_12m", "onsite_12m",
                  "clients_survey_overdue", "clients_at_risk"]


def client(client_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": client_id, "name": f"{client_id.title()} Ltd", "pcs": 18, "servers": 1,
            "agreement": {"start": "2024-03-01", "term_months": 12}, **extra}


def portfolio(make_portfolio: MakePortfolio) -> Path:
    clients = [client("zeta"), client("acme"), client("gone", ended="2025-01-31"), client("mid", pcs=60)]
    # zeta: Nov 2025 … Oct 2026 = 12 visits in the last 12 months; mid: Jan … Oct 2026 = 10
    contacts = [[f"2026-{m:02d}-10", who, "onsite", "bo", "60", ""] for m in range(1, 12) for who in ("zeta", "mid")]
    contacts += [["2025-11-10", "zeta", "onsite", "bo", "60", ""], ["2025-12-10", "zeta", "onsite", "bo", "60", ""]]
    responses = [
        {"response_id": "z1", "client": "zeta", "submitted_at": "2026-11-10T12:00:00Z", "overall": "5", "recommend": "10"},
        {"response_id": "m1", "client": "mid", "submitted_at": "2026-11-12T12:00:00Z", "overall": "4", "recommend": "9",
         "improve": "Plus de visites — merci"},
    ]
    return make_portfolio(site=SITE, clients=clients, contacts=contacts, responses={"review": responses})


def test_json_prints_exactly_the_contract_object(make_portfolio: MakePortfolio) -> None:
    result = CliRunner().invoke(cli, ["report", "--json", "--data", str(portfolio(make_portfolio))])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["as_of", "portfolio", "clients", "followups", "response_rates"]
    assert data["as_of"] == "2026-11-30"
    assert list(data["portfolio"]) == PORTFOLIO_KEYS
    assert data["portfolio"] == {"clients_active": 3, "responses_12m": 2, "nps_12m": 100.0, "csat_12m": 100.0,
                                 "onsite_12m": 22, "clients_survey_overdue": 1, "clients_at_risk": 1}
    assert [c["id"] for c in data["clients"]] == ["acme", "gone", "mid", "zeta"]
    assert all(list(c) == CLIENT_KEYS for c in data["clients"])
    zeta = data["clients"][3]
    assert zeta == {"id": "zeta", "active": True, "responses_12m": 1, "nps_12m": 100.0, "csat_12m": 100.0,
                    "last_response": "2026-11-10", "onsite_12m": 12, "months_below_min_12m": 0,
                    "days_since_contact": 20, "days_since_onsite": 20, "next_renewal": "2027-03-01",
                    "survey_next_due": "2027-11-10", "survey_overdue": False, "fit": True, "fit_issues": [],
                    "risk": "low", "risk_reasons": [], "risk_figures": [],
                    "tracking_since": "2025-11-10"}  # its first logged contact
    gone = data["clients"][1]
    assert (gone["active"], gone["next_renewal"], gone["survey_next_due"], gone["survey_overdue"], gone["risk"]) == (
        False, None, None, None, None)
    assert data["clients"][2]["fit_issues"] == ["60 PCs (ideal 10–35)"]
    assert result.stdout.endswith("}\n") and result.stdout.count("\n") == 1


def test_json_keeps_non_ascii_text_as_written(make_portfolio: MakePortfolio) -> None:
    result = CliRunner().invoke(cli, ["report", "--json", "--data", str(portfolio(make_portfolio))])
    assert "ideal 10–35" in result.stdout and "\\u" not in result.stdout


def test_as_of_on_the_command_line_overrides_site_yaml(make_portfolio: MakePortfolio) -> None:
    result = CliRunner().invoke(cli, ["report", "--json", "--data", str(portfolio(make_portfolio)), "--as-of", "2026-06-30"])
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-06-30"
    assert data["portfolio"]["responses_12m"] == 0      # the November responses do not exist yet


def test_terminal_table_lists_clients_at_risk_first_with_reasons(make_portfolio: MakePortfolio) -> None:
    result = CliRunner().invoke(cli, ["report", "--data", str(portfolio(make_portfolio))])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Rapport report as of 2026-11-30"
    body = [line.split()[0] for line in lines[5:] if line and not line.startswith(" ") and not line.startswith("*")]
    assert body == ["acme", "mid", "zeta", "gone"]
    acme = lines.index(next(line for line in lines if line.startswith("acme ")))
    assert lines[acme].split()[1] == "medium"
    assert lines[acme + 1:acme + 4] == ["    - 3 of the last 3 months below the on-site minimum of 1 per month",
                                        "    - no contact logged", "    - survey overdue since 2025-03-01"]
    assert "inactive" in next(line for line in lines if line.startswith("gone "))
    assert "100.0 (n=1)*" in result.stdout and "fewer than 5 answers" in result.stdout


def test_data_errors_go_to_stderr_with_a_non_zero_exit(make_portfolio: MakePortfolio) -> None:
    path = make_portfolio(site=SITE, contacts=[["2026-13-01", "acme", "onsite", "bo", "60", ""]])
    result = CliRunner().invoke(cli, ["report", "--json", "--data", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "contacts.csv:2: date: '2026-13-01' is not a real date" in result.stderr
