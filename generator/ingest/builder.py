"""The preview's builder: one process, forked when the preview starts, that makes every build it asks for.

`rapport serve` answers requests and watches files on threads, and a process with threads must
not fork, so a build run on one of its threads renders on one core. This process is forked
before those threads exist and holds nothing but a pipe: each build it makes may use both cores
(generator/speed/workers.py) as `rapport build` does, and it keeps what a fresh process pays
for on every build — the imports, the compiled templates. The build is the same function with
the same arguments, so the same bytes. It ends when the preview closes the pipe (or exits).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import signal
import traceback
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from generator.build import build_site
from generator.errors import DataError, RapportError
from generator.progress import Progress
from generator.speed.workers import can_fork


@dataclass(frozen=True)
class BuildRequest:
    """What to build, as `build_site` takes it."""

    data_dir: Path
    out_dir: Path
    as_of: dt.date | None
    templates_dir: Path | None


@dataclass(frozen=True)
class Outcome:
    """How a build went: `kind` is "ok", "data" (problems in the data), "error" (a RapportError) or "crash"."""

    kind: str
    files: int = 0
    seconds: float = 0.0
    message: str = ""  # the problems, one a line; the error; or the traceback
    problems: int = 0


def build(request: BuildRequest) -> Outcome:
    """Build once, here; every failure told as an Outcome, never raised."""
    try:
        result = build_site(request.data_dir, request.out_dir, as_of=request.as_of,
                            templates_dir=request.templates_dir, progress=Progress(stages=3, enabled=False))
    except DataError as exc:
        return Outcome("data", message="\n".join(str(p) for p in exc.problems), problems=len(exc.problems))
    except RapportError as exc:
        return Outcome("error", message=str(exc))
    except Exception:
        return Outcome("crash", message=traceback.format_exc())
    return Outcome("ok", result.files, result.seconds)


class Builder:
    """Builds in the builder process when it could be forked, else in the calling thread."""

    def __init__(self) -> None:
        self._connection: Connection | None = None
        self._stop: Callable[[], object] | None = None
        self.pid: int | None = None  # the builder process's, while there is one
        if can_fork():  # no thread yet: the fork holds only this one
            context = multiprocessing.get_context("fork")
            self._connection, theirs = context.Pipe()
            process = context.Process(target=_serve_builds, args=(theirs, self._connection),
                                      name="rapport-builder", daemon=True)
            process.start()
            theirs.close()
            self.pid = process.pid
            self._stop = weakref.finalize(self, _stop, self._connection, process)

    def build(self, request: BuildRequest) -> Outcome:
        """Build, in the builder process when it is there, else here (also from the day it went away)."""
        if self._connection is not None:
            try:
                self._connection.send(request)
                outcome: Outcome = self._connection.recv()
                return outcome
            except (EOFError, OSError):  # the process died (killed, out of memory): build here from now on
                self.close()
        return build(request)

    def close(self) -> None:
        """End the builder process (also done when the Builder is collected)."""
        self._connection, self.pid = None, None
        if self._stop is not None:
            self._stop()


def _stop(connection: Connection, process: multiprocessing.process.BaseProcess) -> None:
    """Close the pipe, which ends the builder process once its build is done; wait for it."""
    with contextlib.suppress(OSError):
        connection.close()
    process.join(timeout=30)
    if process.is_alive():
        process.kill()
        process.join()


def _serve_builds(connection: Connection, parents: Connection) -> None:
    """The builder process: one build per request until the pipe is closed."""
    parents.close()  # its copy of the other end: the pipe then ends when the preview closes it
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the preview, which then closes the pipe
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(build(request))
