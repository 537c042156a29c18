"""`rapport serve`: build, then serve the site and dashboards locally with the collector, rebuilding on change.

One local server: `output/public/` at `/`, `output/dashboard/` at `/dashboard/`, the
collector at `/api/responses`, and the state of the last build at `/api/build`. A watcher
(watchfiles) and every accepted response mark the site stale; a single builder rebuilds it
in a worker thread, so pages keep being served while it runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
import sys
import threading
import time
import traceback
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

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
from generator.templates import template_folders


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
        self._dirty: asyncio.Event | None = None

    def build_once(self) -> BuildState:
        """Build now (in this thread); a failure is recorded, not raised."""
        with self._build_lock:
            self.state.building = True
            started = time.perf_counter()
            try:
                result = build_site(self.data_dir, self.out_dir, as_of=self.as_of, templates_dir=self.templates_dir,
                                    progress=Progress(stages=3, enabled=False))
                self.state.ok, self.state.files, self.state.error = True, result.files, ""
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
            return self.state

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
        return JSONResponse(asdict(self.state), headers={"Cache-Control": "no-store"})

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        self._dirty = asyncio.Event()
        stop = asyncio.Event()
        tasks = [asyncio.create_task(self._builder()), asyncio.create_task(self._watcher(stop))]
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _builder(self) -> None:
        assert self._dirty is not None
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            await anyio.to_thread.run_sync(self.build_once)

    async def _watcher(self, stop: asyncio.Event) -> None:
        paths = [self.data_dir, *template_folders(self.templates_dir)]
        watch_filter = _SourceFilter(self.out_dir, self.data_dir)
        async for _ in awatch(*[p for p in paths if p.is_dir()], watch_filter=watch_filter, stop_event=stop,
                              debounce=300, step=50):
            self.request_build()

    def _say(self, text: str) -> None:
        if not self.quiet:
            click.echo(text, err=True)


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
