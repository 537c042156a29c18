"""One answer per link per round (issue #16 item 2): a second answer replaces the first, kept in the data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from generator.build import build_site
from generator.ingest.collector import CollectorConfig, create_collector_app
from generator.load import load_portfolio
from generator.metrics import compute_reports
from generator.metrics.rounds import round_of, superseded
from tests.conftest import CLIENT
from tests.test_ingest_collector import SECRET, in_process, rows, token, valid_form


@pytest.mark.parametrize(("day", "expected"), [
    ("2024-03-01", 0), ("2025-02-28", 0), ("2025-03-01", 1), ("2024-02-29", -1), ("2026-11-30", 2),
])
def test_a_round_runs_from_the_agreement_start_one_cadence_interval_at_a_time(day: str, expected: int) -> None:
    assert round_of(dt.date(2024, 3, 1), 12, dt.date.fromisoformat(day)) == expected


def test_rounds_clamp_to_the_month_end_counted_from_the_start() -> None:
    start = dt.date(2024, 8, 31)  # + 6 months = 28 Feb 2025, + 12 = 31 Aug 2025
    assert [round_of(start, 6, dt.date.fromisoformat(d)) for d in ("2025-02-27", "2025-02-28", "2025-08-30", "2025-08-31")] == [0, 1, 1, 2]


def test_only_the_last_answer_through_a_link_in_a_round_counts() -> None:
    frame = pd.DataFrame({
        "response_id": ["c-link-1", "c-link-2", "r3", "r4", "c-link-5", "c-link-6"],
        "client": ["acme", "acme", "acme", "acme", "", "acme"],
        "submitted_at": ["2026-05-01T10:00:00Z", "2026-05-02T09:00:00+02:00", "2026-05-03T10:00:00Z",
                         "2026-05-04T10:00:00Z", "2026-05-05T10:00:00Z", "2025-05-01T10:00:00Z"],
    })
    frame["date"] = pd.to_datetime(frame["submitted_at"].str[:10])
    mask, replaced_by = superseded(frame, {"acme": (dt.date(2024, 3, 1), 12)})
    # rows 3 and 4 were written with their client (several people of one client may answer): never replaced;
    # the anonymous one neither; last year's answer is another round
    assert mask.tolist() == [True, False, False, False, False, False]
    assert replaced_by == ["c-link-2", "", "", "", "", ""]


@pytest.fixture
def data(make_portfolio, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    return make_portfolio(site={"business": {"name": "Test IT"}, "forms": {"min_seconds": 0}})


def test_a_second_answer_through_the_same_link_replaces_the_first(data: Path, tmp_path: Path) -> None:
    """Issue #16: the same personal link could be submitted any number of times and every copy counted."""
    with in_process(create_collector_app(CollectorConfig(data))) as http:
        first = http.post("/api/responses", data=valid_form(recommend="2", improve="Slow replies."))
        assert first.status_code == 303 and first.headers["location"] == "/thanks/"
        second = http.post("/api/responses", data=valid_form(recommend="10", improve="Much better now."))
        assert second.status_code == 303 and second.headers["location"] == "/thanks/updated/"
        third = http.post("/api/responses", json={**valid_form(recommend="8"), "areas": "Helpdesk"},
                          headers={"Accept": "application/json"})
        assert third.json()["updated"] is True
        anonymous = http.post("/api/responses", data=valid_form(token="", recommend="0"))
        assert anonymous.headers["location"] == "/thanks/"
    stored = rows(data)
    assert [row["recommend"] for row in stored] == ["2", "10", "8", "0"]  # every row kept as it came
    assert all("-link-" in row["response_id"] for row in stored[:3]) and "-link-" not in stored[3]["response_id"]
    portfolio = load_portfolio(data)
    reports = compute_reports(portfolio)
    acme = reports.clients.set_index("id").loc["acme"]
    assert acme["responses_12m"] == 1 and acme["nps_12m"] == 0.0  # the latest answer only: an 8 is passive
    assert reports.portfolio["responses_12m"] == 1
    assert sorted(reports.superseded["response_id"]) == sorted(row["response_id"] for row in stored[:2])
    assert set(reports.superseded["replaced_by"]) == {stored[2]["response_id"]}
    # the client page marks the replaced answers; the survey page counts the latest only and says so
    build_site(data, tmp_path / "out")
    client_page = (tmp_path / "out" / "dashboard" / "clients" / "acme.html").read_text(encoding="utf-8")
    assert client_page.count('<span class="superseded">superseded</span>') == 2
    survey_page = (tmp_path / "out" / "dashboard" / "surveys" / "review.html").read_text(encoding="utf-8")
    assert "2 responses up to" in survey_page and "2 more were superseded" in survey_page
    thanks = (tmp_path / "out" / "public" / "thanks" / "updated" / "index.html").read_text(encoding="utf-8")
    assert "Your answers were updated:" in thanks
    assert "Your answers were updated" not in (tmp_path / "out" / "public" / "thanks" / "index.html").read_text(encoding="utf-8")


def test_an_answer_in_the_next_round_is_no_replacement(make_portfolio, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    data = make_portfolio(site={"business": {"name": "Test IT"}, "forms": {"min_seconds": 0}},
                          clients=[{**CLIENT, "agreement": {**CLIENT["agreement"], "start": "2024-03-01"}}])
    year_ago = {"response_id": "collector-link-old", "client": "acme", "submitted_at": "2025-02-20T10:00:00Z",
                "overall": "3", "recommend": "5"}
    (data / "responses" / "review.csv").write_text(
        "response_id,client,submitted_at,overall,recommend,visits,areas,improve\n"
        + ",".join(year_ago.values()) + ",,,\n", encoding="utf-8")
    with in_process(create_collector_app(CollectorConfig(data))) as http:
        assert http.post("/api/responses", data=valid_form()).headers["location"] == "/thanks/"
    assert compute_reports(load_portfolio(data)).superseded.empty
    assert token() in valid_form()["token"]
