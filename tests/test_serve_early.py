"""Early pages of `rapport serve`: a client page made from that client's data alone is byte for byte the full build's.

generator/ingest/serve_early.py shows the page of a client a save changed before the whole
portfolio is rebuilt; that is only right if the page pools no other client's data. These tests
build a varied demo portfolio (with invitations and follow-ups) and make every client's page
both ways.
"""

from __future__ import annotations

import csv
import io
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build import build_site
from generator.cli import cli
from generator.demo import write_demo
from generator.forks import can_fork
from generator.ingest.serve import Preview
from generator.ingest.serve_early import EARLY_AT_MOST, EarlyMaker, EarlyPages, client_pages, early_folder, last_digests
from generator.keys import site_secret
from generator.load import load_portfolio
from generator.speed import Speed, changed_clients
from generator.speed.cache import DiskMemo, Kept
from generator.speed.fingerprints import data_digests
from generator.templates import make_environment
from tests.conftest import secret_env_fixture

SECRET = "serve-early-test-secret"
CLIENTS = 40


secret_env = secret_env_fixture(SECRET)


def demo(folder: Path) -> list[str]:
    """A demo portfolio with invitations and follow-ups besides; its client ids in roster order."""
    write_demo(folder, clients=CLIENTS, seed=5)
    ids = [c.id for c in load_portfolio(folder).clients]
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    writer.writerow(["date", "client", "survey", "round", "channel", "kind"])
    for index, client in enumerate(ids[::3]):  # a third of the clients asked; some reminded
        writer.writerow(["2026-10-05", client, "annual-review", "2026-10", "email", "invite"])
        if index % 2:
            writer.writerow(["2026-10-20", client, "annual-review", "2026-10", "email", "reminder"])
    (folder / "invitations.csv").write_text(rows.getvalue(), encoding="utf-8")
    synced = CliRunner().invoke(cli, ["followup", "sync", "--data", str(folder)])
    assert synced.exit_code == 0, synced.output
    return ids


def save_visit(data: Path, client: str, day: str = "2026-11-30") -> None:
    """Append one on-site visit of the client to contacts.csv."""
    with (data / "contacts.csv").open("a", encoding="utf-8") as handle:
        handle.write(f"{day},{client},onsite,Test Visitor,45,\n")


def built_then_visited(tmp_path: Path) -> tuple[Path, Path, str]:
    """A 12-client demo built once, then one client's new visit saved: its data, output and the client."""
    data = tmp_path / "project" / "data"
    write_demo(data, clients=12, seed=3)
    out = tmp_path / "project" / "output"
    build_site(data, out)
    client = list(last_digests(data, out))[2]
    save_visit(data, client)
    return data, out, client


def test_every_client_page_made_from_that_client_alone_is_the_full_builds(tmp_path: Path) -> None:
    data = tmp_path / "project" / "data"
    ids = demo(data)
    assert (data / "followups.csv").is_file()
    out = tmp_path / "project" / "output"
    build_site(data, out, speed=Speed.off())
    portfolio = load_portfolio(data)
    environment, secret = make_environment(), site_secret(data)
    for client in ids:
        [page] = client_pages(portfolio, [client], environment, secret)
        assert page.path == f"dashboard/clients/{client}.html"
        assert page.content == (out / page.path).read_bytes(), client
    pair = client_pages(portfolio, [ids[-1], ids[0]], environment, secret)
    assert [(p.path, p.content) for p in pair] == [(p, (out / p).read_bytes()) for p in sorted(
        f"dashboard/clients/{c}.html" for c in (ids[0], ids[-1]))]


def test_the_clients_a_save_changed_are_found_from_the_last_builds_digests(tmp_path: Path) -> None:
    data = tmp_path / "project" / "data"
    write_demo(data, clients=12, seed=3)
    out = tmp_path / "project" / "output"
    assert last_digests(data, out) == {}, "no build yet"
    build_site(data, out)
    before = last_digests(data, out)
    assert before == data_digests(load_portfolio(data)).clients
    ids = list(before)
    save_visit(data, ids[4])
    save_visit(data, ids[1])
    assert changed_clients(before, data_digests(load_portfolio(data)).clients, EARLY_AT_MOST) == [ids[1], ids[4]]
    for client in ids[:EARLY_AT_MOST]:
        save_visit(data, client)
    assert changed_clients(before, data_digests(load_portfolio(data)).clients, EARLY_AT_MOST) == [], "an import: left to the build"


@pytest.mark.skipif(not can_fork(), reason="early pages are made by a fork (Linux)")
def test_early_pages_are_written_beside_the_output_and_a_page_the_build_made_otherwise_is_named(tmp_path: Path) -> None:
    data, out, client = built_then_visited(tmp_path)
    early = EarlyPages.start(data, out, None, None, last_digests(data, out), sources=lambda: "the files as they are")
    assert early is not None and early.folder == early_folder(out.resolve(), os.getpid())
    page = early.folder / "dashboard" / "clients" / f"{client}.html"
    deadline = time.monotonic() + 60
    while not page.is_file():
        assert time.monotonic() < deadline, "the early page was not written"
        time.sleep(0.01)
    assert early.wait(120) is not None
    assert sorted(path.relative_to(early.folder).as_posix() for path in early.folder.rglob("*") if path.is_file()) == [
        f"dashboard/clients/{client}.html", "sources"], "that client's page only, and what it was made from"
    build_site(data, out)
    assert page.read_bytes() == (out / "dashboard" / "clients" / f"{client}.html").read_bytes()
    (out / "dashboard" / "clients" / f"{client}.html").write_bytes(b"made otherwise")
    assert early.finish(out, built_from="the files as they are") == [f"dashboard/clients/{client}.html"]
    assert not early.folder.exists()


@pytest.mark.skipif(not can_fork(), reason="early pages are made by a fork (Linux)")
def test_early_pages_from_other_sources_than_the_builds_are_not_compared_and_none_while_a_save_is_written(
        tmp_path: Path) -> None:
    data, out, client = built_then_visited(tmp_path)
    early = EarlyPages.start(data, out, None, None, last_digests(data, out), sources=lambda: "as they are")
    assert early is not None
    assert early.wait(120) is not None
    (out / "dashboard" / "clients" / f"{client}.html").write_bytes(b"made from a later save")
    assert early.finish(out, built_from="as a later save left them") == [], "made from other files: not comparable"
    assert early.finish(out, built_from=None) == [], "the build failed"
    reads = iter(range(1000))
    writing = EarlyPages.start(data, out, None, None, last_digests(data, out), sources=lambda: next(reads))
    assert writing is not None
    assert writing.wait(120) is None
    assert not writing.folder.exists(), "the files changed at every read: no page"
    writing.finish(out, built_from=None)


def test_a_file_saved_while_a_build_reads_it_leaves_no_value_under_the_saved_bytes_key(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("date\n2026-11-01\n", encoding="utf-8")

    def read_then_saved() -> str:
        text = path.read_text(encoding="utf-8")
        path.write_text(text + "2026-11-30\n", encoding="utf-8")  # `rapport serve`: saved while the build reads it
        return text

    def never(kept: str, data: bytes, length: int) -> str | None:
        return None

    first_build = DiskMemo(tmp_path / "cache")
    assert first_build.load_grown("rows", [], path, read_then_saved, never, []) == "date\n2026-11-01\n"
    first_build.flush()
    next_build = DiskMemo(tmp_path / "cache")
    assert next_build.load_grown("rows", [], path, lambda: path.read_text(encoding="utf-8"), never, []) == \
        "date\n2026-11-01\n2026-11-30\n", "the saved file is read, not taken for the one read before"


@pytest.mark.skipif(not can_fork(), reason="early pages are made by a fork (Linux)")
def test_waiting_for_the_early_pages_gives_how_long_they_took_and_none_when_there_was_nothing_to_make(
        tmp_path: Path) -> None:
    data, out, client = built_then_visited(tmp_path)
    kept = Kept()  # what `rapport serve` holds in memory: the maker reads the memo from there
    early = EarlyPages.start(data, out, None, None, last_digests(data, out, kept), sources=lambda: "as they are", kept=kept)
    assert early is not None
    took = early.wait(120)
    assert took is not None and 0 < took < 120
    # what the preview records once its build is done: the time the last file was written, not the time it asks
    made = early.took()
    assert made is not None and 0 < made <= took + 0.05
    assert (early.folder / "dashboard" / "clients" / f"{client}.html").is_file()
    early.finish(out, built_from=None)
    build_site(data, out)  # the visit is built: no client differs from the last build any more
    nothing = EarlyPages.start(data, out, None, None, last_digests(data, out, kept), sources=lambda: "as they are", kept=kept)
    assert nothing is not None
    assert nothing.wait(120) is None, "exited without a page to make"
    assert nothing.took() is None
    assert not nothing.folder.exists()
    nothing.finish(out, built_from=None)


@pytest.mark.skipif(not can_fork(), reason="early pages are made by a fork (Linux)")
def test_one_maker_makes_the_early_pages_of_save_after_save_and_a_new_one_once_stopped(tmp_path: Path) -> None:
    data, out, client = built_then_visited(tmp_path)
    maker = EarlyMaker(data, out, None, None, sources=lambda: "as they are")
    first = maker.ask(last_digests(data, out))
    assert first is not None and first.wait(120) is not None
    pid = first.pid
    assert first.finish(out, built_from=None) == [] and maker.pid == pid, "done with its pages: kept for the next save"
    build_site(data, out)
    save_visit(data, client, day="2026-11-29")
    second = maker.ask(last_digests(data, out))
    assert second is not None and second.wait(120) is not None and second.pid == pid, "the same process"
    page = second.folder / "dashboard" / "clients" / f"{client}.html"
    build_site(data, out)
    assert page.read_bytes() == (out / "dashboard" / "clients" / f"{client}.html").read_bytes()
    assert second.finish(out, built_from="as they are") == []
    maker.stop()
    third = maker.ask(last_digests(data, out))
    assert third is not None and third.wait(120) is None and third.pid not in (0, pid), "another process: nothing changed"
    third.finish(out, built_from=None)
    maker.stop()


@pytest.mark.skipif(not can_fork(), reason="early pages are made by a fork (Linux)")
def test_a_maker_started_ahead_makes_the_next_saves_pages_in_the_same_process(tmp_path: Path) -> None:
    data, out, client = built_then_visited(tmp_path)
    maker = EarlyMaker(data, out, None, None, sources=lambda: "as they are")
    maker.start()
    pid = maker.pid
    maker.start()
    assert pid and maker.pid == pid, "forked once"
    early = maker.ask(last_digests(data, out))
    assert early is not None and early.wait(120) is not None and early.pid == pid
    assert (early.folder / "dashboard" / "clients" / f"{client}.html").is_file()
    early.finish(out, built_from=None)
    maker.stop()


@pytest.mark.skipif(not can_fork(), reason="early pages are made by a fork (Linux)")
def test_once_a_build_is_over_the_maker_is_stopped_when_its_pages_no_longer_pay_and_forked_when_they_pay_again(
        tmp_path: Path) -> None:
    data, out, _ = built_then_visited(tmp_path)
    preview = Preview(data, out, quiet=True)
    maker = preview._maker = EarlyMaker(data, out, None, None, sources=preview._signature)
    maker.start()
    preview._early_s, preview._to_pages_s = 0.2, 0.1  # the last rebuild reached its pages before the early pages were made
    assert preview.build_once().ok
    assert maker.pid == 0, "stopped after the build, not as the next save waits"
    preview._to_pages_s = 0.3  # and now after
    assert preview.build_once().ok
    assert maker.pid != 0, "forked after the build, not as the next save waits"
    maker.stop()
