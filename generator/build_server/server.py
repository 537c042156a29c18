"""The build server: makes each `rapport build` handed to it, its memo entries kept in memory between builds.

One build at a time, each as the command would make it in a process of its own: the command's
working folder, environment and standard streams (received over the socket), the same command
line read by the same `rapport` commands (generator/cli.py), the same exit status. What it keeps
between builds is what `rapport serve`'s builder keeps (generator/speed/cache.py `Kept`): values
taken only while their files on disk hold the same writing of them, so a build made meanwhile by
another process is never missed. It exits once idle for RAPPORT_BUILD_SERVER_IDLE seconds (10
minutes); as soon as a build finds the code it runs changed (the package, the built-in templates or
the installed libraries), the command then starting a new one; after a build that leaves it holding
more than RAPPORT_BUILD_SERVER_MAX_MB; and on SIGTERM (`rapport build-server stop`).
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import io
import json
import os
import signal
import socket
import sys
import traceback
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from generator.build_server.place import PACKAGE, beside, idle_seconds, memory_limit_bytes, peer_credentials

if TYPE_CHECKING:
    import click

    from generator.speed.cache import Kept

BUILTIN_TEMPLATES = os.path.join(os.path.dirname(PACKAGE), "site_templates")
HEADER = 4  # bytes of a request's length, before its JSON
# after a build, how long no other is asked for before the server tidies up (`_tidy`: a tenth of a second at 1,000
# clients, which a build asked for meanwhile would wait for)
QUIET_SECONDS = 1.0
RECEIVE_SECONDS = 10.0  # a command that connected sends its request at once: one that does not is let go
KEPT_FOLDERS = 2  # the data folders whose memo entries a server holds


def code_signature() -> list[tuple[str, int, int]]:
    """Each file of the package and the built-in templates, and each library folder on the import path: (path, time,
    size)."""
    found: list[tuple[str, int, int]] = []
    for top in (PACKAGE, BUILTIN_TEMPLATES):
        for root, folders, files in os.walk(top):
            folders[:] = sorted(name for name in folders if name != "__pycache__")
            for name in sorted(files):
                with contextlib.suppress(OSError):
                    found.append(_stamp(os.path.join(root, name)))
    for folder in sys.path:  # an installed, removed or upgraded library changes its folder (the working one never counts)
        if os.path.basename(folder) in ("site-packages", "dist-packages"):
            with contextlib.suppress(OSError):
                found.append(_stamp(folder))
    return found


def _stamp(path: str) -> tuple[str, int, int]:
    status = os.stat(path)
    return path, status.st_mtime_ns, status.st_size


class BuildServer:
    """Accepts the commands of one place (generator/build_server/place.py) on `listener`, one at a time."""

    def __init__(self, listener: socket.socket, path: Path):
        self.listener, self.path = listener, path
        self.inode = os.stat(path).st_ino  # the socket file is ours while it is this one
        self.code = code_signature()
        self.own_streams = [os.dup(fd) for fd in (0, 1, 2)]  # where the server's own output goes between builds
        self.building = False
        self.stopping = False
        # the memo's entries of the last data folders built, the latest last: written once each build is answered
        self.kept: dict[str, Kept] = {}
        self.busy = open(beside(str(path), ".busy"), "a")  # noqa: SIM115 - held open, and locked while a build runs

    def serve(self) -> None:
        """Make the builds asked for until idle for too long, or `stopping` (code changed, memory, SIGTERM)."""
        signal.signal(signal.SIGINT, self._interrupt)  # the command's Ctrl-C, sent on: it stops a build, not the server
        signal.signal(signal.SIGTERM, self._stop)  # `rapport build-server stop`
        untidy = False  # a build answered, its memo entries not yet written nor its garbage collected
        try:
            while not self.stopping:
                self.listener.settimeout(QUIET_SECONDS if untidy else idle_seconds())
                try:
                    connection, _ = self.listener.accept()
                except TimeoutError:
                    if not untidy:
                        return
                    self._tidy()
                    untidy = False
                    continue
                with connection:
                    untidy = self._take(connection) or untidy
        finally:
            self._leave()
            if untidy:
                self._write_kept()

    def _take(self, connection: socket.socket) -> bool:
        """Make the build one command asks for, and answer its status; whether it built (a command that only looked
        for a server, `rapport build-server status`, sends no request). Sets `stopping` once this server should stop."""
        if peer_credentials(connection)[1] != os.getuid():
            return False
        try:
            request, streams = _receive(connection)
        except (OSError, ValueError):
            return False
        try:
            with contextlib.suppress(OSError):
                os.utime(self.path)  # used now: a command making room for a new server stops the least recently used
            if code_signature() != self.code:
                self.stopping = True
                self._leave()  # no command reaches this server any more: they start a new one
                _answer(connection, {"stale": True})
                return False
            fcntl.flock(self.busy, fcntl.LOCK_EX)  # a command that finds it locked builds by itself (client.py)
            try:
                status = self._build(request, streams)
            finally:
                fcntl.flock(self.busy, fcntl.LOCK_UN)
        finally:
            for fd in streams:
                os.close(fd)
        # what a build of a very large portfolio leaves (850 MB at 10,000 clients) is given back rather than held
        if _resident_bytes() > memory_limit_bytes():
            self.stopping = True
            self._leave()  # before the answer: the command's next build finds no server, and starts one
        with contextlib.suppress(OSError):  # a command that went away (killed): its build is made all the same
            _answer(connection, {"exit": status})
        from generator import cli

        cli.answered()  # the output recorded, the build's values dropped (0.03 s at 1,000 clients), once it is answered
        return True

    def _build(self, request: dict[str, Any], streams: list[int]) -> int:
        """Run the command line as `rapport` would, in the command's folder, environment and streams: its exit status."""
        from generator import cli

        cli.serve_builds(self._kept_for)
        self.building = True
        try:
            os.environ.clear()
            os.environ.update(request["env"])
            for target, fd in enumerate(streams):
                os.dup2(fd, target)
            for stream in (sys.stdout, sys.stderr):
                if isinstance(stream, io.TextIOWrapper):  # line by line to a terminal, as a fresh process writes
                    stream.reconfigure(line_buffering=stream.isatty())
            os.chdir(request["cwd"])
            status = _run(cli.cli, request["argv"])
        except BaseException:  # a fresh process would print it and exit 1: this one goes on serving
            traceback.print_exc()
            status = 1
        finally:
            self.building = False
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(OSError, ValueError):
                    stream.flush()
            for target, fd in enumerate(self.own_streams):
                os.dup2(fd, target)
            os.chdir("/")
        return status

    def _tidy(self) -> None:
        """Once no build was asked for a moment: write the memo's new entries, collect the forks and the garbage."""
        from generator.forks import reap_all

        self._write_kept()
        reap_all()
        # The build froze what was alive as it began (cli.import_stages) so that its collections skip it: let go of
        # what has since become garbage, and freeze the rest for the next build.
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def _kept_for(self, data_dir: Path) -> Kept:
        """The memo's entries kept for `data_dir`: those of the last KEPT_FOLDERS folders built are held, the
        others let go (a server that builds one portfolio after another holds no more than two)."""
        from generator.speed.cache import Kept

        folder = os.path.realpath(data_dir)
        kept = self.kept.pop(folder, None) or Kept(defer_writes=True)
        self.kept[folder] = kept
        while len(self.kept) > KEPT_FOLDERS:
            self.kept.pop(next(iter(self.kept))).write_deferred()
        return kept

    def _write_kept(self) -> None:
        for kept in self.kept.values():
            kept.write_deferred()

    def _interrupt(self, signum: int, frame: FrameType | None) -> None:
        if self.building:
            raise KeyboardInterrupt

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        """Stop: a build under way as a Ctrl-C stops it (it writes nothing), then the server, once that is answered."""
        self.stopping = True
        if self.building:
            raise KeyboardInterrupt
        raise SystemExit(0)

    def _leave(self) -> None:
        """Stop listening; remove the socket file while it is still this server's (once: the socket closed, its
        number may be given to the next server's socket at the same path)."""
        if self.listener.fileno() == -1:
            return
        with contextlib.suppress(OSError):
            if os.stat(self.path).st_ino == self.inode:  # bound, the socket holds its file's number
                self.path.unlink()
        self.listener.close()
        self.busy.close()


def _run(command: click.Group, argv: list[str]) -> int:
    """The exit status of the command line, run as the console script runs it (click ends it with SystemExit)."""
    code: object = None
    try:
        command.main(args=argv, prog_name="rapport", standalone_mode=True)
    except SystemExit as leaving:
        code = leaving.code
    return code if isinstance(code, int) else (0 if code is None else 1)


def _resident_bytes() -> int:
    """This process's resident memory."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _receive(connection: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """The command's request and its three standard streams (as file descriptors of this process)."""
    connection.settimeout(RECEIVE_SECONDS)
    data, streams, _, _ = socket.recv_fds(connection, 1 << 16, 3)
    if len(streams) != 3:
        for fd in streams:
            os.close(fd)
        raise ValueError("a request without its three streams")
    try:
        length = int.from_bytes(data[:HEADER], "big")
        while len(data) < HEADER + length:
            more = connection.recv(1 << 16)
            if not more:
                raise ValueError("a request cut short")
            data += more
        request = json.loads(data[HEADER:HEADER + length])
        if not (isinstance(request.get("argv"), list) and request["argv"][:1] == ["build"]):
            raise ValueError("only `rapport build` is made here")
        connection.settimeout(None)
    except BaseException:
        for fd in streams:
            os.close(fd)
        raise
    return request, streams


def _answer(connection: socket.socket, answer: dict[str, Any]) -> None:
    connection.sendall(json.dumps(answer).encode() + b"\n")


def listen(path: Path) -> socket.socket:
    """A socket listening at `path`: made under another name, then renamed, so that a command connecting finds it
    listening or absent."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    making = path.with_name(f"{path.name}.{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        making.unlink()
    listener.bind(str(making))
    listener.listen(16)
    os.replace(making, path)
    return listener


def main(arguments: list[str]) -> None:
    """`SOCKET READY_FD`: listen at SOCKET, say so on READY_FD, then serve (started by generator/build_server/client.py)."""
    path, ready = Path(arguments[0]), int(arguments[1])
    gc.freeze()  # as the console script does (generator/cli.py `main`)
    server = BuildServer(listen(path), path)
    os.write(ready, b"1")
    os.close(ready)
    server.serve()
