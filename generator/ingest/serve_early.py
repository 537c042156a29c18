"""Early pages for `rapport serve`: the page of each client a save changed, made from that client's data alone.

A client page is a function of what every page shares (settings, surveys, report date,
templates, code) and of that client's own record, contacts, responses, invitations and
follow-ups (generator/render/plan.py, `ClientInputs`): no figure on it pools other clients.
So the same page can be made from a portfolio holding only that client, in a fraction of the
time the whole portfolio's metrics take. A process of its own (`EarlyMaker`, forked at the first
save and kept for the next ones) loads the data, finds the clients
whose data differ from the last build's (their digests, generator/speed/fingerprints.py), makes
their pages from a sub-portfolio and writes them into a folder the preview serves until the
build ends (generator/ingest/serve.py, which starts the build beside it at once: the build's load
stage runs in one process, so the maker takes a core that would idle). The full build
then writes the same bytes (tests/test_serve_early.py builds every client's page both ways);
should an early page ever differ, the preview says so and makes no more early pages.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import multiprocessing
import os
import pickle
import shutil
import signal
import time
from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import jinja2
import pandas as pd

from generator.charts import build_charts
from generator.errors import RapportError
from generator.files import OutputFile
from generator.keys import site_secret
from generator.load import load_portfolio
from generator.metrics import compute_reports
from generator.portfolio import Portfolio
from generator.render import ClientInputs, plan_pages
from generator.speed import changed_clients, last_client_digests
from generator.speed.cache import DiskMemo, Kept
from generator.speed.fingerprints import data_digests
from generator.templates import compiled_templates, make_environment
from generator.write import remove_abandoned, write_whole

READS = 3  # times the maker reads the data while a save is still being written
SOURCES = "sources"  # the file in the folder of early pages naming what they were made from
EARLY_AT_MOST = 3  # clients changed by one save (a new visit, a response): more is an import, left to the build
Digests = Mapping[str, bytes]  # client id → digest of its data


def early_folder(out_dir: Path, builder: int) -> Path:
    """Where the builder process `builder` puts its early pages (beside the output, like its staging folder)."""
    return out_dir.parent / f".{out_dir.name}.early-{builder}"


def sub_portfolio(portfolio: Portfolio, client_ids: Collection[str]) -> Portfolio:
    """The portfolio with only these clients: their records and every row of theirs, in file order."""
    ids = set(client_ids)
    hashes = dict(portfolio.row_hashes)

    def keep(frame: pd.DataFrame, name: str = "") -> pd.DataFrame:
        if "client" not in frame.columns:
            return frame
        mask = frame["client"].isin(ids).to_numpy()
        if name in hashes:
            hashes[name] = hashes[name][mask]
        return frame[mask].reset_index(drop=True)

    return dataclasses.replace(
        portfolio, clients=tuple(client for client in portfolio.clients if client.id in ids),
        contacts=keep(portfolio.contacts, "contacts"),
        responses={survey: keep(frame, f"responses/{survey}") for survey, frame in portfolio.responses.items()},
        scores=keep(portfolio.scores), invitations=keep(portfolio.invitations), followups=keep(portfolio.followups),
        row_hashes=hashes,
    )


def client_pages(portfolio: Portfolio, client_ids: Collection[str], environment: jinja2.Environment,
                 secret: bytes) -> list[OutputFile]:
    """The dashboard pages of these clients, made from a portfolio of them alone."""
    sub = sub_portfolio(portfolio, client_ids)
    # the KPI tiles' earlier quarter ends are the overview's, not a client page's: a third of the time, left out
    reports = compute_reports(sub, earlier=list)
    plan = plan_pages(sub, reports, build_charts(sub, reports), environment, secret)
    return [item for job in plan.jobs if isinstance(job.inputs, ClientInputs) and job.inputs.client_id in client_ids
            for item in job.make()]


class EarlyMaker:
    """A process of its own that makes the early pages of each save it is asked for, kept from one save to the next.

    It is forked once, by the builder at the first save (or again after it was stopped), and
    holds from then on its own copy of the memo's entries in memory (`Kept`). A fork at every
    save cost the builder's rebuild more than its pages: a process of hundreds of megabytes takes
    a page fault for each page it writes after a fork (a twentieth of a second at 1,000 clients).
    """

    def __init__(self, data_dir: Path, out_dir: Path, as_of: dt.date | None, templates_dir: Path | None,
                 sources: Callable[[], Hashable], kept: Kept | None = None):
        self.data_dir, self.out_dir, self.as_of, self.templates_dir = data_dir, out_dir.resolve(), as_of, templates_dir
        self.sources = sources  # what the watched files look like now (read again while a save is being written)
        self.kept = kept  # the builder's memo in memory, copied into the maker when it is forked: read there only
        self.pid = 0
        self.folder = early_folder(self.out_dir, os.getpid())
        self._asks: Connection | None = None
        self._replies: Connection | None = None
        self._asked = 0  # the number of the last request
        self._answered = 0  # the number of the last request the maker has answered

    def ask(self, before: Digests) -> EarlyPages | None:
        """Make the pages of the clients whose data differ from `before` (None when there is no last build to
        compare with, or no process to make them)."""
        if not before or (not self.pid and not self._start()):
            return None
        assert self._asks is not None
        shutil.rmtree(self.folder, ignore_errors=True)  # the last save's pages (its `finish` removed them already)
        self._asked += 1
        started, asked_at = time.monotonic(), time.time()
        try:
            self._asks.send_bytes(pickle.dumps((self._asked, before), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:  # the maker is gone: the build alone shows the page
            self.stop()
            return None
        return EarlyPages(self, self._asked, self.folder, started, asked_at)

    def start(self) -> None:
        """Fork the maker now, unless it runs (`ask` forks it otherwise, as a save waits for its pages)."""
        if not self.pid:
            self._start()

    def answered(self, number: int, seconds: float) -> bool:
        """Whether the maker has answered request `number`, waiting `seconds` at most for it."""
        deadline = time.monotonic() + seconds
        while self._answered < number and self._replies is not None:
            try:
                if not self._replies.poll(max(deadline - time.monotonic(), 0)):
                    return False
                self._answered = pickle.loads(self._replies.recv_bytes())
            except (EOFError, OSError):  # the maker is gone: it answers nothing any more
                self.stop()
        return self._answered >= number or self._replies is None

    def stop(self) -> None:
        """Stop the maker (at work on pages no longer needed, or gone); the next request forks another."""
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
        for end in (self._asks, self._replies):
            if end is not None:
                end.close()
        self.pid, self._asks, self._replies, self._answered = 0, None, None, self._asked

    def _start(self) -> bool:
        """Fork the maker (False when no process can be spared)."""
        remove_abandoned(self.out_dir, "early")
        context = multiprocessing.get_context("fork")
        asks, asked = context.Pipe(duplex=False)
        replies, reply = context.Pipe(duplex=False)
        try:
            pid = os.fork()
        except OSError:
            for end in (asks, asked, replies, reply):
                end.close()
            return False
        if pid == 0:  # the maker: make pages when asked, and leave without running any of the builder's exit handlers
            try:
                asked.close()
                replies.close()
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                self._serve(asks, reply)
            finally:
                os._exit(0)
        asks.close()
        reply.close()
        self.pid, self._asks, self._replies = pid, asked, replies
        return True

    def _serve(self, asks: Connection, reply: Connection) -> None:
        """The maker's loop (in the fork): make each request's pages, then say so; until the builder is gone."""
        while True:
            try:
                number, before = pickle.loads(asks.recv_bytes())
            except (EOFError, OSError):
                return
            _make(self.data_dir, self.as_of, self.templates_dir, before, self.sources, self.folder, self.kept)
            reply.send_bytes(pickle.dumps(number, protocol=pickle.HIGHEST_PROTOCOL))


@dataclass
class EarlyPages:
    """The early pages of one build, being made by an `EarlyMaker`; `finish` when the build is done."""

    maker: EarlyMaker
    number: int  # the request's
    folder: Path
    started: float = 0.0  # time.monotonic() when they were asked for
    asked_at: float = 0.0  # time.time() then, to compare with the time its last file was written
    alone: bool = False  # the maker was started for these pages only (`start`): stopped with them

    @classmethod
    def start(cls, data_dir: Path, out_dir: Path, as_of: dt.date | None, templates_dir: Path | None,
              before: Digests, sources: Callable[[], Hashable], kept: Kept | None = None) -> EarlyPages | None:
        """The early pages of one save, made by a maker of their own (None when there is no last build to compare with).

        `sources()` is what the watched files look like now: the maker reads the data again while
        they change under it (a save still being written), and marks its pages with what it read.
        `kept`: the memo's entries the builder holds in memory (generator/speed/cache.py), read by the fork.
        """
        early = EarlyMaker(data_dir, out_dir, as_of, templates_dir, sources, kept).ask(before)
        if early is not None:
            early.alone = True
        return early

    @property
    def pid(self) -> int:
        """The maker's process id (0 once it is stopped)."""
        return self.maker.pid

    def wait(self, seconds: float) -> float | None:
        """Wait until the maker is done with these pages, for `seconds` at most: the seconds it took to make them
        (`seconds` if it is still at work: at least that long), None when it made none."""
        if not self.maker.answered(self.number, seconds):
            return seconds
        return time.monotonic() - self.started if (self.folder / SOURCES).is_file() else None

    def took(self) -> float | None:
        """The seconds the maker took to make these pages (at least the time since they were asked for while it is
        still at work), None when it made none; before `finish`."""
        with contextlib.suppress(OSError):
            return max((self.folder / SOURCES).stat().st_mtime - self.asked_at, 0.0)  # written after every page
        return None if self.maker.answered(self.number, 0) else time.monotonic() - self.started

    def finish(self, out_dir: Path, built_from: Hashable | None) -> list[str]:
        """Stop the maker if it is still at work on them, remove their folder; the paths of early pages made from the
        same sources as the build (`built_from`: what its files looked like, None when it failed) that it made otherwise."""
        if self.alone or not self.maker.answered(self.number, 0):
            self.maker.stop()  # still at work after the whole build: its pages are not needed
        differ = []
        if built_from is not None and _read_text(self.folder / SOURCES) == _sources_digest(built_from):
            for page in sorted(self.folder.rglob("*.html")):
                path = page.relative_to(self.folder)
                with contextlib.suppress(OSError):
                    if page.read_bytes() != (out_dir / path).read_bytes():
                        differ.append(path.as_posix())
        shutil.rmtree(self.folder, ignore_errors=True)
        return differ


def _make(data_dir: Path, as_of: dt.date | None, templates_dir: Path | None, before: Digests,
          sources: Callable[[], Hashable], folder: Path, kept: Kept | None) -> None:
    """Load the data, and write the pages of the clients whose data changed (in the forked maker)."""
    try:
        for _ in range(READS):
            read_from = sources()
            # the memo is only read here: the build beside this process writes what it adds
            portfolio = load_portfolio(data_dir, as_of, DiskMemo.for_data(data_dir, kept))
            if sources() == read_from:
                break
        else:
            return  # still being written: the build shows it
        changed = changed_clients(before, data_digests(portfolio).clients, EARLY_AT_MOST)
        if not changed:
            return
        environment = make_environment(templates_dir)  # the templates as they are now, like the build's
        environment.bytecode_cache = compiled_templates()
        pages = client_pages(portfolio, changed, environment, site_secret(data_dir))
    except RapportError:  # the build beside reports it
        return
    for page in pages:
        target = folder / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_whole(target, page.content)  # the preview may be sending it
    (folder / SOURCES).write_text(_sources_digest(read_from), encoding="utf-8")  # outside dashboard/: not served


def _sources_digest(sources: Hashable) -> str:
    return hashlib.sha256(repr(sources).encode()).hexdigest()


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def last_digests(data_dir: Path, out_dir: Path, kept: Kept | None = None) -> Digests:
    """The per-client digests of the last build into out_dir, as the speed layer kept them (none if unknown)."""
    return last_client_digests(DiskMemo.for_data(data_dir, kept), out_dir)
