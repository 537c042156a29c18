"""`rapport build`'s side: hand the build to this place's server, starting one if none listens; the standard library only.

The command sends its command line, working folder and environment, and its three standard
streams themselves (as file descriptors), so that the server's build writes to this terminal or
pipe directly; then it waits for the build's exit status and exits with it. A Ctrl-C is sent on
to the server, where it stops the build as it would stop a build made here. Whenever no server
can take the build (turned off, no private folder, a server that cannot start or stops before
answering), the command builds in its own process, as it always did.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
from types import FrameType

from generator.build_server.place import (
    MOST_SERVERS,
    beside,
    enabled,
    listening_servers,
    peer_credentials,
    place_key,
    private_folder,
    socket_path,
)


def build_with_server(argv: list[str]) -> int | None:
    """The exit status of `rapport <argv>` made by this place's server; None when it is to be made here."""
    if not enabled():
        return None
    folder = private_folder()
    if folder is None:
        return None
    path = socket_path(folder, place_key())
    for _ in range(2):  # a server that finds its code changed exits, and says so: a new one is started once
        connection = _connect(path) or _start(path)
        if connection is None or _busy(path):  # building for another command: this one builds by itself meanwhile
            if connection is not None:
                connection.close()
            return None
        with connection:
            answer = _hand_over(connection, argv)
        if answer is None:
            print("rapport: the build server stopped before the build ended; building here instead", file=sys.stderr)
            return None
        if "exit" in answer:
            return int(answer["exit"])
    return None


def _busy(path: str) -> bool:
    """The server at `path` is making a build (it holds its busy file locked while it does)."""
    import fcntl

    try:
        with open(beside(path, ".busy"), "rb") as busy:
            fcntl.flock(busy, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


def _connect(path: str) -> socket.socket | None:
    """A connection to the server listening at `path`, else None."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
    except OSError:
        connection.close()
        return None
    return connection


def _start(path: str) -> socket.socket | None:
    """Start a server at `path` (unless another command just did) and connect to it; None if it did not start.

    The server is a fork of this small process (a second interpreter would add its start to the first build),
    in a session of its own, so that this terminal's Ctrl-C reaches it only as this command sends it on.
    """
    import fcntl

    with open(beside(path, ".lock"), "a") as lock:  # one command starts it; the others wait, then connect
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (connection := _connect(path)) is not None:
            return connection
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # left by a server that is gone
        _make_room(path)
        ready, told = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(ready)
            os.close(told)
            return None
        if pid == 0:
            _become_server(path, told)
        os.close(told)
        with open(ready, "rb") as said:
            started = said.read(1) == b"1"  # nothing, once it exited without listening
        return _connect(path) if started else None


def _make_room(path: str) -> None:
    """Stop the servers least recently used (and not building) until fewer than MOST_SERVERS are left beside `path`.

    A server is one place's (its folder and environment): a user who builds from many places (a test harness, a
    script per portfolio) would otherwise have as many warm servers, each holding its memory for its idle time.
    """
    servers = []
    for other, pid in listening_servers(os.path.dirname(path)):
        with contextlib.suppress(OSError):
            if other != path:
                servers.append((os.stat(other).st_mtime, other, pid))  # each build touches its server's socket file
    servers.sort()
    while len(servers) >= MOST_SERVERS:
        _, other, pid = servers.pop(0)
        if not _busy(other):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)


def _become_server(path: str, told: int) -> None:
    """In the fork: leave the command's session, files and streams (its output to a log beside the socket), then
    serve."""
    status = 1
    try:
        os.setsid()
        os.chdir("/")  # it holds no folder busy; each build is made in its command's
        # every file the command had open but the pipe to it: the lock, and any pipe its caller left open to it (a
        # reader waiting for that pipe's end would otherwise wait as long as the server lives)
        os.closerange(3, told)
        os.closerange(told + 1, os.sysconf("SC_OPEN_MAX"))
        log = os.open(beside(path, ".log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        nothing = os.open(os.devnull, os.O_RDONLY)
        for source, target in ((nothing, 0), (log, 1), (log, 2)):
            os.dup2(source, target)
        os.close(log)
        os.close(nothing)
        from generator.build_server.server import main

        main([path, str(told)])
        status = 0
    except BaseException:  # written to the log; the command builds by itself
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(status)


def _hand_over(connection: socket.socket, argv: list[str]) -> dict[str, int | bool] | None:
    """Send the request and this process's streams; the server's answer (None if it went away without one)."""
    request = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}).encode("utf-8", "surrogateescape")
    message = len(request).to_bytes(4, "big") + request
    streams = _streams()
    try:
        sent = socket.send_fds(connection, [message], streams)
        connection.sendall(message[sent:])
    except OSError:
        return None
    finally:
        for fd in streams:
            if fd > 2:
                os.close(fd)
    server = peer_credentials(connection)[0]

    received: list[int] = []

    def interrupt(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        with contextlib.suppress(OSError):
            os.kill(server, signal.SIGINT)

    # Ctrl-C, and a closed terminal or a `kill` (that would end a build in its own process): the build stops, writing
    # nothing, and this command exits once the server says so
    previous = {number: signal.signal(number, interrupt) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = connection.recv(4096)
            if not chunk:
                return None
            reply += chunk
        answer = json.loads(reply)
    except (OSError, ValueError):
        return None
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if any(number != signal.SIGINT for number in received):  # ended by that signal, as a build in its own process is
        os.kill(os.getpid(), next(number for number in received if number != signal.SIGINT))
    return answer if isinstance(answer, dict) else None


def _streams() -> list[int]:
    """This process's standard input, output and error; /dev/null for one that is closed."""
    streams = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
            streams.append(fd)
        except OSError:
            streams.append(os.open(os.devnull, os.O_RDWR))
    return streams
