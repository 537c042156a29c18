"""Early pages for `rapport serve`: the page of each client a save changed, made from that client's data alone.

A client page is a function of what every page shares (settings, surveys, report date,
templates, code) and of that client's own record, contacts, responses, invitations and
follow-ups (generator/render/plan.py, `ClientInputs`): no figure on it pools other clients.
So the same page can be made from a portfolio holding only that client, in a fraction of the
time the whole portfolio's metrics take. A forked process loads the data, finds the clients
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
import os
import select
import shutil
import signal
import time
from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass
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


@dataclass
class EarlyPages:
    """A forked process making the early pages of one build; `finish` when the build is done."""

    pid: int
    folder: Path
    done: int  # a pipe's end that reads the end of file once the maker has exited
    started: float = 0.0  # time.monotonic() when it was forked
    forked_at: float = 0.0  # time.time() then, to compare with the time its last file was written

    @classmethod
    def start(cls, data_dir: Path, out_dir: Path, as_of: dt.date | None, templates_dir: Path | None,
              before: Digests, sources: Callable[[], Hashable], kept: Kept | None = None) -> EarlyPages | None:
        """Fork the maker of the early pages (None when there is no last build to compare with).

        `sources()` is what the watched files look like now: the maker reads the data again while
        they change under it (a save still being written), and marks its pages with what it read.
        `kept`: the memo's entries the builder holds in memory (generator/speed/cache.py), read by the fork.
        """
        if not before:
            return None
        folder = early_folder(out_dir.resolve(), os.getpid())
        remove_abandoned(out_dir.resolve(), "early")
        shutil.rmtree(folder, ignore_errors=True)
        done, exiting = os.pipe()
        started, forked_at = time.monotonic(), time.time()
        try:
            pid = os.fork()
        except OSError:  # no process to spare: the build alone shows the page
            os.close(done)
            os.close(exiting)
            return None
        if pid == 0:  # the maker: write the pages, and leave without running any of the builder's exit handlers
            status = 1
            try:
                os.close(done)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                _make(data_dir, as_of, templates_dir, before, sources, folder, kept)
                status = 0
            finally:
                os._exit(status)
        os.close(exiting)
        return cls(pid, folder, done, started, forked_at)

    def wait(self, seconds: float) -> float | None:
        """Wait until the maker has exited, for `seconds` at most: the seconds it took to make its pages
        (`seconds` if it is still at work: at least that long), None when it exited without making any."""
        if self.done < 0:
            return None
        if not select.select([self.done], [], [], seconds)[0]:
            return seconds
        return time.monotonic() - self.started if (self.folder / SOURCES).is_file() else None

    def took(self) -> float | None:
        """The seconds the maker took to make its pages (at least the time since it was forked while it is still
        at work), None when it exited without making any; before `finish`."""
        if self.done < 0:
            return None
        with contextlib.suppress(OSError):
            return max((self.folder / SOURCES).stat().st_mtime - self.forked_at, 0.0)  # written after every page
        running = not select.select([self.done], [], [], 0)[0]
        return time.monotonic() - self.started if running else None

    def finish(self, out_dir: Path, built_from: Hashable | None) -> list[str]:
        """Stop the maker, remove its folder; the paths of early pages made from the same sources as the
        build (`built_from`: what its files looked like, None when it failed) that it made otherwise."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)  # still at work after the whole build: its pages are not needed
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        if self.done >= 0:  # once: the number may be another file's afterwards
            os.close(self.done)
            self.done = -1
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
