"""`rapport invite`: .eml drafts and a mail-merge CSV that mail programs and spreadsheets read, recorded once in data/."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import cli
from generator.tokens import survey_token

MakePortfolio = Callable[..., Path]
SECRET = "invite-test-secret"
BASE = "https://consult.example/site/"
SITE = {"business": {"name": "Test IT", "email": "hello@test-it.example"}, "site": {"base_url": BASE}, "as_of": "2026-11-30"}
SURVEY = {"id": "review", "title": "Annual review", "questions": [
    {"id": "improve", "type": "text", "label": "Improve?"},
    {"id": "recommend", "type": "nps", "label": "Recommend us?", "low_label": "Never", "high_label": "Surely"},
    {"id": "overall", "type": "rating", "label": "Overall?"}]}
INVITATIONS_HEADER = "date,client,survey,round,channel,kind\n"


def client(client_id: str, name: str = "Dana Ruiz", email: str | None = None, **extra: object) -> dict[str, object]:
    contact: dict[str, object] = {"name": name}
    if email != "":
        contact["email"] = email or f"{client_id}@clients.example"
    return {"id": client_id, "name": client_id.title(), "pcs": 12, "servers": 1, "contact": contact,
            "agreement": {"start": "2025-06-01", "term_months": 12}, **extra}


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)


def invite(data: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["invite", "--data", str(data), *args])


def read_eml(path: Path) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


def merge_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def test_drafts_are_multipart_with_the_personal_link_and_one_link_per_nps_point(make_portfolio: MakePortfolio, tmp_path: Path) -> None:
    data = make_portfolio(site=SITE, clients=[client("acme", "Jürgen Müller")], surveys={"review": SURVEY})
    out = tmp_path / "out"
    result = invite(data, "--survey", "review", "--out", str(out))
    assert result.exit_code == 0, result.output
    token = survey_token(SECRET.encode(), "review", "acme")
    link = f"{BASE}survey/review/#t={token}"
    message = read_eml(out / "review-invite-acme.eml")
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["X-Unsent"] == "1"
    assert str(message["To"]) == "Jürgen Müller <acme@clients.example>"
    assert str(message["From"]) == "Test IT <hello@test-it.example>"
    assert message["Subject"] == "Annual review: two minutes for Test IT?"
    assert message["Date"].datetime.date().isoformat() == "2026-11-30"
    assert re.fullmatch(r"<rapport\.[0-9a-f]{32}@test-it\.example>", message["Message-ID"])
    # the file's lines end in CRLF (the SMTP policy), and so does the content read back
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Dear Jürgen,\n") and f"\n{link}\n" in text
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    # the first scale question is the NPS one: 0 … 10, each its own link, in order, with the survey's own end labels
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs == [f"{link}&amp;recommend={score}" for score in range(11)] + [link]
    assert "0 = Never" in html and "10 = Surely" in html and "<style" not in html and "<script" not in html
    rows = merge_rows(out / "review-invite-mail-merge.csv")
    assert [(row["client"], row["contact"], row["email"], row["link"]) for row in rows] == [
        ("acme", "Jürgen Müller", "acme@clients.example", link)]
    assert rows[0]["html_body"] == html and rows[0]["text_body"] == text
    assert (data / "invitations.csv").read_text(encoding="utf-8") == INVITATIONS_HEADER + "2026-11-30,acme,review,2026-11,email,invite\n"


def test_the_sample_invites_every_active_client_to_its_annual_review(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert CliRunner().invoke(cli, ["demo", "--out", str(data)]).exit_code == 0
    out = tmp_path / "out"
    result = invite(data, "--survey", "annual-review", "--out", str(out))
    assert result.exit_code == 0, result.output
    drafts = sorted(out.glob("*.eml"))
    rows = merge_rows(out / "annual-review-invite-mail-merge.csv")
    assert len(drafts) == len(rows) >= 10
    for draft in drafts:
        message = read_eml(draft)
        client_id = draft.stem.removeprefix("annual-review-invite-")
        link = f"https://example.github.io/rapport/survey/annual-review/#t={survey_token(SECRET.encode(), 'annual-review', client_id)}"
        html = message.get_body(("html",)).get_content()
        assert message.get_content_type() == "multipart/alternative"
        assert link in message.get_body(("plain",)).get_content()
        assert re.findall(r'href="([^"]+)"', html)[:5] == [f"{link}&amp;overall={score}" for score in range(1, 6)]


def test_running_again_the_same_day_writes_the_drafts_again_and_records_nothing(make_portfolio: MakePortfolio, tmp_path: Path) -> None:
    data = make_portfolio(site=SITE, clients=[client("acme"), client("zeta")], surveys={"review": SURVEY})
    out = tmp_path / "out"
    assert invite(data, "--out", str(out)).exit_code == 0
    first = (out / "review-invite-acme.eml").read_bytes()
    recorded = (data / "invitations.csv").read_bytes()
    again = invite(data, "--out", str(out))
    assert again.exit_code == 0, again.output
    assert "recorded 0 in" in again.output and "(2 recorded already today)" in again.output
    assert (data / "invitations.csv").read_bytes() == recorded
    assert (out / "review-invite-acme.eml").read_bytes() == first  # the same Message-ID: one message, not two


def test_an_earlier_unanswered_invitation_is_skipped_in_favour_of_a_reminder(make_portfolio: MakePortfolio, tmp_path: Path) -> None:
    data = make_portfolio(site=SITE, clients=[client("acme"), client("zeta")], surveys={"review": SURVEY})
    (data / "invitations.csv").write_text(INVITATIONS_HEADER + "2026-11-20,acme,review,2026-11,email,invite\n", encoding="utf-8")
    result = invite(data, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert ("skipped  acme: invited on 2026-11-20 (round 2026-11) and not answered yet: send a reminder with --reminders"
            in result.output)
    assert sorted(path.name for path in (tmp_path / "out").glob("*.eml")) == ["review-invite-zeta.eml"]


def test_a_client_without_an_email_is_skipped_with_the_reason_and_the_rest_are_written(make_portfolio: MakePortfolio,
                                                                                      tmp_path: Path) -> None:
    data = make_portfolio(site=SITE, clients=[client("acme", email=""), client("bad", email="not-an-address"), client("zeta")],
                          surveys={"review": SURVEY})
    result = invite(data, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "skipped  acme: no contact e-mail in clients.yaml" in result.output
    assert "skipped  bad: contact e-mail 'not-an-address' is not an e-mail address (clients.yaml)" in result.output
    assert [row["client"] for row in merge_rows(tmp_path / "out" / "review-invite-mail-merge.csv")] == ["zeta"]
    assert (data / "invitations.csv").read_text(encoding="utf-8").count("\n") == 2


def test_nothing_to_invite_exits_1_and_says_why(make_portfolio: MakePortfolio, tmp_path: Path) -> None:
    data = make_portfolio(site=SITE, clients=[client("acme", email="")], surveys={"review": SURVEY})
    result = invite(data, "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "nothing to invite for review on 2026-11-30: every client selected was skipped" in result.output
    assert not (tmp_path / "out").exists() and not (data / "invitations.csv").exists()
    due = invite(make_portfolio(site=SITE, clients=[client("acme", agreement={"start": "2026-06-01", "term_months": 12})],
                                surveys={"review": SURVEY}), "--due", "--out", str(tmp_path / "out"))
    assert due.exit_code == 1
    assert "nothing to invite for review on 2026-11-30: no active client's survey is due within 30 days of 2026-11-30" in due.output


def test_due_invites_only_the_clients_whose_survey_is_due(make_portfolio: MakePortfolio, tmp_path: Path) -> None:
    # acme started 2025-06-01 with no answer: its annual survey was due 2026-06-01; new started in October
    data = make_portfolio(site=SITE, clients=[client("acme"), client("new", agreement={"start": "2026-10-01"})],
                          surveys={"review": SURVEY})
    result = invite(data, "--due", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert [path.name for path in (tmp_path / "out").glob("*.eml")] == ["review-invite-acme.eml"]


def test_usage_and_data_problems_exit_2_and_write_nothing(make_portfolio: MakePortfolio, tmp_path: Path) -> None:
    data = make_portfolio(site=SITE, clients=[client("acme")], surveys={"review": SURVEY})
    out = str(tmp_path / "out")
    unknown = invite(data, "--client", "acme-dentl", "--out", out)
    assert unknown.exit_code == 2
    assert f"error: --client 'acme-dentl': no such client in {data}/clients.yaml" in unknown.output
    survey = invite(data, "--survey", "reveiw", "--out", out)
    assert survey.exit_code == 2 and f"error: --survey 'reveiw': no such survey in {data}/surveys/ (one of: review)" in survey.output
    (data / "invitations.csv").write_text(INVITATIONS_HEADER + "2026-11-31,acme,review,2026-11,email,invite\n"
                                          "2026-11-20,acme,review,Nov,fax,invite\n", encoding="utf-8")
    broken = invite(data, "--out", out)
    assert broken.exit_code == 2
    assert f"{data}/invitations.csv:2: date: '2026-11-31' is not a real date" in broken.output
    assert f"{data}/invitations.csv:3: round: 'Nov' is not a round (expected the round's month, YYYY-MM)" in broken.output
    assert f"{data}/invitations.csv:3: channel: 'fax' is not a channel (expected email, phone, onsite, other)" in broken.output
    assert "Traceback" not in broken.output and not Path(out).exists()
    (data / "invitations.csv").unlink()
    no_base = make_portfolio(site={"business": {"name": "Test IT", "email": "a@b.example"}}, clients=[client("acme")],
                             surveys={"review": SURVEY})
    result = invite(no_base, "--out", out)
    assert result.exit_code == 2 and "error: site.base_url is not set in" in result.output


def test_validate_names_a_repeated_invitation_by_file_and_line(make_portfolio: MakePortfolio) -> None:
    data = make_portfolio(site=SITE, clients=[client("acme")], surveys={"review": SURVEY})
    row = "2026-11-20,acme,review,2026-11,email,invite\n"
    (data / "invitations.csv").write_text(INVITATIONS_HEADER + row + "2026-11-20,acme,reviw,2026-11,email,invite\n" + row,
                                          encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--data", str(data)])
    assert result.exit_code == 1
    assert (f"{data}/invitations.csv:3: survey: 'reviw' is not a survey id (expected an id from surveys/) — did you mean 'review'?"
            in result.output)
    assert (f"{data}/invitations.csv:4: repeats line 2 (the same date, client, survey and kind; expected each invitation once)"
            in result.output)


def test_mail_merge_cells_a_spreadsheet_would_run_start_with_a_quote(make_portfolio: MakePortfolio, tmp_path: Path) -> None:
    data = make_portfolio(site=SITE, clients=[client("acme", name='=HYPERLINK("http://evil.example","x")')],
                          surveys={"review": SURVEY})
    assert invite(data, "--out", str(tmp_path / "out")).exit_code == 0
    raw = (tmp_path / "out" / "review-invite-mail-merge.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfclient,client_name,contact,email,subject,text_body,html_body,link\n")
    [row] = merge_rows(tmp_path / "out" / "review-invite-mail-merge.csv")
    assert row["contact"] == '\'=HYPERLINK("http://evil.example","x")'
    html = read_eml(tmp_path / "out" / "review-invite-acme.eml").get_body(("html",)).get_content()
    assert "<a href=\"http://evil" not in html


def test_dry_run_lists_who_would_get_what_and_writes_nothing(make_portfolio: MakePortfolio, tmp_path: Path) -> None:
    data = make_portfolio(site=SITE, clients=[client("acme")], surveys={"review": SURVEY})
    result = invite(data, "--dry-run", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert "invitation  acme: Dana Ruiz <acme@clients.example>" in result.output
    assert "nothing was written" in result.output
    assert not (tmp_path / "out").exists() and not (data / "invitations.csv").exists()


def test_the_client_language_chooses_the_words(make_portfolio: MakePortfolio, tmp_path: Path) -> None:
    site = {**SITE, "site": {"base_url": BASE, "language": "de"}}
    data = make_portfolio(site=site, clients=[client("acme", "Jürgen Müller")], surveys={"review": SURVEY})
    assert invite(data, "--out", str(tmp_path / "out")).exit_code == 0
    message = read_eml(tmp_path / "out" / "review-invite-acme.eml")
    assert message["Subject"] == "Annual review: zwei Minuten für Test IT?"
    html = message.get_body(("html",)).get_content()
    assert '<html lang="de">' in html and "Zur Umfrage" in html and "Guten Tag Jürgen," in html


def test_two_runs_at_once_both_land_and_none_twice(make_portfolio: MakePortfolio, tmp_path: Path) -> None:
    ids = [f"c{number:02d}" for number in range(12)]
    data = make_portfolio(site=SITE, clients=[client(client_id) for client_id in ids], surveys={"review": SURVEY})
    environment = {**os.environ, "RAPPORT_SECRET": SECRET}
    runs = [[*ids[:8]], [*ids[4:]]]  # c04 … c07 in both
    processes = [subprocess.Popen([sys.executable, "-m", "generator", "invite", "--data", str(data), "--out", str(tmp_path / f"o{n}"),
                                   *[f"--client={client_id}" for client_id in chosen]],
                                  env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for n, chosen in enumerate(runs)]
    for process in processes:
        _, error = process.communicate(timeout=120)
        assert process.returncode == 0, error.decode()
    lines = (data / "invitations.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == INVITATIONS_HEADER.strip()
    assert sorted(line.split(",")[1] for line in lines[1:]) == ids


PULSE = {"id": "pulse", "title": "Visit pulse", "questions": [{"id": "visit", "type": "rating", "label": "How was our visit?"}]}


def test_an_onsite_visit_puts_the_client_on_the_next_pulse_run_once(make_portfolio: MakePortfolio, tmp_path: Path) -> None:
    site = {**SITE, "after_visit": {"survey": "pulse", "within_days": 2}}
    contacts = [["2026-11-29", "acme", "onsite", "bo", "60", ""], ["2026-11-29", "zeta", "phone", "bo", "10", ""],
                ["2026-11-20", "zeta", "onsite", "bo", "60", ""], ["2026-11-28", "beta", "onsite", "bo", "60", ""]]
    data = make_portfolio(site=site, clients=[client("acme"), client("beta"), client("zeta")], contacts=contacts,
                          surveys={"review": SURVEY, "pulse": PULSE})
    (data / "invitations.csv").write_text(INVITATIONS_HEADER + "2026-11-29,beta,pulse,2026-11,email,invite\n", encoding="utf-8")
    result = invite(data, "--survey", "pulse", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert [path.name for path in (tmp_path / "out").glob("*.eml")] == ["pulse-invite-acme.eml"]
    assert invite(data, "--survey", "pulse", "--out", str(tmp_path / "out")).exit_code == 0  # the same day: again, recorded once
    later = invite(data, "--survey", "pulse", "--as-of", "2026-12-01", "--out", str(tmp_path / "later"))
    assert later.exit_code == 1
    assert ("nothing to invite for pulse on 2026-12-01: no on-site visit in the last 2 days (after_visit in site.yaml) "
            "that no invitation to pulse has followed yet") in later.output
    assert (data / "invitations.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        "2026-11-29,beta,pulse,2026-11,email,invite", "2026-11-30,acme,pulse,2026-11,email,invite"]


def test_after_visit_must_name_a_survey(make_portfolio: MakePortfolio) -> None:
    site = "business: {name: Test IT}\nas_of: 2026-11-30\nafter_visit:\n  within_days: 2\n  survey: puls\n"
    data = make_portfolio(site=site, clients=[client("acme")], surveys={"review": SURVEY, "pulse": PULSE})
    result = CliRunner().invoke(cli, ["validate", "--data", str(data)])
    assert result.exit_code == 1
    assert (f"{data}/site.yaml:5: after_visit.survey: 'puls' is not a survey (expected an id from surveys/) — did you mean 'pulse'?"
            in result.output)


def test_hostile_titles_and_names_stay_text_in_the_headers_and_the_html(make_portfolio: MakePortfolio, tmp_path: Path) -> None:
    survey = {**SURVEY, "title": "Review\nBcc: all@evil.example\n<script>alert(1)</script>"}
    data = make_portfolio(site=SITE, clients=[client("acme", name="<img src=x onerror=alert(1)> Ruiz")], surveys={"review": survey})
    result = invite(data, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    message = read_eml(tmp_path / "out" / "review-invite-acme.eml")
    assert message["Bcc"] is None
    assert message["Subject"] == "Review Bcc: all@evil.example <script>alert(1)</script>: two minutes for Test IT?"
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "<img" not in html and "Dear &lt;img,</p>" in html  # the first name is the first word


def test_reminders_go_to_those_invited_more_than_a_week_ago_who_have_not_answered(make_portfolio: MakePortfolio,
                                                                                  tmp_path: Path) -> None:
    data = make_portfolio(site=SITE, clients=[client("acme"), client("beta"), client("zeta")], surveys={"review": SURVEY},
                          responses={"review": [{"response_id": "b1", "client": "beta", "submitted_at": "2026-11-25T09:00:00Z",
                                                 "overall": "5"}]})
    (data / "invitations.csv").write_text(INVITATIONS_HEADER + "2026-11-20,acme,review,2026-11,email,invite\n"
                                          "2026-11-20,beta,review,2026-11,email,invite\n"
                                          "2026-11-25,zeta,review,2026-11,email,invite\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invite(data, "--reminders", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "skipped  zeta: last sent on 2026-11-25: a reminder is due from 2026-12-03 (reminder_after_days: 7)" in result.output
    assert [path.name for path in out.glob("*.eml")] == ["review-reminder-acme.eml"]
    assert read_eml(out / "review-reminder-acme.eml")["Subject"] == "Reminder — Annual review: two minutes for Test IT?"
    assert (data / "invitations.csv").read_text(encoding="utf-8").splitlines()[-1] == "2026-11-30,acme,review,2026-11,email,reminder"
    again = invite(data, "--reminders", "--out", str(out))
    assert again.exit_code == 0 and "recorded 0 in" in again.output
    none_due = invite(data, "--reminders", "--client", "beta", "--out", str(out))
    assert none_due.exit_code == 1
    assert "skipped  beta: no unanswered invitation to review in the last 12 months" in none_due.output
    assert "no reminder to send for review on 2026-11-30" in none_due.output
