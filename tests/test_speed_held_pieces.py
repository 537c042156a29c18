"""Pieces of pages held between the builds of one process, as `rapport serve` builds (`Memo.hold`).

The client table's and links.csv's lines of each client (generator/render/exports.py `kept_lines`) are taken from
the last build only while what each is made from is as it was: the client's row and record, and for links.csv its
latest answers and the invitations sent; the invitation kit is made again only when its clients, texts or limits
change; an archive page's digest is taken again only for an equal page (`ValueInputs.exact`). After each change they
depend on, builds sharing a `Kept` give a clean build's bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any

import pytest

from generator.build import build_site
from generator.render import exports, links
from generator.render.dashboard_common import DashboardSite
from generator.speed import Speed
from generator.speed.cache import Kept
from generator.speed.fingerprints import PageInputs
from tests.conftest import demo_data_fixture
from tests.test_speed import SECRET, clean_build, new_response, pages_made, plain_build, site, tree
from tests.test_speed_list_inputs import small_pages

CLIENTS = 24

data = demo_data_fixture(SECRET, CLIENTS, seed=11)


def lines_made(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[list[str]]]:
    """The ids of the clients each build made lines for, per export: the others' were taken from the last build."""
    made: dict[str, list[list[str]]] = {"clients.csv": [], "links.csv": []}
    real = exports.kept_lines

    def spy(held: dict[str, Any], context: object, header: Sequence[str], items: Sequence[Any],
            key: Callable[[Any], Hashable], lines: Callable[[Sequence[Any]], list[list[str]]]) -> bytes:
        name = "links.csv" if header == links.LINKS_HEADER else "clients.csv"
        made[name].append([])

        def counted(chosen: Sequence[Any]) -> list[list[str]]:
            made[name][-1] += [item["id"] for item in chosen]
            return lines(chosen)

        return real(held, context, header, items, key, counted)

    monkeypatch.setattr(exports, "kept_lines", spy)
    monkeypatch.setattr(links, "kept_lines", spy)
    return made


def last_client(path: Path) -> str:
    """The client of the file's last row."""
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))[-1]["client"]


def test_a_new_response_makes_the_lines_of_its_client_again_and_takes_the_rest(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, kept = data.parent / "output", Kept()
    made = lines_made(monkeypatch)
    build_site(data, out, speed=Speed.on(kept=kept))
    assert len(made["clients.csv"][0]) == CLIENTS, "a first build makes every line"
    new_response(data)  # dated the report date: the client's latest answer, its row and its lines change
    client = last_client(data / "responses" / "annual-review.csv")
    build_site(data, out, speed=Speed.on(kept=kept))
    assert client in made["clients.csv"][1] and len(made["clients.csv"][1]) < CLIENTS
    assert made["links.csv"][1] in ([client], []), "its links, if it is active; no other client's"
    assert tree(out) == clean_build(data, tmp_path)
    assert site(out) == plain_build(data, tmp_path)


def test_an_invitation_sent_and_a_renamed_client_change_their_lines(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, kept = data.parent / "output", Kept()
    build_site(data, out, speed=Speed.on(kept=kept))
    made = lines_made(monkeypatch)
    client = next(csv.DictReader(io.StringIO((out / "dashboard" / "links.csv").read_text(encoding="utf-8-sig"))))["client_id"]
    (data / "invitations.csv").write_text("date,client,survey,round,channel,kind\n"
                                          f"2026-11-30,{client},annual-review,2026-11,email,invite\n", encoding="utf-8")
    build_site(data, out, speed=Speed.on(kept=kept))
    assert made["links.csv"][-1] == [client]
    rows = csv.DictReader(io.StringIO((out / "dashboard" / "links.csv").read_text(encoding="utf-8-sig")))
    assert [row["last_sent"] for row in rows if (row["client_id"], row["survey_id"]) == (client, "annual-review")] == [
        "2026-11-30"]
    assert tree(out) == clean_build(data, tmp_path)
    clients = data / "clients.yaml"
    text = clients.read_text(encoding="utf-8")
    clients.write_text(text.replace("\n  name: ", "\n  name: Renamed ", 1), encoding="utf-8")
    build_site(data, out, speed=Speed.on(kept=kept))
    assert len(made["clients.csv"][-1]) >= 1
    assert tree(out) == clean_build(data, tmp_path)
    assert site(out) == plain_build(data, tmp_path)


def test_the_invitation_kit_is_reused_until_its_texts_change(data: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    out, kept = data.parent / "output", Kept()
    build_site(data, out, speed=Speed.on(kept=kept))
    kit = (out / "dashboard" / "invitations.html").read_text(encoding="utf-8")
    assert "mailto:" in kit, "the demo has clients due, with e-mail addresses"
    made = pages_made(monkeypatch)
    new_response(data)
    client = last_client(data / "responses" / "annual-review.csv")
    build_site(data, out, speed=Speed.on(kept=kept))
    assert f"-{client}" not in kit + (out / "dashboard" / "invitations.html").read_text(encoding="utf-8")
    assert "invitations.html" not in made, "a response from a client who is not due leaves the kit as it was"
    (data / "texts").mkdir()
    (data / "texts" / "en.yaml").write_text('invitation:\n  closing: "Warm regards,"\n', encoding="utf-8")
    build_site(data, out, speed=Speed.on(kept=kept))
    assert "Warm%20regards%2C" in (out / "dashboard" / "invitations.html").read_text(encoding="utf-8")
    assert tree(out) == clean_build(data, tmp_path)
    assert site(out) == plain_build(data, tmp_path)


def test_a_clients_links_are_made_again_when_its_latest_answer_alone_changed(data: Path) -> None:
    values: list[object] = []
    build_site(data, data.parent / "output", keep=values)
    portfolio, charts, plan = values[0], values[2], values[3]  # as build_site keeps them: portfolio, reports, charts, plan

    def dashboard() -> DashboardSite:
        return DashboardSite(portfolio, charts, plan.environment, secret=SECRET.encode())

    held: dict[str, Any] = {}
    first = dashboard()
    links.render_links(first, first.secret, held, lambda row: row["id"])  # a key of the client alone: its row unchanged
    answered = first.cache["links.last_answers"]
    pair = next(pair for pair in answered if charts.data.by_id.get(pair[1], {}).get("active"))
    again = dashboard()
    again.cache["links.last_answers"] = {**answered, pair: answered[pair] + dt.timedelta(days=1)}
    made = links.render_links(again, again.secret, held, lambda row: row["id"])
    assert made.content == links.render_links(again, again.secret).content != links.render_links(first, first.secret).content


def test_an_archive_page_is_digested_again_only_when_it_changed(data: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    small_pages(data)  # five answers an archive page
    out, kept = data.parent / "output", Kept()
    build_site(data, out, speed=Speed.on(kept=kept))
    archives = sorted(path.name for path in (out / "dashboard" / "surveys" / "annual-review").glob("answers-archive-*.html"))
    assert len(archives) > 3
    digested: list[str] = []
    real = PageInputs.from_value

    def counted(self: PageInputs, path: str, value: object, clients: tuple[Any, ...] = ()) -> str:
        digested.append(path)
        return real(self, path, value, clients)

    monkeypatch.setattr(PageInputs, "from_value", counted)
    new_response(data)
    build_site(data, out, speed=Speed.on(kept=kept))
    assert not [path for path in digested if "answers-archive-1." in path], "the oldest answers: as they were"
    responses = data / "responses" / "annual-review.csv"
    old = "Responsive, patient, and you remember how our office works. Thank you!"
    assert old in responses.read_text(encoding="utf-8")  # the oldest written answer, on the first archive page
    responses.write_text(responses.read_text(encoding="utf-8").replace(old, "Patient and kind.", 1), encoding="utf-8")
    build_site(data, out, speed=Speed.on(kept=kept))
    assert "Patient and kind." in (out / "dashboard" / "surveys" / "annual-review" / "answers-archive-1.html").read_text(
        encoding="utf-8")
    assert tree(out) == clean_build(data, tmp_path)
    assert site(out) == plain_build(data, tmp_path)
