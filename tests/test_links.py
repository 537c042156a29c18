"""Personal links whenever you want them: `dashboard/links.csv` and the links on each client page."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.build import build_site
from generator.tokens import survey_token

MakePortfolio = Callable[..., Path]
SECRET = "test-secret-for-deterministic-tokens"
BASE = "https://consult.example/site/"
HEADER = ["client", "contact", "email", "survey", "link", "due_date", "last_sent", "last_answered", "client_id", "survey_id"]
PULSE = {"id": "pulse", "title": "Quick pulse", "questions": [{"id": "overall", "type": "rating", "label": "How are we doing?"}]}
REVIEW = {"id": "review", "title": "Annual review", "questions": [{"id": "overall", "type": "rating", "label": "Overall?"},
                                                                   {"id": "improve", "type": "text", "label": "Improve?"}]}


def client(client_id: str, name: str, start: str = "2025-06-01", **extra: object) -> dict[str, object]:
    return {"id": client_id, "name": name, "pcs": 12, "servers": 1, "agreement": {"start": start, "term_months": 12},
            "contact": {"name": f"{name} Contact", "email": f"it@{client_id}.example"}, **extra}


@pytest.fixture
def built(make_portfolio: MakePortfolio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    clients = [client("acme", "Acme"), client("zed", "=HYPERLINK(\"http://evil.example\")"),
               client("gone", "Gone Ltd", start="2024-01-01", ended="2026-06-30"),
               client("later", "Later Ltd", start="2027-01-01")]
    responses = {"review": [{"response_id": "r1", "client": "acme", "submitted_at": "2026-11-20T09:00:00+01:00",
                             "overall": "5"}]}
    data = make_portfolio(site={"business": {"name": "Test IT"}, "as_of": "2026-11-30", "site": {"base_url": BASE}},
                          clients=clients, surveys={"pulse": PULSE, "review": REVIEW}, responses=responses)
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    out = tmp_path / "out"
    build_site(data, out)
    return out


def read_links(out: Path) -> tuple[bytes, list[list[str]]]:
    raw = (out / "dashboard" / "links.csv").read_bytes()
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_links_csv_lists_every_active_client_and_survey_due_or_not(built: Path) -> None:
    raw, rows = read_links(built)
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw
    assert rows[0] == HEADER
    pairs = [(row[8], row[9]) for row in rows[1:]]
    # active clients by name (the guarded one sorts by its text), every survey; ended and not-started ones left out
    assert pairs == [("zed", "pulse"), ("zed", "review"), ("acme", "pulse"), ("acme", "review")]
    acme_review = rows[4]
    assert acme_review[:4] == ["Acme", "Acme Contact", "it@acme.example", "Annual review"]
    # acme answered on 2026-11-20; next due is the renewal survey (renewal 2027-06-01 − 60 days), months
    # away: its links are here all the same
    assert (acme_review[5], acme_review[6], acme_review[7]) == ("2027-04-02", "", "2026-11-20")
    assert rows[3][7] == ""                                  # never answered the pulse
    assert rows[1][0] == "'=HYPERLINK(\"http://evil.example\")"   # a formula is text in a spreadsheet


def test_every_link_is_personal_and_leads_to_a_built_survey_page(built: Path) -> None:
    _, rows = read_links(built)
    for row in rows[1:]:
        link, client_id, survey_id = row[4], row[8], row[9]
        assert link.startswith(BASE)
        assert survey_token(SECRET.encode(), survey_id, client_id) in link
        page = built / "public" / urlsplit(link).path.removeprefix(urlsplit(BASE).path) / "index.html"
        assert page.is_file(), link
        assert survey_id in page.read_text(encoding="utf-8")


def test_a_client_page_shows_its_links_and_an_ended_client_has_none(built: Path) -> None:
    page = html.unescape((built / "dashboard" / "clients" / "acme.html").read_text(encoding="utf-8"))
    assert "Personal survey links" in page
    for survey_id in ("pulse", "review"):
        assert survey_token(SECRET.encode(), survey_id, "acme") in page
    assert '<a href="../links.csv">links.csv</a>' in page
    gone = (built / "dashboard" / "clients" / "gone.html").read_text(encoding="utf-8")
    assert "Personal survey links" not in gone


def test_without_a_base_url_client_pages_link_to_the_local_survey_page(make_portfolio: MakePortfolio, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_portfolio(clients=[client("acme", "Acme")], surveys={"pulse": PULSE})
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    out = tmp_path / "out"
    build_site(data, out)
    token = survey_token(SECRET.encode(), "pulse", "acme")
    page = (out / "dashboard" / "clients" / "acme.html").read_text(encoding="utf-8")
    href = next(part.split('"')[0] for part in page.split('href="')[1:] if token in part.split('"')[0])
    target = (out / "dashboard" / "clients" / href.split("#")[0]).resolve()
    assert target.is_file() and target.is_relative_to((out / "public").resolve())
    _, rows = read_links(out)
    assert rows[1][4].startswith("survey/") and token in rows[1][4]
