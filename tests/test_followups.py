"""Follow-ups: an unhappy answer opens one (collector, sync), `followup close` closes it, the pages show it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.build import build_site
from generator.cli import cli
from generator.demo import write_demo
from generator.followups.store import NewFollowup, close, open_followups
from generator.ingest.collector import CollectorConfig, create_collector_app
from generator.model import Targets
from generator.speed import Speed
from generator.templates import make_environment
from generator.tokens import survey_token
from tests.conftest import CLIENT, SURVEY, serve_folder, yaml_text
from tests.test_ingest_collector import in_process

SECRET = "followup-test-secret"
HEADER = "id,client,survey,response,reason,opened,due,owner,status,closed,note"
CONTACT_SURVEY = {
    "id": "pulse", "title": "Pulse",
    "questions": [
        {"id": "score", "type": "rating", "label": "How did we do?"},
        {"id": "call", "type": "choice", "options": ["No", "Yes"], "contact_request": True, "label": "May we call you?"},
        {"id": "words", "type": "text", "label": "Anything else?"},
    ],
}
CLIENTS = [CLIENT, {**CLIENT, "id": "bolt", "name": "Bolt Legal"}, {**CLIENT, "id": "cove", "name": "Cove Cafe"}]


def rapport(*args: object) -> Any:
    return CliRunner().invoke(cli, [str(arg) for arg in args])


def table(data: Path) -> list[dict[str, str]]:
    text = (data / "followups.csv").read_bytes().decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def working_days_after(day: dt.date, count: int) -> dt.date:
    """Counted by hand, one day at a time: Saturday and Sunday do not count."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    while count:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def test_a_detractor_through_the_collector_opens_a_followup_that_close_closes_and_the_client_sees(
    make_portfolio: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, browser: Any,
) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    data = make_portfolio(site={"business": {"name": "Test IT"}, "forms": {"min_seconds": 3}})
    form = {"survey": "review", "token": survey_token(SECRET.encode(), "review", "acme"),
            "shown_at": str(int(time.time() * 1000) - 60_000), "website": "", "overall": "4", "recommend": "3",
            "improve": "Nobody called back about the <script>printer</script> & the backups."}
    with in_process(create_collector_app(CollectorConfig(data))) as http:
        assert http.post("/api/responses", data=form).status_code == 303
        happy = {**form, "token": survey_token(SECRET.encode(), "review", "acme"), "recommend": "10", "overall": "5"}
        assert http.post("/api/responses", data=happy).status_code == 303
    responses = list(csv.DictReader(io.StringIO((data / "responses" / "review.csv").read_text(encoding="utf-8"))))
    detractor = next(row for row in responses if row["recommend"] == "3")
    today = dt.date.today()
    assert (data / "followups.csv").read_text(encoding="utf-8").splitlines()[0] == HEADER
    assert table(data) == [{
        "id": "1", "client": "acme", "survey": "review", "response": detractor["response_id"],
        "reason": "detractor: 3 of 10 (recommend)", "opened": today.isoformat(),
        "due": working_days_after(today, 2).isoformat(), "owner": "", "status": "open", "closed": "", "note": ""}]

    listed = rapport("followup", "list", "--data", data)
    assert listed.exit_code == 0, listed.output
    assert re.search(r"^1 +Acme Dental +" + today.isoformat(), listed.output, re.M)
    assert "1 follow-up: 1 open, 0 overdue" in listed.output

    closed = rapport("followup", "close", "1", "--note", "Called Dana & fixed the <b>printer</b> queue", "--owner", "Sam",
                     "--data", data)
    assert closed.exit_code == 0, closed.output
    assert closed.output == f"closed follow-up 1 (acme) on {today.isoformat()}: Called Dana & fixed the <b>printer</b> queue\n"
    [row] = table(data)
    assert (row["status"], row["closed"], row["owner"], row["note"]) == (
        "closed", today.isoformat(), "Sam", "Called Dana & fixed the <b>printer</b> queue")
    assert rapport("followup", "list", "--data", data).output.startswith("no open follow-up")

    build_site(data, tmp_path / "out")
    page = (tmp_path / "out" / "dashboard" / "clients" / "acme.html").read_text(encoding="utf-8")
    section = page[page.index('id="you-said"'):page.index("</section>", page.index('id="you-said"'))]
    assert "Nobody called back about the &lt;script&gt;printer&lt;/script&gt; &amp; the backups." in section
    assert "<dt>Recommend?</dt><dd>3 of 10</dd>" in section
    assert "Called Dana &amp; fixed the &lt;b&gt;printer&lt;/b&gt; queue" in section
    assert "<script>" not in section and "detractor" not in section and "Sam" not in section  # nothing internal
    # and the client review, the page as Chromium prints it, shows the client's words beside what was done
    context = browser.new_context()
    try:
        with serve_folder(tmp_path / "out" / "dashboard") as base:
            shown = context.new_page()
            shown.goto(base + "clients/acme.html")
            shown.emulate_media(media="print")
            printed = shown.locator("body").inner_text()
    finally:
        context.close()
    assert "Client review" in printed and "You said — we did" in printed
    assert "Nobody called back about the <script>printer</script> & the backups." in printed
    assert "Called Dana & fixed the <b>printer</b> queue" in printed
    # the partial alone, as the client review includes it
    views = [{"date": today, "survey": "Review", "said": [("Improve?", "Too slow", True)], "done": "Sped it up",
              "closed": today}]
    alone = make_environment(None).get_template("_you_said_we_did.html").render(you_said=views)
    assert "Too slow" in alone and "Sped it up" in alone


def portfolio_for_sync(make_portfolio: Callable[..., Path]) -> Path:
    review = [
        {"response_id": "r1", "client": "acme", "submitted_at": "2026-11-20T10:00:00Z", "overall": "4", "recommend": "6"},
        {"response_id": "r2", "client": "bolt", "submitted_at": "2026-11-21T10:00:00Z", "overall": "2", "recommend": "8"},
        {"response_id": "r3", "client": "cove", "submitted_at": "2026-11-22T10:00:00Z", "overall": "5", "recommend": "10"},
        {"response_id": "r4", "client": "", "submitted_at": "2026-11-23T10:00:00Z", "overall": "1", "recommend": "0"},
        {"response_id": "r5", "client": "cove", "submitted_at": "2026-08-01T10:00:00Z", "overall": "1", "recommend": "2"},
    ]
    pulse = [
        {"response_id": "p1", "client": "cove", "submitted_at": "2026-11-28T09:00:00+01:00", "score": "4", "call": "Yes",
         "words": "Ring me about the new office"},
        {"response_id": "p2", "client": "bolt", "submitted_at": "2026-11-28T09:00:00Z", "score": "4", "call": "No"},
    ]
    return make_portfolio(clients=CLIENTS, surveys={"review": SURVEY, "pulse": CONTACT_SURVEY},
                          responses={"review": review, "pulse": pulse})


def test_sync_opens_one_followup_per_recent_unhappy_response_and_never_again(make_portfolio: Callable[..., Path]) -> None:
    data = portfolio_for_sync(make_portfolio)
    first = rapport("followup", "sync", "--data", data)
    assert first.exit_code == 0, first.output
    # r1 detractor, r2 low rating, p1 asked for a call; not r3 (happy), r4 (anonymous), r5 (older than 60 days), p2 (no)
    assert first.output == "opened 3 follow-ups (1, 2, 3) from 7 responses\n"
    rows = table(data)
    assert [(r["id"], r["client"], r["response"], r["reason"], r["opened"], r["due"]) for r in rows] == [
        ("1", "acme", "r1", "detractor: 6 of 10 (recommend)", "2026-11-20", "2026-11-24"),   # Friday + 2 working days
        ("2", "bolt", "r2", "low rating: 2 of 5 (overall)", "2026-11-21", "2026-11-25"),    # Saturday: from Monday
        ("3", "cove", "p1", "asked to be contacted (call)", "2026-11-28", "2026-12-02"),
    ]
    before = (data / "followups.csv").read_bytes()
    assert rapport("followup", "sync", "--data", data).output.startswith("no new follow-up")
    assert (data / "followups.csv").read_bytes() == before
    assert rapport("followup", "close", "2", "--note", "Visited", "--data", data).exit_code == 0
    assert rapport("followup", "sync", "--data", data).output.startswith("no new follow-up")
    assert [r["status"] for r in table(data)] == ["open", "closed", "open"]

    report = rapport("report", "--json", "--data", data)
    assert '"followups": {"open": 2, "overdue": 1}' in report.output  # on 2026-11-30 only r1's (due 11-24) is late
    overdue = rapport("followup", "list", "--overdue", "--data", data)
    assert re.findall(r"^(\d+)  ", overdue.output, re.M) == ["1"] and "overdue 6 d" in overdue.output
    every = rapport("followup", "list", "--all", "--data", data)
    assert re.findall(r"^(\d+)  ", every.output, re.M) == ["1", "3", "2"]


def test_an_unknown_id_is_named_and_exits_1(make_portfolio: Callable[..., Path]) -> None:
    data = portfolio_for_sync(make_portfolio)
    missing = rapport("followup", "close", "7", "--note", "x", "--data", data)
    assert missing.exit_code == 1
    assert missing.output == (f"error: no follow-up '7': {data}/followups.csv does not exist yet (follow-ups open when "
                              "an unhappy answer arrives, or with `rapport followup sync`)\n")
    rapport("followup", "sync", "--data", data)
    wrong = rapport("followup", "assign", "12", "Alex", "--data", data)
    assert wrong.exit_code == 1
    assert wrong.output == (f"error: no follow-up '12' in {data}/followups.csv (it holds ids 1 to 3; "
                            "`rapport followup list --all` lists them)\n")
    assigned = rapport("followup", "assign", "3", "Alex", "--data", data)
    assert assigned.output == "follow-up 3 (cove) is now Alex's\n"
    assert table(data)[2]["owner"] == "Alex"


def test_a_broken_followups_file_is_reported_by_file_line_and_field(make_portfolio: Callable[..., Path]) -> None:
    data = portfolio_for_sync(make_portfolio)
    (data / "followups.csv").write_text(
        HEADER + "\n"
        "1,acme,review,r1,why,2026-11-20,2026-11-24,,open,,\n"
        "1,acme,review,r9,why,2026-11-20,2026-11-19,,done,,\n"
        "2,zeta,review,r1,why,2026-11-2,2026-11-24,,closed,,\n", encoding="utf-8")
    result = rapport("validate", "--data", data)
    assert result.exit_code == 1
    shown = f"{data}/followups.csv"
    for line in (f"{shown}:3: id: '1' is used twice (first on line 2)",
                 f"{shown}:3: response: 'r9' is not a response_id in responses/review.csv",
                 f"{shown}:3: due: 2026-11-19 is before opened 2026-11-20 (expected on or after it)",
                 f"{shown}:3: status: 'done' is not a status (expected open or closed)",
                 f"{shown}:4: client: 'zeta' is not a client id (expected an id from clients.yaml)",
                 f"{shown}:4: response: 'r1' has a follow-up already (line 2; expected one per response)",
                 f"{shown}:4: opened: '2026-11-2' is not a date (expected YYYY-MM-DD)",
                 f"{shown}:4: closed: is empty on a closed follow-up (expected the date it was closed, YYYY-MM-DD)"):
        assert line in result.output


def test_contact_request_belongs_on_a_choice_question(make_portfolio: Callable[..., Path]) -> None:
    rating = {"id": "overall", "type": "rating", "label": "Overall?", "contact_request": True}
    survey = {**SURVEY, "questions": [rating]}
    data = make_portfolio(surveys={"review": survey})
    result = rapport("validate", "--data", data)
    assert result.exit_code == 1
    assert ("questions[0].contact_request: only a choice question can ask to be contacted (expected type: choice "
            "with options such as [Yes, No], not rating)") in result.output


def test_concurrent_opening_and_closing_lose_no_row(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    open_followups(data, [NewFollowup("acme", "review", "first", "why", dt.date(2026, 11, 2))], Targets())
    errors: list[BaseException] = []

    def opener(number: int) -> None:
        try:
            for each in range(10):
                item = NewFollowup("acme", "review", f"t{number}-{each}", "why", dt.date(2026, 11, 2))
                open_followups(data, [item, item], Targets())  # the same response twice: one follow-up
        except BaseException as exc:
            errors.append(exc)

    def closer() -> None:
        try:
            for _ in range(10):
                close(data, "1", "Done", None, dt.date(2026, 11, 3))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=opener, args=(n,)) for n in range(4)] + [threading.Thread(target=closer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = table(data)
    assert len(rows) == 41
    assert sorted(int(r["id"]) for r in rows) == list(range(1, 42))
    assert len({r["response"] for r in rows}) == 41
    assert rows[0]["status"] == "closed" and all(r["status"] == "open" for r in rows[1:])


def test_the_overview_shows_followups_first_bounded_with_a_paged_full_list(
    make_portfolio: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    data = portfolio_for_sync(make_portfolio)
    site = (data / "site.yaml").read_text(encoding="utf-8") + "dashboards: {list_size: 2, page_size: 2}\n"
    (data / "site.yaml").write_text(site, encoding="utf-8")
    rapport("followup", "sync", "--data", data)
    build_site(data, tmp_path / "out")
    overview = (tmp_path / "out" / "dashboard" / "index.html").read_text(encoding="utf-8")
    start = overview.index('id="followups"')
    assert start < overview.index('id="kpis-title"') < overview.index('id="risk"')
    box = overview[start:overview.index("</section>", start)]
    assert "Follow-ups: 3 open, 2 overdue" in box
    assert re.findall(r'<th scope="row"><a href="clients/(\w+)\.html">', box) == ["acme", "bolt"]  # most urgent 2
    assert '<a href="lists/followups.html">See all 3 open follow-ups</a> (1 more than shown here)' in box
    assert "overdue 6 days" in box and "overdue 5 days" in box
    lists = tmp_path / "out" / "dashboard" / "lists"
    first = (lists / "followups.html").read_text(encoding="utf-8")
    second = (lists / "followups-2.html").read_text(encoding="utf-8")
    assert "Page 1 of 2" in first and "Cove Cafe" in second and "Cove Cafe" not in first


def test_a_closed_followup_rebuilds_its_client_page_exactly_as_a_plain_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    monkeypatch.delenv("RAPPORT_DASHBOARD_PASSPHRASE", raising=False)
    data, out, plain = tmp_path / "project" / "data", tmp_path / "project" / "output", tmp_path / "plain"
    write_demo(data, clients=14, seed=7)
    assert rapport("followup", "sync", "--data", data).exit_code == 0
    build_site(data, out, speed=Speed.on(1))
    [first] = [row for row in table(data) if row["id"] == "1"]
    page = out / "dashboard" / "clients" / f"{first['client']}.html"
    assert "We are following this up." in page.read_text(encoding="utf-8")
    assert rapport("followup", "close", "1", "--note", "Fixed for good", "--data", data).exit_code == 0
    build_site(data, out, speed=Speed.on(1))  # the client page is made again, not reused
    assert "Fixed for good" in page.read_text(encoding="utf-8")
    build_site(data, plain, speed=Speed.off())

    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
                if p.is_file() and p.name != ".manifest.json"}
    assert files(out) == files(plain)


def test_an_import_opens_followups_and_a_broken_followups_file_keeps_the_answers(
    make_portfolio: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    data = make_portfolio(site={"business": {"name": "Test IT"}}, clients=CLIENTS)
    today = dt.date.today()
    stamp = f"{today.isoformat()}T09:00:00+00:00"
    export = tmp_path / "typed-in.csv"
    export.write_text("response_id,client,submitted_at,overall,recommend,improve\n"
                      f"paper-1,bolt,{stamp},1,7,Printer still jams\n"
                      f"paper-2,cove,{stamp},5,10,\n", encoding="utf-8")
    result = rapport("import", export, "--source", "csv", "--survey", "review", "--data", data)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "opened follow-up 1 (`rapport followup list`)"
    assert [(r["client"], r["response"], r["reason"]) for r in table(data)] == [
        ("bolt", "paper-1", "low rating: 1 of 5 (overall)")]

    (data / "followups.csv").write_text("id;client\n", encoding="utf-8")  # a file someone broke by hand
    export.write_text(f"response_id,client,submitted_at,overall,recommend,improve\npaper-3,acme,{stamp},3,2,\n",
                      encoding="utf-8")
    broken = rapport("import", export, "--source", "csv", "--survey", "review", "--data", data)
    assert broken.exit_code == 0
    assert broken.stdout.strip() == "read 1, accepted 1, duplicates 0, quarantined 0"
    assert broken.stderr == (f"warning: no follow-up opened: {data}/followups.csv:1: header lacks id, client, survey, response, "
                             "reason, opened, due, owner, status, closed, note (expected id,client,survey,response,reason,"
                             "opened,due,owner,status,closed,note); the answers are stored, and `rapport followup sync` "
                             "opens their follow-ups once the file is fixed\n")
    assert "paper-3" in (data / "responses" / "review.csv").read_text(encoding="utf-8")
    assert (data / "followups.csv").read_text(encoding="utf-8") == "id;client\n"


def test_a_held_detractor_opens_its_followup_when_quarantine_retry_takes_it_in(
    make_portfolio: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    data = make_portfolio(site={"business": {"name": "Test IT"}})
    form = {"survey": "pulse", "token": survey_token(SECRET.encode(), "pulse", "acme"),
            "shown_at": str(int(time.time() * 1000) - 60_000), "website": "", "overall": "4", "recommend": "1"}
    with in_process(create_collector_app(CollectorConfig(data))) as http:
        assert http.post("/api/responses", data=form).status_code == 422  # no survey pulse yet: held
    assert not (data / "followups.csv").exists()
    (data / "surveys" / "pulse.yaml").write_text(yaml_text({**SURVEY, "id": "pulse"}), encoding="utf-8")
    retried = rapport("quarantine", "retry", "--data", data)
    assert retried.output == ("retried 1: accepted 1, already stored 0, still held 0\n"
                              "opened follow-up 1 (`rapport followup list`)\n")
    assert [(r["client"], r["survey"], r["reason"]) for r in table(data)] == [("acme", "pulse", "detractor: 1 of 10 (recommend)")]
