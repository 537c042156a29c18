"""`rapport serve`: build, then serve the site and dashboards locally with the collector, rebuilding on change.

One local server: `output/public/` at `/`, `output/dashboard/` at `/dashboard/`, the
collector at `/api/responses`, and the state of the last build at `/api/build`. A watcher
(watchfiles) and every accepted response mark the site stale; a single builder rebuilds it
while pages keep being served. Changes that arrive while a build runs are one more build
after it, however many there were.

`rapport serve` builds in a process of its own (generator/ingest/serve_builder.py), so that
its builds render on both cores as `rapport build` does; where forking is not safe, and in
tests that drive `Preview` directly, the builder is a thread of the server's process (one
core). While a build runs, a dashboard page it has made already is served from its staging
folder, so the page being edited can show before the build ends; `/api/build` says `building` until every file is in place.
Before that, the page of each client a save changed is made from that client's data alone
(generator/ingest/serve_early.py, by a process kept from save to save) and served from a folder of its own — as long as that shows
it sooner than the build would: once a rebuild reaches its pages before the early pages took
to be made, the builder spends no process on them. The build does not wait for them: it
starts at once, beside the process making them.

The builder keeps the memo's entries in memory between builds (`Kept`,
generator/speed/cache.py), each taken from there only while its file on disk holds the same
writing of it: a rebuild unpickles only what a save changed, and nothing another process
wrote is missed; it writes the memo's new entries once a build has ended. A build starts
as soon as the watcher sees a save and checks, once it has made the figures and before it makes
a page, that the files were quiet as it read them (generator/ingest/serve_sources.py `settled`;
checked then, a warm rebuild's save is long enough ago not to be waited for): a save read half
written is built again once they are, rather than published and then built once more.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import socket
import sys
import threading
import time
import traceback
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict
from pathlib import Path

import anyio
import click
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from watchfiles import Change, DefaultFilter, awatch

from generator.build import BuildResult, build_site
from generator.errors import DataError, RapportError
from generator.forks import can_fork
from generator.ingest.append import LOCK_NAME, TEMP_SUFFIX
from generator.ingest.collector import ENDPOINT, CollectorConfig, collector_routes
from generator.ingest.guard import Guard, RateLimit, server_config
from generator.ingest.hosts import LoopbackHostOnly
from generator.ingest.serve_builder import BuilderProcess, BuildState, Wake
from generator.ingest.serve_early import EarlyMaker, EarlyPages, early_folder, last_digests
from generator.ingest.serve_files import PreviewFiles
from generator.ingest.serve_sources import Signature, data_changed, quiet, settled, sources
from generator.load.held import QUARANTINE_FOLDER
from generator.plurals import plural
from generator.progress import Progress
from generator.speed import Speed
from generator.speed.cache import Kept
from generator.templates import template_folders
from generator.write import staging_of

# the watcher reports a change once it looked twice this far apart (another write to the same file is no new change):
# a save's build starts 5-10 ms after it, and checks that the save was whole (`_build`); idle, 0.5 % of a core
WATCH_STEP_MS = 5
TO_PAGES = ("load", "metrics", "charts", "plan")  # a build's stages before it makes its first page


class Preview:
    """The preview server's state: what to build from, where to, and the last build."""

    def __init__(self, data_dir: Path, out_dir: Path, as_of: dt.date | None = None, templates_dir: Path | None = None,
                 quiet: bool = False):
        self.data_dir = data_dir
        self.out_dir = out_dir
        self.as_of = as_of
        self.templates_dir = templates_dir
        self.quiet = quiet
        self.state = BuildState()
        self._build_lock = threading.Lock()
        self._dirty: Wake | None = None
        self._builder_process: BuilderProcess | None = None
        self._built_from: Signature | None = None  # the sources as the last good build found them
        self._early = True  # make the changed clients' pages early (generator/ingest/serve_early.py)
        self._early_s: float | None = None  # how long the last early pages took to be made
        self._to_pages_s: float | None = None  # how long the last rebuild after a data save took to reach its pages
        self._settling_s = 0.0  # how long the last build, before its first page, waited for the files to be quiet
        self._kept = Kept(defer_writes=True)  # the memo's entries, in memory between builds
        self._maker: EarlyMaker | None = None  # the process making early pages, from the first save on

    def rebuild(self) -> BuildState:
        """Build again, unless no source changed since the last good build (a save's late watcher event)."""
        if self.state.ok and self._built_from == self._signature():
            return self.state
        return self.build_once()

    def build_once(self) -> BuildState:
        """Build now (in this thread); a failure is recorded, not raised."""
        with self._build_lock:
            self.state.building = True
            self._publish()
            started = time.perf_counter()
            # no wait for the files to be quiet first: the build checks, before its first page, that they were
            looked_at, signature = time.time(), self._signature()  # a save from now on differs from it
            last, self._built_from = self._built_from, None
            saved = last is not None and data_changed(last, signature, self.data_dir)
            # made beside the build, which starts at once: the build's first stage is one process, and
            # waiting for the early pages left a core idle for their time (a third of a warm rebuild)
            early = self._early_pages(signature) if saved else None
            keep: list[object] = []  # the build's values, freed once its end is published (0.03 s at 1,000 clients)
            try:
                result, signature = self._build(signature, looked_at, keep)
                self.state.ok, self.state.files, self.state.error = True, result.files, ""
                self._built_from = signature
                if saved:
                    # as when builds began once the files were quiet: that wait is no part of how soon it reached its pages
                    self._to_pages_s = sum(result.stages.get(stage, 0.0) for stage in TO_PAGES) - self._settling_s
                self._say(f"built {result.files:,} files in {result.seconds:.2f} s")
            except DataError as exc:
                self.state.ok, self.state.error = False, "\n".join(str(p) for p in exc.problems)
                self._say(f"{self.state.error}\nbuild failed: {plural(len(exc.problems), 'problem')}; still serving the previous build")
            except RapportError as exc:
                self.state.ok, self.state.error = False, str(exc)
                self._say(f"build failed: {exc}; still serving the previous build")
            except Exception:
                self.state.ok, self.state.error = False, traceback.format_exc()
                self._say(f"{self.state.error}build failed; still serving the previous build")
            finally:
                self.state.seconds, self.state.ended_at = time.perf_counter() - started, time.time()
                self.state.generation += 1
                self.state.building = False
                self._publish()
                if early is not None:
                    took = early.took()
                    self._early_s = took if took is not None else self._early_s
                    self._check_early(early, self._built_from)
            keep.clear()
            # once the build is seen to end (not when the builder is stopped): the memo's new entries, on disk
            self._kept.write_deferred()
            self._ready_maker()  # after the memo's entries are on disk: the fork's copy of them is read from then on
            return self.state

    def _build(self, signature: Signature, looked_at: float, keep: list[object]) -> tuple[BuildResult, Signature]:
        """The build, and the sources it was made from: those `signature` found at `looked_at`, or, should they not
        have been whole then (a save still being written), those found once they are quiet, built again."""
        def build(before_pages: Callable[[], None] | None) -> BuildResult:
            return build_site(self.data_dir, self.out_dir, as_of=self.as_of, templates_dir=self.templates_dir,
                              progress=Progress(stages=3, enabled=False), speed=Speed.on(kept=self._kept), keep=keep,
                              before_pages=before_pages)

        def whole() -> None:
            began = time.perf_counter()
            if not settled(signature, looked_at, self._signature):
                raise _Unsettled
            self._settling_s = time.perf_counter() - began

        self._settling_s = 0.0
        try:
            return build(whole), signature
        except _Unsettled:
            pass
        except Exception:
            if settled(signature, looked_at, self._signature):  # a failure of whole files: the build's own
                raise
        signature = quiet(self._signature)
        return build(None), signature

    def _early_pages(self, now: Signature) -> EarlyPages | None:
        """The early pages of the clients this build changes, made beside it: only in the forked builder, and
        only while they show sooner than the last rebuild after a save reached its own pages."""
        if not self._early or self._builder_process is None or not can_fork():
            return None
        if not self._early_pays():
            return None  # the build alone is as quick: its changed pages are made first (generator/speed/__init__.py)
        if self._maker is None:
            self._maker = EarlyMaker(self.data_dir, self.out_dir, self.as_of, self.templates_dir, self._signature, self._kept)
        return self._maker.ask(last_digests(self.data_dir, self.out_dir, self._kept))

    def _early_pays(self) -> bool:
        """Whether early pages showed sooner than the last rebuild after a save reached its own pages (or are untried)."""
        return self._early_s is None or self._to_pages_s is None or self._to_pages_s > self._early_s

    def _ready_maker(self) -> None:
        """After a build, not as a save waits (0.01-0.02 s): stop the early pages' maker or fork it again, as they pay."""
        if self._maker is None:
            return
        if not (self._early and self._early_pays()):
            self._maker.stop()
        else:
            self._maker.start()

    def _check_early(self, early: EarlyPages, built_from: Signature | None) -> None:
        """Remove the early pages; should the build have made any of them otherwise, make no more (and say so)."""
        differ = early.finish(self.out_dir, built_from)
        if differ:
            self._early = False
            if self._maker is not None:
                self._maker.stop()
            self._say(f"early pages turned off: the build made {', '.join(differ)} otherwise")

    def start_builder(self) -> bool:
        """Build from now on in a forked process of its own, at once (False where forking is not safe)."""
        if not can_fork():
            return False
        self._builder_process = process = BuilderProcess()
        self._dirty = process.wake
        process.start(self)  # after the lines above: the fork's copy of this object publishes its state
        return True

    def wait_first_build(self) -> BuildState:
        """The first build's state, once it is done (the builder process starts with it)."""
        assert self._builder_process is not None
        return self._builder_process.wait_built()

    def stop_builder(self) -> None:
        """Stop the builder process (a build it is running leaves the output as it was)."""
        if self._builder_process is not None:
            self._builder_process.stop()

    def current(self) -> BuildState:
        """The state of the last build, wherever it ran."""
        if self._builder_process is not None:
            return self._builder_process.state()
        return self.state

    def _staged_dashboards(self) -> list[Path]:
        """The dashboards a build under way has made so far (each written whole: generator/speed/output.py),
        then the early pages made beside it (generator/ingest/serve_early.py).

        The public site is served only as the last build left it: its pages are checked for
        leaks (generator/safety/) only once every page is made.
        """
        if not self.current().building:
            return []
        pid = self._builder_process.pid() if self._builder_process is not None else os.getpid()
        out_dir = self.out_dir.resolve()
        staging = staging_of(out_dir, pid)
        folders = [staging / "dashboard"] if staging is not None else []
        return [*folders, early_folder(out_dir, pid) / "dashboard"]

    def _signature(self) -> Signature:
        """What the watched sources look like now, and the report date."""
        folders = [self.data_dir, *template_folders(self.templates_dir)]
        return sources(folders, self.as_of or dt.date.today())

    def _publish(self) -> None:
        if self._builder_process is not None:
            self._builder_process.shared.publish(self.state)

    def request_build(self) -> None:
        """Mark the site stale (from the event loop: the watcher or the collector)."""
        if self._dirty is not None:
            self._dirty.set()

    def app(self) -> Starlette:
        """The one Starlette app: collector, build state, dashboards, public site; only for loopback Hosts."""
        routes = collector_routes(CollectorConfig(self.data_dir, thanks_url="/thanks/"), on_accept=self.request_build)
        routes += [
            Route("/api/build", self._build_status, methods=["GET"]),
            Mount("/dashboard", PreviewFiles(directory=self.out_dir / "dashboard", html=True, check_dir=False,
                                             staged=self._staged_dashboards)),
            Mount("/", PreviewFiles(directory=self.out_dir / "public", html=True, check_dir=False)),
        ]
        guard = Guard()
        return Starlette(routes=routes, lifespan=self._lifespan, middleware=[
            Middleware(LoopbackHostOnly), Middleware(RateLimit, paths=(ENDPOINT,), guard=guard)])

    async def _build_status(self, request: Request) -> JSONResponse:
        return JSONResponse(asdict(self.current()), headers={"Cache-Control": "no-store"})

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        tasks = [asyncio.create_task(self._watcher(stop))]
        if self._builder_process is None:
            self._dirty = asyncio.Event()
            tasks.append(asyncio.create_task(self._builder(self._dirty)))
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _builder(self, dirty: asyncio.Event) -> None:
        while True:
            await dirty.wait()
            dirty.clear()  # a change from now on is one more build after this one
            await anyio.to_thread.run_sync(self.rebuild)

    async def _watcher(self, stop: asyncio.Event) -> None:
        paths = [self.data_dir, *template_folders(self.templates_dir)]
        watch_filter = _SourceFilter(self.out_dir, self.data_dir)
        async for _ in awatch(*[p for p in paths if p.is_dir()], watch_filter=watch_filter, stop_event=stop,
                              debounce=300, step=WATCH_STEP_MS):
            self.request_build()

    def _say(self, text: str) -> None:
        if not self.quiet:
            click.echo(text, err=True)


class _Unsettled(Exception):
    """A build began while a save was still being written: it stops before its first page, to begin again."""


class _SourceFilter(DefaultFilter):
    """Changes that can change the site: not our lock, temporaries, quarantine or the output."""

    def __init__(self, out_dir: Path, data_dir: Path):
        super().__init__()
        self.out_dir = str(out_dir.resolve())
        self.quarantine = str((data_dir / QUARANTINE_FOLDER).resolve())

    def __call__(self, change: Change, path: str) -> bool:
        name = Path(path).name
        if name == LOCK_NAME or name.endswith(TEMP_SUFFIX):
            return False
        resolved = str(Path(path).resolve())
        if resolved.startswith((self.out_dir, self.quarantine)):
            return False
        return super().__call__(change, path)


def run_preview(data_dir: Path, out_dir: Path, host: str = "127.0.0.1", port: int = 8000,
                as_of: dt.date | None = None, templates_dir: Path | None = None) -> None:
    """Build once, print the URLs, then serve until Ctrl-C."""
    preview = Preview(data_dir, out_dir, as_of=as_of, templates_dir=templates_dir)
    try:
        # forked before the listening socket exists, so that only the server holds it
        if preview.start_builder():
            preview.wait_first_build()
        else:
            preview.build_once()
        listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((host, port))
        except OSError as exc:
            raise RapportError(f"cannot listen on {host}:{port} ({exc.strerror}); try another --port") from None
        bound = listener.getsockname()[1]
        base = f"http://{'[' + host + ']' if ':' in host else host}:{bound}"
        click.echo(f"public site:  {base}/\ndashboards:   {base}/dashboard/\ncollector:    {base}{ENDPOINT}\n"
                   f"rebuilding when {data_dir}/ or the templates change (Ctrl-C to stop)")
        sys.stdout.flush()
        server = uvicorn.Server(server_config(preview.app(), Guard()))
        server.run(sockets=[listener])
    finally:
        preview.stop_builder()
