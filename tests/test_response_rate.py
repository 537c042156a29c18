"""Response rates (docs/metrics.md, "Response rate"): rounds, answers within them, the 12-month window, reminders due."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.load import load_portfolio
from generator.metrics import compute_reports
from generator.metrics.response_rate import ResponseRates

MakePortfolio = Callable[..., Path]
SITE = {"business": {"name": "Test IT"}, "as_of": "2026-11-30"}
SURVEY = {"id": "review", "title": "Review", "questions": [{"id": "overall", "type": "rating", "label": "Overall?"}]}
HEADER = "date,client,survey,round,channel,kind\n"


def client(client_id: str, **extra: object) -> dict[str, object]:
    return {"id": client_id, "name": client_id.title(), "pcs": 12, "servers": 1,
            "agreement": {"start": "2024-06-01", "term_months": 12}, **extra}


def answer(response_id: str, who: str, day: str) -> dict[str, str]:
    return {"response_id": response_id, "client": who, "submitted_at": f"{day}T10:00:00Z", "overall": "4"}


def rates(make_portfolio: MakePortfolio, invitations: str, responses: list[dict[str, str]] | None = None,
          clients: list[dict[str, object]] | None = None, site: dict[str, object] | None = None,
          as_of: dt.date | None = None) -> ResponseRates:
    data = make_portfolio(site=site or SITE, clients=clients or [client("acme"), client("zeta")], surveys={"review": SURVEY},
                          responses={"review": responses or []})
    (data / "invitations.csv").write_text(HEADER + invitations, encoding="utf-8")
    return compute_reports(load_portfolio(data, as_of)).response_rates


def test_an_answer_counts_for_the_round_it_falls_in(make_portfolio: MakePortfolio) -> None:
    found = rates(make_portfolio,
                  "2026-03-02,acme,review,2026-03,email,invite\n2026-09-01,acme,review,2026-09,email,invite\n"
                  "2026-09-01,zeta,review,2026-09,email,invite\n2026-12-01,zeta,review,2026-12,email,invite\n",
                  # acme: one answer in March's round, one before any invitation; zeta: answered before its invitation
                  [answer("a0", "acme", "2026-01-05"), answer("a1", "acme", "2026-08-20"), answer("z1", "zeta", "2026-08-31"),
                   answer("x1", "", "2026-09-10")])
    assert [(r.round, r.rate.invited, r.rate.answered, r.rate.rate) for r in found.rounds] == [
        ("2026-09", 2, 0, 0.0), ("2026-03", 1, 1, 100.0)]  # the December invitation is after A
    march = found.rounds[1].clients[0]
    assert (march.invited, march.answered) == (dt.date(2026, 3, 2), dt.date(2026, 8, 20))
    assert (found.overall_12m.invited, found.overall_12m.answered, found.overall_12m.rate) == (3, 1, 33.3)
    assert {client: (r.invited, r.answered) for client, r in found.by_client_12m.items()} == {"acme": (2, 1), "zeta": (1, 0)}
    assert [(e.client, e.round) for e in found.not_answered] == [("acme", "2026-09"), ("zeta", "2026-09")]


def test_a_reminder_is_due_after_more_than_reminder_after_days_and_at_most_max_reminders(make_portfolio: MakePortfolio) -> None:
    rows = "2026-11-01,acme,review,2026-11,email,invite\n2026-11-20,zeta,review,2026-11,email,invite\n"
    on_day_7 = rates(make_portfolio, rows, as_of=dt.date(2026, 11, 27))
    assert [e.client for e in on_day_7.reminders_due()] == ["acme"]
    assert on_day_7.not_answered[1].reminder_due == dt.date(2026, 11, 28)
    reminded = rows + "2026-11-09,acme,review,2026-11,email,reminder\n2026-11-17,acme,review,2026-11,email,reminder\n"
    found = rates(make_portfolio, reminded, as_of=dt.date(2026, 11, 30))
    acme = found.waiting()[0]
    assert (acme.client, acme.reminders, acme.last_sent, acme.reminder_due) == ("acme", 2, dt.date(2026, 11, 17), None)
    assert [e.client for e in found.reminders_due()] == ["zeta"]
    fewer = rates(make_portfolio, reminded, site={**SITE, "max_reminders": 3, "reminder_after_days": 14}, as_of=dt.date(2026, 12, 1))
    assert [(e.client, e.reminder_due) for e in fewer.waiting()] == [("acme", dt.date(2026, 12, 2)), ("zeta", dt.date(2026, 12, 5))]
    assert fewer.reminders_due() == []


def test_old_rounds_and_ended_clients_wait_for_no_answer(make_portfolio: MakePortfolio) -> None:
    found = rates(make_portfolio, "2025-10-01,acme,review,2025-10,email,invite\n2026-10-01,zeta,review,2026-10,email,invite\n",
                  clients=[client("acme"), client("zeta", ended="2026-10-31")])
    assert [(r.round, r.rate.invited) for r in found.rounds] == [("2026-10", 1), ("2025-10", 1)]
    assert found.overall_12m.invited == 1  # 2025-10-01 is more than 365 days before 2026-11-30
    assert found.not_answered == ()  # acme's round is too old, zeta's agreement ended


def test_report_json_carries_the_rates_zero_before_any_invitation_then_counted(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(site=SITE, clients=[client("acme")], surveys={"review": SURVEY},
                          responses={"review": [answer("a1", "acme", "2026-11-10")]})
    plain = json.loads(CliRunner().invoke(cli, ["report", "--json", "--data", str(data)]).stdout)
    assert list(plain) == ["as_of", "portfolio", "clients", "followups", "response_rates"]
    assert plain["response_rates"] == {"invited_12m": 0, "answered_12m": 0, "rate_12m": None, "not_answered": 0,
                                       "reminders_due": 0, "rounds": [], "clients": []}
    (data / "invitations.csv").write_text(HEADER + "2026-11-02,acme,review,2026-11,email,invite\n", encoding="utf-8")
    found = json.loads(CliRunner().invoke(cli, ["report", "--json", "--data", str(data)]).stdout)
    assert list(found) == ["as_of", "portfolio", "clients", "followups", "response_rates"]
    assert found["response_rates"] == {
        "invited_12m": 1, "answered_12m": 1, "rate_12m": 100.0, "not_answered": 0, "reminders_due": 0,
        "rounds": [{"survey": "review", "round": "2026-11", "invited": 1, "answered": 1, "rate": 100.0}],
        "clients": [{"id": "acme", "invited": 1, "answered": 1, "rate": 100.0}]}


def test_the_dashboards_show_the_rate_and_page_who_has_not_answered(make_portfolio: MakePortfolio, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.build import build_site

    monkeypatch.setenv("RAPPORT_SECRET", "dashboard-rate-secret")
    monkeypatch.delenv("RAPPORT_DASHBOARD_PASSPHRASE", raising=False)
    site = {**SITE, "dashboards": {"list_size": 1, "page_size": 2}}
    pulse = {**SURVEY, "id": "pulse", "title": "Pulse <b>"}
    data = make_portfolio(site=site, clients=[client(name) for name in ("acme", "beta", "gamma", "zeta")],
                          surveys={"review": SURVEY, "pulse": pulse},
                          responses={"review": [answer("a1", "acme", "2026-11-25")]})
    (data / "invitations.csv").write_text(HEADER + "".join(f"2026-11-{day},{name},review,2026-11,email,invite\n" for day, name in
                                                           (("10", "acme"), ("11", "beta"), ("12", "gamma"), ("13", "zeta")))
                                          + "2026-11-20,acme,pulse,2026-11,email,invite\n", encoding="utf-8")
    out = tmp_path / "output"
    build_site(data, out)
    overview = (out / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert ('<p class="response-rate">Response rate, last 12 months: <strong>20.0 %</strong> (1 of 5 invited answered) · '
            '4 not answered: <a href="surveys/pulse.html#not-answered">1 to Pulse &lt;b&gt;</a>, '
            '<a href="surveys/review.html#not-answered">3 to Review</a></p>') in overview
    page = (out / "dashboard" / "surveys" / "review.html").read_text(encoding="utf-8")
    assert "Last 12 months: <strong>25.0 %</strong> — 1 of 4 invited clients answered." in page
    assert "<tr><th scope=\"row\">2026-11</th><td>4</td><td>1</td><td>25.0 %</td></tr>" in page
    waiting = page.split('id="not-answered"')[1]
    assert "Not answered (3)" in waiting and 'href="../clients/beta.html">Beta</a>' in waiting  # the longest waiting first
    assert "../clients/gamma.html" not in waiting and '<a href="review/not-answered.html">See all 3 who have not answered</a>' in waiting
    first = (out / "dashboard" / "surveys" / "review" / "not-answered.html").read_text(encoding="utf-8")
    second = (out / "dashboard" / "surveys" / "review" / "not-answered-2.html").read_text(encoding="utf-8")
    assert [name in first for name in ("beta.html", "gamma.html", "zeta.html")] == [True, True, False]
    assert "zeta.html" in second and "acme.html" not in first + second
