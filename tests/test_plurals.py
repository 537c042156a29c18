"""Counts meet nouns in the singular for exactly one: "in 1 day", "overdue 1 day", "1 PC" (issue #17 review)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.build import build_site
from generator.cli import cli
from generator.plurals import plural, plural_noun
from generator.render.paging import pages as paged_pages
from generator.templates import make_environment
from tests.conftest import CLIENT

AS_OF = "2026-11-30"


def client(client_id: str, **changes: Any) -> dict[str, Any]:
    """A quarterly-surveyed client of the conftest shape, renewing far from the report date unless changed."""
    return {**CLIENT, "id": client_id, "name": f"Client {client_id.upper()}", "survey_cadence": "quarterly",
            "agreement": {"start": "2025-06-15", "term_months": 12, "monthly_fee": 900}, **changes}


def answered(client_id: str, day: str) -> dict[str, str]:
    return {"response_id": f"r-{client_id}", "client": client_id, "submitted_at": f"{day}T10:00:00Z",
            "overall": "5", "recommend": "10"}


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A portfolio on 2026-11-30 whose counts are 1, 0 and 2 days; built once for the module."""
    from tests.conftest import PortfolioWriter

    root = tmp_path_factory.mktemp("plurals")
    data = PortfolioWriter(root / "data").write(
        site={"business": {"name": "Test IT"}, "as_of": AS_OF},
        clients=[
            # renews tomorrow; one PC, one server
            client("one", pcs=1, servers=1, agreement={"start": "2024-12-01", "term_months": 12, "monthly_fee": 900}),
            client("due1"),   # last answer 2026-09-01: the next is due 2026-12-01, in 1 day
            client("late1"),  # last answer 2026-08-29: due 2026-11-29, overdue 1 day
            client("due0"),   # due 2026-11-30: in 0 days
            client("due2"),   # due 2026-12-02: in 2 days
        ],
        contacts=[["2025-07-01", cid, "onsite", "Sam", "60", ""] for cid in ("one", "due1", "late1", "due0", "due2")]
        + [["2026-11-29", "due1", "onsite", "Sam", "60", ""]],  # 1 day ago
        responses={"review": [answered("one", "2026-10-15"), answered("due1", "2026-09-01"),
                              answered("late1", "2026-08-29"), answered("due0", "2026-08-30"),
                              answered("due2", "2026-09-02")]},
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAPPORT_SECRET", "plurals-test-secret")
        patch.delenv("RAPPORT_DASHBOARD_PASSPHRASE", raising=False)
        build_site(data, root / "output")
    return root / "output" / "dashboard"


def text(page: Path) -> str:
    """The page's words: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")).split())


def test_plural_says_one_in_the_singular_and_every_other_count_in_the_plural() -> None:
    assert [plural(n, "day") for n in (0, 1, 2, -1)] == ["0 days", "1 day", "2 days", "-1 days"]
    assert plural(1, "reply", "replies") == "1 reply" and plural(3, "reply", "replies") == "3 replies"
    assert plural(1_000, "client", grouped=True) == "1,000 clients" and plural(1_000, "client") == "1000 clients"
    assert plural_noun(1, "PC") == "PC" and plural_noun(5, "PC") == "PCs"


def test_the_template_filter_is_the_same_helper() -> None:
    template = make_environment().from_string('{{ a | plural("day") }}; {{ b | plural("day") }}; {{ (-c) | plural("day") }}; '
                                              '<b>{{ b }}</b> {{ b | plural_noun("answer") }}')
    assert template.render(a=1, b=2, c=-1) == "1 day; 2 days; 1 day; <b>2</b> answers"


def test_the_overview_says_due_in_1_day_and_overdue_1_day(pages: Path) -> None:
    overview = text(pages / "index.html")
    assert "Client DUE1 2026-12-01 due in 1 day 2026-09-01" in overview
    assert "Client LATE1 2026-11-29 overdue 1 day 2026-08-29" in overview
    assert "Client DUE0 2026-11-30 due in 0 days 2026-08-30" in overview
    assert "Client DUE2 2026-12-02 due in 2 days 2026-09-02" in overview
    assert "Renewal 2026-12-01 (in 1 day)" in overview
    assert not re.search(r"\b1 days\b", overview)


def test_a_client_page_says_1_day_1_pc_and_1_server(pages: Path) -> None:
    one, due1 = text(pages / "clients" / "one.html"), text(pages / "clients" / "due1.html")
    assert "renewal 2026-12-01 (in 1 day)" in one
    assert "Next renewal 2026-12-01 (in 1 day)" in one
    assert "Size 1 PC, 1 server, no WAN" in one
    assert "Last contact 2026-11-29 (1 day ago)" in due1
    assert "Last on-site visit 2026-11-29 (1 day ago)" in due1
    assert "Next survey due 2026-12-01 (in 1 day)" in due1
    assert "Size 18 PCs, 1 server" in due1
    for page in (one, due1):
        assert not re.search(r"\b1 (days|PCs|servers)\b", page)


def test_the_invitation_kit_and_the_work_list_say_1_day(pages: Path) -> None:
    kit = text(pages / "invitations.html")
    assert "2026-12-01 in 1 day" in kit and "2026-11-29 overdue 1 day" in kit
    assert "2026-11-30 in 0 days" in kit and "2026-12-02 in 2 days" in kit
    assert "Client LATE1 : due 2026-11-29 , 1 day ago;" in kit  # a space where the link ends
    work_list = text(pages / "lists" / "surveys-due.html")  # the overview's list in full
    assert "Client DUE1 2026-12-01 due in 1 day" in work_list and "Client LATE1 2026-11-29 overdue 1 day" in work_list
    assert "Client DUE0 2026-11-30 due in 0 days" in work_list and "Client DUE2 2026-12-02 due in 2 days" in work_list
    for path in pages.rglob("*.html"):
        assert not re.search(r"\b1 days\b", text(path)), path


def test_the_report_and_demo_commands_count_in_words(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "--clients", "1", "--out", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    assert re.match(r"wrote 1 client, [\d,]+ contacts, \d+ surveys, [\d,]+ responses to ", result.output), result.output


def test_an_ideal_profile_of_one_server_says_1_server(make_portfolio: Callable[..., Path], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", "plurals-test-secret")
    monkeypatch.delenv("RAPPORT_DASHBOARD_PASSPHRASE", raising=False)
    data = make_portfolio(site={"business": {"name": "Test IT"}, "as_of": AS_OF,
                                "ideal_client": {"pcs": [10, 35], "servers": [1, 1], "wan": False}})
    build_site(data, tmp_path / "output")
    assert "Ideal: 10–35 PCs, 1 server, no WAN." in text(tmp_path / "output" / "dashboard" / "index.html")


def test_a_last_page_of_one_entry_says_entry_41() -> None:
    made = paged_pages(list(range(41)), 20, "lists/renewals.html")
    assert [(pager.first_entry, pager.last_entry) for pager, _ in made] == [(1, 20), (21, 40), (41, 41)]
    assert "<p>Page 3 of 3 · entry 41 of 41</p>" in made[-1][0].html("Renewals")
    assert "<p>Page 2 of 3 · entries 21–40 of 41</p>" in made[1][0].html("Renewals")
