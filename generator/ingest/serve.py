"""`rapport serve`: build, then serve the site and dashboards locally with the collector, rebuilding on change.

One local server: `output/public/` at `/`, `output/dashboard/` at `/dashboard/`, the
collector at `/api/responses`, and the state of the last build at `/api/build`. A watcher
(watchfiles) and every accepted response mark the site stale; a single builder rebuilds it
while pages keep being served. Changes that arrive while a build runs are one more build
after it, however many there were.

`rapport serve` builds in a process of its own, forked before the server starts any thread
(`BuilderProcess`): a build there may fork too (generator/speed/workers.py), so it renders on
both cores, as `rapport build` does, and keeps the last build's state warm in memory. The
build state travels through shared memory. Where forking is not safe, and in tests that drive
`Preview` directly, the builder is a thread of the server's process (one core).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import datetime as dt
import json
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

import anyio
import click
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from watchfiles import Change, DefaultFilter, awatch

from generator.build import build_site
from generator.errors import DataError, RapportError
from generator.ingest.append import LOCK_NAME, TEMP_SUFFIX
from generator.ingest.collector import ENDPOINT, CollectorConfig, collector_routes
from generator.ingest.guard import Guard, RateLimit, server_config
from generator.ingest.hosts import LoopbackHostOnly
from generator.load.held import QUARANTINE_FOLDER
from generator.progress import Progress
from generator.speed.workers import can_fork
from generator.templates import template_folders

Signature = tuple[str, tuple[tuple[str, int, int, int], ...]]
STATE_BYTES = 1 << 20  # the shared build state (its error text is cut to fit)
PARENT_CHECK_S = 1.0  # how often an idle builder process looks whether the server is still there


@dataclass
class BuildState:
    """The last build: a counter that grows with every attempt, and how it went."""

    generation: int = 0
    ok: bool | None = None
    building: bool = False
    files: int = 0
    seconds: float = 0.0
    error: str = ""


class PreviewFiles(StaticFiles):
    """Static files that may not exist yet (first build failed) and are never cached."""

    async def check_config(self) -> None:
        """A missing folder is a 404 until a build makes it, not a server error."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        """Every reload shows the latest build."""
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        return response


class SharedState:
    """A `BuildState` in memory shared by the builder process and the server process."""

    def __init__(self) -> None:
        self._buffer = multiprocessing.get_context("fork").Array(ctypes.c_char, STATE_BYTES)  # with its own lock

    def publish(self, state: BuildState) -> None:
        """Make `state` what the server reports."""
        fields = asdict(state)
        data = json.dumps(fields).encode()
        if len(data) >= STATE_BYTES:  # a traceback or a list of problems this long: its start says enough
            fields["error"] = fields["error"][:STATE_BYTES // 8] + "\n…"
            data = json.dumps(fields).encode()
        with self._buffer.get_lock():
            self._buffer.value = data

    def read(self) -> BuildState:
        """The state last published (generation 0 before any)."""
        with self._buffer.get_lock():
            data = self._buffer.value
        return BuildState(**json.loads(data)) if data else BuildState(building=True)


class Wake(Protocol):
    """What the builder waits on: set by the watcher and the collector, cleared by the builder."""

    def set(self) -> None:
        """Ask for a build."""

    def clear(self) -> None:
        """Take the request (just before building)."""


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
            signature = self._signature()  # before the build reads a file: a save from now on differs from it
            self._built_from = None
            try:
                result = build_site(self.data_dir, self.out_dir, as_of=self.as_of, templates_dir=self.templates_dir,
                                    progress=Progress(stages=3, enabled=False))
                self.state.ok, self.state.files, self.state.error = True, result.files, ""
                self._built_from = signature
                self._say(f"built {result.files:,} files in {result.seconds:.2f} s")
            except DataError as exc:
                self.state.ok, self.state.error = False, "\n".join(str(p) for p in exc.problems)
                self._say(f"{self.state.error}\nbuild failed: {len(exc.problems)} problem(s); still serving the previous build")
            except RapportError as exc:
                self.state.ok, self.state.error = False, str(exc)
                self._say(f"build failed: {exc}; still serving the previous build")
            except Exception:
                self.state.ok, self.state.error = False, traceback.format_exc()
                self._say(f"{self.state.error}build failed; still serving the previous build")
            finally:
                self.state.seconds = time.perf_counter() - started
                self.state.generation += 1
                self.state.building = False
                self._publish()
            return self.state

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

    def _signature(self) -> Signature:
        """What the watched sources look like now, and the report date."""
        folders = [self.data_dir, *template_folders(self.templates_dir)]
        return str(self.as_of or dt.date.today()), tuple(item for folder in folders for item in _stats(folder))

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
            Mount("/dashboard", PreviewFiles(directory=self.out_dir / "dashboard", html=True, check_dir=False)),
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
                              debounce=300, step=50):
            self.request_build()

    def _say(self, text: str) -> None:
        if not self.quiet:
            click.echo(text, err=True)


class BuilderProcess:
    """A forked process that builds the preview's site at once, then each time it is woken."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("fork")
        self.shared = SharedState()
        self.wake = self._context.Event()
        self._built = self._context.Event()
        self._process: multiprocessing.process.BaseProcess | None = None

    def start(self, preview: Preview) -> None:
        """Fork the builder (from a process with one thread: it may fork its own workers then)."""
        self._process = self._context.Process(target=self._serve_builds, args=(preview, os.getpid()),
                                              name="rapport-builder", daemon=True)
        self._process.start()

    def wait_built(self) -> BuildState:
        """The state once a build has finished since the process started."""
        while not self._built.wait(PARENT_CHECK_S):
            if not self._alive():
                raise RapportError("the preview's builder stopped before its first build")
        return self.state()

    def state(self) -> BuildState:
        """The last build's state; an error if the builder is gone (nothing rebuilds any more)."""
        state = self.shared.read()
        if not self._alive():
            state.ok, state.building = False, False
            state.error = "the builder stopped: restart `rapport serve` to rebuild"
        return state

    def stop(self) -> None:
        """Stop the builder: a build under way is cut short and leaves the output as it was."""
        if self._process is None:
            return
        self._process.terminate()
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    def _alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def _serve_builds(self, preview: Preview, server: int) -> None:
        """The builder's loop (in the fork): build, then wait to be woken, until the server is gone."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which then stops this process
        signal.signal(signal.SIGTERM, _leave)
        build = preview.build_once
        while True:
            self.wake.clear()  # a change from now on is one more build after this one, however many come
            build()
            self._built.set()
            build = preview.rebuild
            while not self.wake.wait(PARENT_CHECK_S):
                if os.getppid() != server:  # the server died without stopping this process
                    return


def _stats(folder: Path) -> Iterator[tuple[str, int, int, int]]:
    """(path, inode, size, modification time) of every file under folder, in a fixed order.

    A save rewrites a file (a new size or time) or replaces it (a new inode); a watcher event
    that comes after the build that already read the saved bytes finds them all the same.
    """
    for root, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            with contextlib.suppress(OSError):  # gone meanwhile: it is not in the signature
                status = os.stat(path)
                yield path, status.st_ino, status.st_size, status.st_mtime_ns


def _leave(signum: int, frame: FrameType | None) -> None:
    """SIGTERM in the builder: unwind, so that a build under way removes its staging folder."""
    raise SystemExit(0)


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
