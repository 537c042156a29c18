"""`rapport serve` sends a page whole while a build replaces it or moves it from staging into the output."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount

from generator.ingest.serve_files import PreviewFiles
from tests.test_ingest_collector import running_server

# two versions of a page of different lengths, as a rebuild writes: a copy cut short or padded shows
VERSIONS = ("<p>last build</p>" + "a" * 300_000, "<p>this build</p>" + "b" * 200_000)
REQUESTS = 200


@contextlib.contextmanager
def replacing(target: Path, write: Callable[[int], None]) -> Iterator[None]:
    """Call `write(n)` for n = 0, 1, 2, … on a thread until the block ends."""
    stop = threading.Event()

    def run() -> None:
        number = 0
        while not stop.is_set():
            write(number)
            number += 1

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def put(path: Path, text: str) -> None:
    """Replace `path` by renaming a new file over it, as a build's write does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def fetch_all(base: str, path: str) -> list[httpx.Response]:
    """REQUESTS answers for `path`, each read to its end."""
    with httpx.Client(base_url=base, timeout=10) as http:
        return [http.get(path) for _ in range(REQUESTS)]


def test_a_page_replaced_while_it_is_sent_arrives_whole(tmp_path: Path) -> None:
    output = tmp_path / "output" / "dashboard"
    page = output / "clients" / "acme.html"
    put(page, VERSIONS[0])
    files = PreviewFiles(directory=output, html=True, check_dir=False)
    with (running_server(Starlette(routes=[Mount("/dashboard", files)])) as base,
          replacing(page, lambda number: put(page, VERSIONS[number % 2]))):
        answers = fetch_all(base, "/dashboard/clients/acme.html")
    assert {answer.status_code for answer in answers} == {200}
    assert {answer.text for answer in answers} <= set(VERSIONS)
    assert all(answer.headers["content-length"] == str(len(answer.content)) for answer in answers)


def test_a_staged_page_moved_into_the_output_while_it_is_asked_for_is_found_and_sent_whole(tmp_path: Path) -> None:
    output, staging = tmp_path / "output" / "dashboard", tmp_path / ".output.new-1-x" / "dashboard"
    page, staged = output / "clients" / "acme.html", staging / "clients" / "acme.html"
    put(page, VERSIONS[0])

    def stage_then_move(number: int) -> None:
        put(staged, VERSIONS[number % 2])
        os.replace(staged, page)  # the build's end: its file takes the last build's place

    files = PreviewFiles(directory=output, html=True, check_dir=False, staged=lambda: [staging])
    with running_server(Starlette(routes=[Mount("/dashboard", files)])) as base, replacing(page, stage_then_move):
        answers = fetch_all(base, "/dashboard/clients/acme.html")
    assert {answer.status_code for answer in answers} == {200}
    assert {answer.text for answer in answers} <= set(VERSIONS)


def test_a_whole_page_keeps_the_file_servers_validators_head_and_not_found_page(tmp_path: Path) -> None:
    output = tmp_path / "output" / "public"
    put(output / "index.html", "<p>home</p>")
    put(output / "404.html", "<p>no such page</p>")
    files = PreviewFiles(directory=output, html=True, check_dir=False)
    with running_server(Starlette(routes=[Mount("/", files)])) as base, httpx.Client(base_url=base) as http:
        home = http.get("/")
        assert (home.status_code, home.text, home.headers["content-type"]) == (200, "<p>home</p>", "text/html; charset=utf-8")
        assert home.headers["cache-control"] == "no-cache"
        assert "accept-ranges" not in home.headers, "the whole page is always sent"
        ranged = http.get("/", headers={"Range": "bytes=0-3"})
        assert (ranged.status_code, ranged.text) == (200, "<p>home</p>")
        assert http.get("/", headers={"If-None-Match": home.headers["etag"]}).status_code == 304
        head = http.head("/")
        assert (head.status_code, head.content, head.headers["content-length"]) == (200, b"", str(len("<p>home</p>")))
        missing = http.get("/no-such/")
        assert (missing.status_code, missing.text) == (404, "<p>no such page</p>")

