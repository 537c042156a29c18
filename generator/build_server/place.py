"""Where a build server listens, and which builds it may make: the standard library only, read by every `rapport build`.

A server serves the builds of one place: the same user, interpreter, package, working folder,
file-creation mask and environment as the command that started it. Its socket's name carries a
digest of all of these, so a command from elsewhere (another terminal's environment, another
checkout) finds no server, or its own. The sockets live in a folder only this user may enter.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import stat
import sys

SWITCH = "RAPPORT_BUILD_SERVER"  # "off" (or 0, no, false): every build in its own process, as before
IDLE = "RAPPORT_BUILD_SERVER_IDLE"  # seconds a server waits for the next build before it exits
IDLE_SECONDS = 600.0
MEMORY = "RAPPORT_BUILD_SERVER_MAX_MB"  # a server holding more than this after a build exits (default: a quarter of RAM)
OFF = {"0", "off", "no", "false"}
MOST_SERVERS = 3  # a user's servers at once: starting another stops the one least recently used
KEY_LENGTH = 20  # hexadecimal digits of a place's digest in its socket's name
# paths as strings: the command's side of a build imports as little as it can
PACKAGE = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
# Variables a shell or make sets anew for each command, which no build reads: a server serves commands that differ in
# them alone (each build is still given the command's whole environment: generator/build_server/server.py).
VOLATILE = {"_", "OLDPWD", "PWD", "SHLVL", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKE_TERMOUT", "MAKE_TERMERR",
            "MAKEOVERRIDES", "COLUMNS", "LINES", "WINDOWID", "TERM_SESSION_ID"}


def enabled(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Builds may go to a server: not turned off, and a system with what one needs (Unix sockets, peer credentials)."""
    return (environ.get(SWITCH, "").strip().lower() not in OFF and hasattr(socket, "AF_UNIX")
            and hasattr(socket, "SO_PEERCRED") and hasattr(socket, "send_fds") and hasattr(os, "getuid"))


def idle_seconds(environ: dict[str, str] | os._Environ[str] = os.environ) -> float:
    """How long a server waits for another build before it exits (IDLE, default 10 minutes)."""
    try:
        seconds = float(environ.get(IDLE, ""))
    except ValueError:
        return IDLE_SECONDS
    return seconds if seconds > 0 else IDLE_SECONDS


def memory_limit_bytes(environ: dict[str, str] | os._Environ[str] = os.environ) -> int:
    """The most memory a server may hold between builds (MEMORY, in MB; by default a quarter of this machine's)."""
    try:
        megabytes = float(environ.get(MEMORY, ""))
        if megabytes > 0:
            return int(megabytes * 1024 * 1024)
    except ValueError:
        pass
    return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 4


def private_folder() -> str | None:
    """The folder of this user's build servers, made if need be; None when none is theirs alone.

    Under $XDG_RUNTIME_DIR (a folder of the user's own, emptied at logout) when it is set and short enough for a
    socket's name (at most 107 bytes), else /tmp/rapport-<uid>: a folder someone else made there first, or anyone
    else may write, is never used.
    """
    uid = os.getuid()
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    folders = [os.path.join(runtime, "rapport")] if runtime and os.path.isabs(runtime) else []
    for folder in [*folders, f"/tmp/rapport-{uid}"]:
        if len(os.fsencode(socket_path(folder, "0" * KEY_LENGTH))) > 107:
            continue
        try:
            with contextlib.suppress(FileExistsError):
                os.mkdir(folder, 0o700)
            found = os.lstat(folder)
        except OSError:
            return None
        if not stat.S_ISDIR(found.st_mode) or found.st_uid != uid or found.st_mode & 0o077:
            return None
        return folder
    return None


def place_key(argv0: str = sys.executable) -> str:
    """A digest of what a build depends on besides its files: user, interpreter, package, working folder, mask,
    environment."""
    mask = os.umask(0)
    os.umask(mask)
    hasher = hashlib.sha256()
    for part in (str(os.getuid()), os.path.realpath(argv0), sys.version, PACKAGE, os.getcwd(), oct(mask)):
        hasher.update(part.encode("utf-8", "surrogateescape") + b"\0")
    for name in sorted(set(os.environ) - VOLATILE):
        hasher.update(f"{name}={os.environ[name]}\0".encode("utf-8", "surrogateescape"))
    return hasher.hexdigest()[:KEY_LENGTH]


def socket_path(folder: str, key: str) -> str:
    """The socket of the server of `key` in `folder`."""
    return os.path.join(folder, f"build-{key}.sock")


def beside(path: str, suffix: str) -> str:
    """The file named as the server's socket at `path`, with `suffix` for `.sock`: `.lock` (held while a command
    starts it), `.busy` (locked while it builds), `.log` (what it says itself)."""
    return path.removesuffix(".sock") + suffix


def peer_credentials(connection: socket.socket) -> tuple[int, int]:
    """(process id, user id) of the process at the other end of a Unix socket connection."""
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)  # struct ucred: pid, uid, gid
    return int.from_bytes(credentials[:4], sys.byteorder), int.from_bytes(credentials[4:8], sys.byteorder)


def listening_servers(folder: str) -> list[tuple[str, int]]:
    """(socket path, process id) of each server listening in `folder`, in the order of their names (a socket file
    with no server behind it is left for the next build there to remove)."""
    import glob

    found = []
    for path in sorted(glob.glob(os.path.join(glob.escape(folder), "build-*.sock"))):
        if (pid := listening_pid(path)) is not None:
            found.append((path, pid))
    return found


def listening_pid(path: str) -> int | None:
    """The process of the server listening at the socket `path`; None when none does."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(path)
        except OSError:
            return None
        return peer_credentials(probe)[0]
