"""calendar.ics parses with the icalendar library and holds every due date; the page shows the same;
the invitation kit lists who is due with personal links and ready e-mails."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import icalendar
import pytest
from click.testing import CliRunner

from generator.build import build_site
from generator.cli import cli
from generator.load import load_portfolio
from generator.tokens import survey_token
from tests.conftest import CLIENT, SAMPLE_DATA, SAMPLE_SECRET

SECRET = SAMPLE_SECRET


@pytest.fixture(scope="module")
def sample(sample_output: Path) -> Path:
    return sample_output / "dashboard"


@pytest.fixture(scope="module")
def report() -> dict:
    return json.loads(CliRunner().invoke(cli, ["report", "--json", "--data", str(SAMPLE_DATA)]).stdout)


def events(path: Path) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return list(calendar.walk("VEVENT"))


def test_the_ics_holds_every_survey_due_date_and_renewal(sample: Path, report: dict) -> None:
    found = {(str(e["UID"]).split("-")[0], e.decoded("DTSTART")) for e in events(sample / "calendar.ics")}
    for client in report["clients"]:
        if not client["active"]:
            continue
        assert ("survey", dt.date.fromisoformat(client["survey_next_due"])) in found, client["id"]
        assert ("renewal", dt.date.fromisoformat(client["next_renewal"])) in found, client["id"]
    visits = [e for e in events(sample / "calendar.ics") if str(e["UID"]).startswith("visit-")]
    assert len(visits) == sum(1 for c in report["clients"] if c["active"])


def test_ics_events_are_all_day_unique_and_stamped_with_the_report_date(sample: Path) -> None:
    items = events(sample / "calendar.ics")
    assert len({str(e["UID"]) for e in items}) == len(items)
    for event in items:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is dt.date and end == start + dt.timedelta(days=1)
        assert event.decoded("DTSTAMP") == dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
        assert str(event["SUMMARY"])
    calendar = icalendar.Calendar.from_ical((sample / "calendar.ics").read_bytes())
    assert str(calendar["VERSION"]) == "2.0" and "Rapport" in str(calendar["PRODID"])


def test_the_calendar_page_lists_the_same_events(sample: Path) -> None:
    page = (sample / "calendar.html").read_text(encoding="utf-8")
    items = events(sample / "calendar.ics")
    assert page.count("<tr class=") == len(items)
    for event in items:
        assert f'<time datetime="{event.decoded("DTSTART").isoformat()}">' in page
    assert 'href="calendar.ics"' in page


def test_a_visit_is_due_this_month_when_it_is_short_of_the_minimum(make_portfolio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    clients = [CLIENT, {**CLIENT, "id": "busy", "name": "Busy"}]
    contacts = [["2026-11-03", "busy", "onsite", "bo", "60", ""]]
    data = make_portfolio(clients=clients, contacts=contacts)
    build_site(data, tmp_path / "out")
    visits = {str(e["UID"]): e for e in events(tmp_path / "out" / "dashboard" / "calendar.ics") if str(e["UID"]).startswith("visit-")}
    assert str(visits["visit-acme-2026-11-30@rapport"]["DESCRIPTION"]) == "1 more on-site visit this month (minimum 1 a month, 0 so far)"
    assert "visit-busy-2026-12-31@rapport" in visits


def test_invitations_list_due_clients_with_absolute_links_and_ready_emails(sample: Path, report: dict) -> None:
    portfolio = load_portfolio(SAMPLE_DATA)
    page = (sample / "invitations.html").read_text(encoding="utf-8")
    base = portfolio.settings.site.base_url.rstrip("/")
    due = [c for c in report["clients"] if c["active"] and
           (dt.date.fromisoformat(c["survey_next_due"]) - portfolio.as_of).days <= 30]
    assert due, "the sample has a client whose survey is due"
    not_due = [c for c in report["clients"] if c["active"] and c not in due]
    for survey in portfolio.surveys:
        for client in due:
            token = survey_token(SECRET.encode(), survey.id, client["id"])
            assert f'<a href="{base}/survey/{survey.id}/#t={token}">{base}/survey/{survey.id}/#t={token}</a>' in page
            assert f'id="invite-{survey.id}-{client["id"]}"' in page
        for client in not_due:
            assert f'id="invite-{survey.id}-{client["id"]}"' not in page
    overdue = next(c for c in due if c["survey_overdue"])
    record = portfolio.client(overdue["id"])
    mailto = re.search(rf'id="invite-{portfolio.surveys[0].id}-{overdue["id"]}".*?href="(mailto:[^"]+)"', page, flags=re.S).group(1)
    parts = urlsplit(mailto.replace("&amp;", "&"))
    assert unquote(parts.path) == record.contact.email
    query = parse_qs(parts.query)
    token = survey_token(SECRET.encode(), portfolio.surveys[0].id, overdue["id"])
    body = query["body"][0]
    assert f"{base}/survey/{portfolio.surveys[0].id}/#t={token}" in body
    assert body.startswith(f"Dear {record.contact.name.split()[0]},")
    assert body.endswith(f"{portfolio.settings.business.name}\n{portfolio.settings.business.email}")
    assert portfolio.surveys[0].title in query["subject"][0]
    # who has not answered since the link was due
    late = page[page.index(f'id="late-{portfolio.surveys[0].id}"'):]
    assert html.escape(record.name, quote=False) in late[:late.index("</ul>")]


def test_without_base_url_links_are_site_paths_with_a_note(make_portfolio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    data = make_portfolio()  # no site.base_url; the one client never answered: overdue
    build_site(data, tmp_path / "out")
    page = (tmp_path / "out" / "dashboard" / "invitations.html").read_text(encoding="utf-8")
    token = survey_token(SECRET.encode(), "review", "acme")
    assert f'<a href="../public/survey/review/index.html#t={token}">survey/review/#t={token}</a>' in page
    assert (tmp_path / "out" / "public" / "survey" / "review" / "index.html").is_file()
    assert not (tmp_path / "out" / "public" / "survey" / token).exists()
    assert "Set <code>site.base_url</code>" in page
