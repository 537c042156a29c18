"""Shared fixtures: tiny portfolios written into tmp_path, and the sample data folder."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.server
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.csv_text import csv_lines


def pytest_configure(config: pytest.Config) -> None:
    """Compiled templates are kept per user (generator/templates.py): the tests keep theirs apart. Every `rapport
    build` a test runs is made in its own process, as each test's figures and files are its own: the build
    server (generator/build_server/) has tests of its own (tests/test_build_server.py), which turn it on."""
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="rapport-tests-cache-")
    os.environ["RAPPORT_BUILD_SERVER"] = "off"


def pytest_unconfigure(config: pytest.Config) -> None:
    """The run's template cache and sample folder (see _sample_data) go with the run."""
    cache = os.environ.pop("XDG_CACHE_HOME", "")
    if Path(cache).name.startswith("rapport-tests-cache-"):
        shutil.rmtree(cache, ignore_errors=True)
    folder = os.environ.pop(SAMPLE_ENV, None)
    if folder and Path(folder).name == "data" and Path(folder).parent.name == "project":
        shutil.rmtree(Path(folder).parent.parent, ignore_errors=True)


REPO = Path(__file__).resolve().parent.parent
# The tests' sample: `rapport demo`'s portfolio, written once per run into a temporary folder
# (pytest_configure). Never data/: a consultant replaces it with their own practice.
SAMPLE_ENV = "RAPPORT_TESTS_SAMPLE"


def _sample_data() -> Path:
    """The run's sample folder, made on first use (this module may be imported under two names)."""
    known = os.environ.get(SAMPLE_ENV)
    if known:
        return Path(known)
    from generator.demo import write_demo

    folder = Path(tempfile.mkdtemp(prefix="rapport-tests-sample-")) / "project" / "data"
    write_demo(folder)  # no secret fingerprint: each test chooses its secret (RAPPORT_SECRET)
    os.environ[SAMPLE_ENV] = str(folder)
    return folder


SAMPLE_DATA = _sample_data()

SITE = {"business": {"name": "Test IT"}, "as_of": "2026-11-30"}
CLIENT = {
    "id": "acme", "name": "Acme Dental", "contact": {"name": "Dana Ruiz", "email": "dana@acme.example"},
    "pcs": 18, "servers": 1, "wan": False, "agreement": {"start": "2024-03-01", "term_months": 12, "monthly_fee": 1450},
}
SURVEY = {
    "id": "review", "title": "Review",
    "questions": [
        {"id": "overall", "type": "rating", "csat": True, "label": "Overall?", "required": True},
        {"id": "recommend", "type": "nps", "label": "Recommend?"},
        {"id": "visits", "type": "choice", "options": ["Too few", "About right", "Too many"], "label": "Visits"},
        {"id": "areas", "type": "multi", "options": ["Helpdesk", "Backups"], "label": "Areas"},
        {"id": "improve", "type": "text", "label": "Improve?"},
    ],
}
CONTACT_HEADER = ["date", "client", "kind", "staff", "minutes", "note"]


def csv_text(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """CSV text with `\n` line ends, exactly as the loaders expect."""
    return csv_lines([list(header), *(list(row) for row in rows)]).decode("utf-8")


def yaml_text(data: Any) -> str:
    """YAML that quotes every string YAML would otherwise reinterpret."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


class PortfolioWriter:
    """Writes a tiny portfolio; each part can be replaced with raw text or data."""

    def __init__(self, root: Path):
        self.root = root

    def write(
        self,
        site: Mapping[str, Any] | str | None = None,
        clients: list[Mapping[str, Any]] | str | None = None,
        contacts: list[list[Any]] | str | None = None,
        surveys: Mapping[str, Mapping[str, Any] | str] | None = None,
        responses: Mapping[str, str | list[Mapping[str, Any]]] | None = None,
        pages: Mapping[str, str] | None = None,
    ) -> Path:
        """Write the files and return the data folder."""
        root = self.root
        (root / "surveys").mkdir(parents=True, exist_ok=True)
        (root / "responses").mkdir(exist_ok=True)
        self._put("site.yaml", SITE if site is None else site)
        self._put("clients.yaml", [CLIENT] if clients is None else clients)
        if isinstance(contacts, str):
            (root / "contacts.csv").write_text(contacts, encoding="utf-8")
        else:
            (root / "contacts.csv").write_text(csv_text(CONTACT_HEADER, contacts or []), encoding="utf-8")
        for survey_id, survey in ({"review": SURVEY} if surveys is None else surveys).items():
            self._put(f"surveys/{survey_id}.yaml", survey)
        for survey_id, rows in (responses or {}).items():
            if isinstance(rows, str):
                text = rows
            else:
                survey = (surveys or {"review": SURVEY}).get(survey_id, SURVEY)
                question_ids = [q["id"] for q in survey["questions"]] if isinstance(survey, Mapping) else []
                header = ["response_id", "client", "submitted_at", *question_ids]
                text = csv_text(header, [[row.get(column, "") for column in header] for row in rows])
            (root / "responses" / f"{survey_id}.csv").write_text(text, encoding="utf-8")
        if pages:
            (root / "pages").mkdir(exist_ok=True)
            for slug, markdown in pages.items():
                (root / "pages" / f"{slug}.md").write_text(markdown, encoding="utf-8")
        return root

    def _put(self, name: str, content: Any) -> None:
        text = content if isinstance(content, str) else yaml_text(content)
        (self.root / name).write_text(text, encoding="utf-8")


def secret_env_fixture(secret: str) -> Any:
    """An autouse fixture for a test module: builds use site secret `secret` and no dashboard passphrase
    (`secret_env = secret_env_fixture(SECRET)` at the module's top level)."""

    @pytest.fixture(autouse=True)
    def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("RAPPORT_SECRET", secret)
        monkeypatch.delenv("RAPPORT_DASHBOARD_PASSPHRASE", raising=False)

    return secret_env


def demo_data_fixture(secret: str, clients: int, seed: int = 11) -> Any:
    """A fixture `data`: a demo portfolio of `clients` in tmp_path/project/data, built with site secret `secret`
    and no dashboard passphrase (`data = demo_data_fixture(SECRET, CLIENTS)` at a module's top level)."""

    @pytest.fixture
    def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        from generator.demo.sample import write_demo

        monkeypatch.setenv("RAPPORT_SECRET", secret)
        monkeypatch.delenv("RAPPORT_DASHBOARD_PASSPHRASE", raising=False)
        folder = tmp_path / "project" / "data"
        write_demo(folder, clients=clients, seed=seed)
        return folder

    return data


SAMPLE_SECRET = "sample-site-secret"


@pytest.fixture(scope="session")
def sample_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample data built once per test run (site secret SAMPLE_SECRET, no passphrase)."""
    from generator.build import build_site

    out = tmp_path_factory.mktemp("sample") / "output"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAPPORT_SECRET", SAMPLE_SECRET)
        patch.delenv("RAPPORT_DASHBOARD_PASSPHRASE", raising=False)
        build_site(SAMPLE_DATA, out)
    return out


# a day after every date the metric tests write: rows dated after today are refused (generator/load/timeline.py)
AFTER_THE_DATA = dt.datetime(2030, 12, 31, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def after_the_data() -> Iterator[None]:
    """The clock set to AFTER_THE_DATA for a module whose portfolios hold dates after the real today."""
    import time_machine

    with time_machine.travel(AFTER_THE_DATA, tick=False):
        yield


@pytest.fixture
def portfolio_writer(tmp_path: Path) -> PortfolioWriter:
    """A writer for a tiny portfolio under tmp_path/data."""
    return PortfolioWriter(tmp_path / "data")


@pytest.fixture
def make_portfolio(portfolio_writer: PortfolioWriter) -> Callable[..., Path]:
    """`make_portfolio(clients=[...], contacts=[...], ...)` → the data folder path."""
    return portfolio_writer.write


# ---------------------------------------------------------------- real browser and local server

CHROMIUM = Path(os.environ.get("RAPPORT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve a folder over HTTP on 127.0.0.1 (a free port) and yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; missing is a failure under CI=true, else a skip."""
    in_ci = os.environ.get("CI", "").lower() == "true"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if in_ci:
            pytest.fail("Playwright for Python is not installed (pip install -e '.[test]')")
        pytest.skip("Playwright for Python is not installed")
    if not CHROMIUM.exists():
        if in_ci:
            pytest.fail(f"{CHROMIUM} is missing: .ci/run must apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser page that records console errors and uncaught page errors."""
    context = browser.new_context()
    new_page = context.new_page()
    new_page.console_errors = []
    new_page.on("console", lambda message: message.type == "error" and new_page.console_errors.append(message.text))
    new_page.on("pageerror", lambda error: new_page.console_errors.append(str(error)))
    try:
        yield new_page
    finally:
        context.close()


class CapturedPosts(list):
    """Bodies (raw bytes) and content types of every POST a test server received."""


@contextlib.contextmanager
def serve_with_capture(folder: Path, post_path: str = "/api/responses", redirect: str = "/thanks/index.html") -> Iterator[tuple[str, CapturedPosts]]:
    """Serve a folder on 127.0.0.1 and record POSTs to post_path, answering 303 to redirect."""
    captured = CapturedPosts()
    arrived = threading.Condition()

    class Handler(_QuietHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if self.path != post_path:
                self.send_error(404)
                return
            with arrived:
                captured.append((self.headers.get("Content-Type", ""), body))
                arrived.notify_all()
            self.send_response(303)
            self.send_header("Location", redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()

    handler = functools.partial(Handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", captured
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
