"""The collector: form and JSON posts, every refusal quarantined, CORS, limits, and load on a real uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn

from generator.ingest import collector as collector_module
from generator.ingest.collector import CollectorConfig, create_collector_app
from generator.load import load_portfolio
from generator.tokens import survey_token
from tests.servers import serving

SECRET = "collector-test-secret"
T = TypeVar("T")
NOW_MS = lambda: int(time.time() * 1000)  # noqa: E731 - a tiny clock for the time trap


@pytest.fixture
def data(make_portfolio, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny portfolio (client acme, survey review) with a known secret and no fixed as_of."""
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    return make_portfolio(site={"business": {"name": "Test IT"}, "site": {"base_url": "https://me.github.io/rapport/"},
                                "forms": {"min_seconds": 3}})


def token(client: str = "acme", survey: str = "review") -> str:
    """The client's survey token under the test secret."""
    return survey_token(SECRET.encode(), survey, client)


def valid_form(**changes: Any) -> dict[str, Any]:
    """A complete, valid form post (shown a minute ago)."""
    form: dict[str, Any] = {"survey": "review", "token": token(), "shown_at": str(NOW_MS() - 60_000), "website": "",
                            "overall": "4", "recommend": "9", "visits": "About right", "areas": ["Helpdesk", "Backups"],
                            "improve": "More visits, please."}
    form.update(changes)
    return form


def rows(data: Path, survey: str = "review") -> list[dict[str, str]]:
    """The response file's rows as dicts."""
    path = data / "responses" / f"{survey}.csv"
    if not path.exists():
        return []
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


def quarantined(data: Path) -> list[dict[str, str]]:
    """Every quarantined record of every source."""
    found: list[dict[str, str]] = []
    for path in sorted((data / "quarantine").glob("*.csv")) if (data / "quarantine").is_dir() else []:
        found += list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))
    return found


@pytest.fixture
def client(data: Path) -> Iterator[httpx.Client]:
    """An HTTP client talking to the collector app in process."""
    with in_process(create_collector_app(CollectorConfig(data))) as http:
        yield http


def in_process(app: Any) -> httpx.Client:
    """A synchronous client for an ASGI app, without a server."""
    return httpx.Client(transport=_SyncASGI(app), base_url="http://testserver")


class _SyncASGI(httpx.BaseTransport):
    """httpx's ASGI transport is async only: run each request to completion on its own loop."""

    def __init__(self, app: Any):
        self.transport = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            response = await self.transport.handle_async_request(request)
            return httpx.Response(response.status_code, headers=response.headers, content=await response.aread())
        return run_async(send)


def run_async(factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine on a fresh event loop in its own thread.

    Playwright's sync API (the session-wide `browser` fixture) keeps an event loop running
    in the main thread once a browser test has run, so asyncio.run cannot be used there.
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(factory())
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_a_form_post_is_appended_and_answered_with_303_to_thanks(client: httpx.Client, data: Path) -> None:
    response = client.post("/api/responses", data=valid_form())
    assert response.status_code == 303
    assert response.headers["location"] == "https://me.github.io/rapport/thanks/"
    [row] = rows(data)
    assert row["client"] == "acme" and row["areas"] == "Helpdesk;Backups" and row["improve"] == "More visits, please."
    assert row["response_id"].startswith("collector-")
    frame = load_portfolio(data).responses["review"]
    assert frame["response_id"].tolist() == [row["response_id"]]


def test_a_json_post_is_answered_in_json(client: httpx.Client, data: Path) -> None:
    response = client.post("/api/responses", json={"survey": "review", "token": "", "overall": 5, "recommend": 10,
                                                   "areas": ["Backups"], "improve": "Gracias ✓"})
    assert response.status_code == 201
    body = response.json()
    assert body["ok"] is True and body["status"] == "accepted"
    [row] = rows(data)
    assert row["response_id"] == body["response_id"] and row["client"] == "" and row["improve"] == "Gracias ✓"


def test_get_records_nothing_and_answers_405(client: httpx.Client, data: Path) -> None:
    response = client.get("/api/responses", params={"survey": "review", "overall": "5"})
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]
    assert rows(data) == [] and quarantined(data) == []


@pytest.mark.parametrize(("changes", "reason"), [
    ({"website": "http://spam.example"}, "honeypot"),
    ({"_gotcha": "x"}, "honeypot"),
    ({"shown_at": "now"}, "too_fast"),
    ({"token": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, "unknown_token"),
    ({"recommend": "11"}, "out_of_range: recommend=11"),
    ({"overall": "four"}, "not_a_number: overall=four"),
    ({"visits": "Sometimes"}, "not_an_option: visits=Sometimes"),
    ({"survey": "reveiw"}, "unknown_survey"),
    ({"overall": ""}, "missing_required: overall"),
    ({"colour": "blue"}, "unknown_field: colour"),
    ({"improve": "nul \x00 byte"}, "control_character: improve"),
    ({"improve": "x" * 5001}, "too_long: improve"),
    ({"overall": ["4", "5"]}, "repeated_field: overall"),
])
def test_each_refusal_is_quarantined_with_its_reason(client: httpx.Client, data: Path, changes: dict, reason: str) -> None:
    form = valid_form(**changes)
    if form.get("shown_at") == "now":
        form["shown_at"] = str(NOW_MS())
    response = client.post("/api/responses", data=form)
    assert response.status_code == 422
    assert "not sent" in response.text
    assert rows(data) == []
    [entry] = quarantined(data)
    assert entry["reason"] == reason
    assert entry["source"] == "collector"
    assert json.loads(entry["record"])["survey"] == form["survey"]


@pytest.mark.parametrize(("changes", "detail"), [
    ({"colour": "blue"}, "colour matches no question of survey 'review'"),
    ({"colour": "blue", "shade": "dark"}, "colour, shade match no question of survey 'review'"),
])
def test_a_refusal_says_one_field_or_several_in_words(client: httpx.Client, data: Path, changes: dict, detail: str) -> None:
    assert client.post("/api/responses", data=valid_form(**changes)).status_code == 422
    [entry] = quarantined(data)
    assert entry["detail"].startswith(detail), entry["detail"]


def test_an_empty_form_is_refused(client: httpx.Client, data: Path) -> None:
    response = client.post("/api/responses", json={"survey": "review", "token": token()})
    assert response.status_code == 422 and response.json()["reason"] == "empty"


def test_without_javascript_there_is_no_time_check(client: httpx.Client, data: Path) -> None:
    assert client.post("/api/responses", data=valid_form(shown_at="")).status_code == 303
    assert len(rows(data)) == 1


def test_a_browser_clock_ahead_of_ours_is_not_mistaken_for_a_robot(client: httpx.Client, data: Path) -> None:
    assert client.post("/api/responses", data=valid_form(shown_at=str(NOW_MS() + 600_000))).status_code == 303


@pytest.mark.parametrize(("content", "content_type", "status", "reason"), [
    (b"{not json", "application/json", 400, "bad_request"),
    (b"[1, 2]", "application/json", 400, "bad_request"),
    (b'{"survey": true}', "application/json", 400, "bad_request"),
    (b'{"survey": "review", "improve": ' + b"[" * 30_000 + b"]" * 30_000 + b"}", "application/json", 400, "bad_request"),
    (b'{"survey": "review", "overall": ' + b"9" * 5_000 + b"}", "application/json", 400, "bad_request"),
    (b'{"survey": "review", "overall": "4", "overall": "1"}', "application/json", 400, "bad_request"),
    (b"survey=review&improve=%FF%FE", "application/x-www-form-urlencoded", 400, "bad_request"),
    (b"survey=review", "text/plain", 415, "unsupported_media_type"),
    (b"a" * 70_000, "application/x-www-form-urlencoded", 413, "too_large"),
])
def test_unreadable_requests_get_a_clear_error_and_are_kept(
    client: httpx.Client, data: Path, content: bytes, content_type: str, status: int, reason: str,
) -> None:
    response = client.post("/api/responses", content=content, headers={"content-type": content_type, "accept": "application/json"})
    assert response.status_code == status
    assert response.json()["reason"] == reason
    [entry] = quarantined(data)
    assert entry["reason"] == reason


def test_cors_headers_only_for_the_site_origin(client: httpx.Client) -> None:
    allowed = client.post("/api/responses", json={"survey": "review", "overall": 4}, headers={"origin": "https://me.github.io"})
    assert allowed.headers["access-control-allow-origin"] == "https://me.github.io"
    other = client.post("/api/responses", json={"survey": "review", "overall": 4}, headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = client.options("/api/responses", headers={"origin": "https://me.github.io",
                                                           "access-control-request-method": "POST"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-methods"] == "POST"
    assert "access-control-allow-origin" not in client.options("/api/responses", headers={"origin": "https://evil.example"}).headers


def test_a_failure_of_ours_is_503_never_500(client: httpx.Client, data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(collector_module, "ingest", broken)
    response = client.post("/api/responses", data=valid_form())
    assert response.status_code == 503
    assert "try again" in response.text


def test_the_thanks_url_can_be_configured_for_a_reverse_proxy(data: Path) -> None:
    app = create_collector_app(CollectorConfig(data, thanks_url="https://example.com/merci/"))
    with in_process(app) as http:
        assert http.post("/api/responses", data=valid_form()).headers["location"] == "https://example.com/merci/"


# ---------------------------------------------------------------- a real uvicorn under load


@contextlib.contextmanager
def running_server(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 (a free port) in a thread; yield its base URL."""
    with serving(uvicorn.Config(app, log_level="warning", lifespan="on")) as url:
        yield url


def test_200_concurrent_posts_make_exactly_200_rows_and_20_invalid_ones_are_quarantined(data: Path) -> None:
    valid = [valid_form(improve=f"answer {n}, \"quoted\"\nline two", recommend=str(n % 11),
                        token=token() if n % 2 else "") for n in range(200)]
    invalid = [valid_form(recommend="11", improve=f"bad {n}") for n in range(20)]
    posts = [("form", body) for body in valid] + [("form", body) for body in invalid]
    posts = [posts[i] for i in sorted(range(len(posts)), key=lambda i: (i * 7919) % len(posts))]  # interleave
    app = create_collector_app(CollectorConfig(data))
    with running_server(app) as base:
        started = time.perf_counter()
        statuses = run_async(lambda: _post_all(base, posts, tasks=8))
        elapsed = time.perf_counter() - started
    print(f"\n220 concurrent posts (200 valid) in {elapsed:.2f} s")
    assert sorted(statuses) == [303] * 200 + [422] * 20
    stored = rows(data)
    assert len(stored) == 200
    assert sorted(row["improve"] for row in stored) == sorted(body["improve"] for body in valid)
    assert len({row["response_id"] for row in stored}) == 200
    frame = load_portfolio(data).responses["review"]
    assert len(frame) == 200
    bad = quarantined(data)
    assert len(bad) == 20 and {entry["reason"] for entry in bad} == {"out_of_range: recommend=11"}
    assert not list((data / "responses").glob(".*")), "no temporary file is left behind"


async def _post_all(base: str, posts: list[tuple[str, dict]], tasks: int) -> list[int]:
    """Every post in flight at once, spread over `tasks` clients with their own connections."""
    groups = [posts[i::tasks] for i in range(tasks)]

    async def client_task(group: list[tuple[str, dict]]) -> list[int]:
        async with httpx.AsyncClient(base_url=base, timeout=120,
                                     limits=httpx.Limits(max_connections=len(group))) as http:
            responses = await asyncio.gather(*(http.post("/api/responses", data=body) for _, body in group))
        return [response.status_code for response in responses]

    results = await asyncio.gather(*(client_task(group) for group in groups))
    return [status for statuses in results for status in statuses]
