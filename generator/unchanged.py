"""A build with nothing to do: the same data, code, templates, secret and day as the last build, and
its output untouched since, give the same bytes; so `rapport build` says so and stops.

It reads only the standard library, so the check costs the files' bytes and not the data
libraries' import (a second of the 1,000-client rebuild it saves). The key covers every file under
the data folder, the package (code, texts, catalogs), the templates searched, the library versions,
the site secret, the dashboards' passphrase and sealed key (`.rapport/`), the report
date (today, unless given) and the output folder; the output is
trusted only when each of its files still has the size and modification time the build left it
with (docs/architecture.md, "Speed").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.file_keys import file_key, file_size
from generator.keys import PASSPHRASE_ENV, key_file, passphrase_file

PACKAGE = Path(__file__).resolve().parent
BUILTIN_TEMPLATES = PACKAGE.parent / "site_templates"
LIBRARIES = ("jinja2", "markupsafe", "markdown", "nh3", "orjson", "pandas", "numpy", "pydantic", "pyyaml", "plotly", "babel")
RECORD = ".last-build.json"  # in the output folder, beside the speed layer's manifest
SKIPPED = {"__pycache__", ".rapport.lock"}  # caches and lock files: no input of any page
# a data file this large is digested on a thread (`build_key_meanwhile`): contacts.csv, 15 MB at 1,000 clients
DIGEST_ASIDE_FROM = 1_000_000  # bytes


def _add_tree(parts: list[bytes | Path], folder: Path, label: str, keyed: bool = False, aside: int | None = None) -> None:
    """Every file under `folder` (path and bytes), in a fixed order, added to the key's parts.

    `keyed`: each file by its `file_key` (a digest of its bytes), which the load stage then finds
    made (generator/file_keys.py) rather than reading and digesting the data files a second time.
    `aside`: a file of this many bytes or more is added as its path, to be digested on a thread (`build_key_meanwhile`).
    """
    if not folder.is_dir():
        parts.append(f"{label}: none\0".encode())
        return
    # paths as strings: pathlib's parsing of each was two thirds of the key's time (4 ms of a warm rebuild)
    start = len(str(folder).rstrip(os.sep)) + 1
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if name not in SKIPPED)
        for name in sorted(files):
            if name in SKIPPED or name.endswith(".pyc"):
                continue
            path = os.path.join(root, name)
            parts.append(f"{label}/{path[start:].replace(os.sep, '/')}\0".encode())
            if keyed:  # b"missing" when unreadable
                parts.append(Path(path) if aside is not None and file_size(path) >= aside else file_key(path))
                continue
            try:
                with open(path, "rb") as file:
                    parts.append(file.read())
            except OSError:
                parts.append(b"\0unreadable")


@functools.cache
def library_versions() -> str:
    """The installed version of each of LIBRARIES, one line each ('absent' when it is not installed)."""
    # The names of the metadata folders carry the versions: listing sys.path costs a millisecond,
    # where importlib.metadata parses each library's METADATA file (a tenth of a second for these).
    found: dict[str, str] = {}
    for folder in sys.path:
        with contextlib.suppress(OSError):
            for name in os.listdir(folder or "."):
                if name.endswith(".dist-info"):
                    project, _, version = name.removesuffix(".dist-info").partition("-")
                    found.setdefault(project.lower().replace("-", "_"), version)  # the first on sys.path is the one imported
    return "\n".join(f"{name} {found.get(name, 'absent')}" for name in LIBRARIES)


def build_key(data_dir: Path, out_dir: Path, as_of: dt.date | None, templates_dir: Path | None, secret: bytes) -> str:
    """A digest of everything a build's bytes depend on."""
    return build_key_meanwhile(data_dir, out_dir, as_of, templates_dir, secret)()


def build_key_meanwhile(data_dir: Path, out_dir: Path, as_of: dt.date | None, templates_dir: Path | None,
                        secret: bytes) -> Callable[[], str]:
    """`build_key`, given when called: every input read now, but the data files of DIGEST_ASIDE_FROM bytes or more,
    read and digested on a thread meanwhile. Call it before the build reads the data, and before anything forks
    (a fork is made only from a process with one thread: generator/forks.py `can_fork`)."""
    parts: list[bytes | Path] = [f"{sys.version}\0{out_dir.resolve()}\0{as_of or dt.date.today()}\0".encode()]
    parts.append(hashlib.sha256(secret).digest())
    # a passphrase set, changed or dropped encrypts the dashboards differently (generator/safety/passphrase.py)
    parts.append(hashlib.sha256(os.environ.get(PASSPHRASE_ENV, "").strip().encode()).digest())
    parts.append(f"{library_versions()}\0".encode())
    _add_tree(parts, data_dir, "data", keyed=True, aside=DIGEST_ASIDE_FROM)
    aside = [part for part in parts if isinstance(part, Path)]
    # a file's read and its digest leave the interpreter's lock free: the other core makes them, while this one
    # reads the rest and, on a first build, imports the data libraries (generator/cli.py)
    thread = threading.Thread(target=lambda: [file_key(path) for path in aside], daemon=True) if aside else None
    if thread is not None:
        thread.start()
    for path in (passphrase_file(data_dir), key_file(data_dir)):  # .rapport/'s other files: the secret, the memo
        parts.append(f"{path.name}\0".encode())
        parts.append(path.read_bytes() if path.is_file() else b"\0none")
    _add_tree(parts, PACKAGE, "package", keyed=True)  # the memo keys its values by the code the same way
    _add_tree(parts, templates_dir if templates_dir is not None else Path("site_templates"), "templates")
    _add_tree(parts, BUILTIN_TEMPLATES, "builtin")

    @functools.cache
    def key() -> str:
        if thread is not None:
            thread.join()
        hasher = hashlib.blake2b(digest_size=32)
        for part in parts:
            # made by the thread: file_key finds it kept, unless the file changed since (then it is read again, now)
            hasher.update(file_key(part) if isinstance(part, Path) else part)
        return hasher.hexdigest()

    return key


def _stamps(out_dir: Path) -> dict[str, list[int]]:
    """(size, modification time in ns) of every file in the output folder but the record itself."""
    found: dict[str, list[int]] = {}
    # strings, not Path objects: a build's thousand files, here at its end and in the no-change check, in a third of the time
    prefix = os.path.join(out_dir, "")
    for root, _, files in os.walk(prefix):
        for name in files:
            path = os.path.join(root, name)
            relative = path[len(prefix):].replace(os.sep, "/")
            if relative != RECORD:
                status = os.stat(path)
                found[relative] = [status.st_size, status.st_mtime_ns]
    return found


@dataclass(frozen=True)
class LastBuild:
    """What the last build made and said."""

    files: int
    notices: tuple[str, ...]


def last_build(out_dir: Path, key: Callable[[], str]) -> LastBuild | None:
    """The last build into `out_dir` when it had this key and its output is untouched, else None.

    The key is asked for only when there is such a build (a first build's is made while it imports: `build_key_meanwhile`).
    """
    try:
        text = (out_dir / RECORD).read_text(encoding="utf-8")
        # the key is the record's first field (`remember`): another key is told without parsing every file's stamps
        if not text.startswith(json.dumps({"key": key()})[:-1]):
            return None
        record = json.loads(text)
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("key") != key():
        return None
    try:
        untouched = record.get("stamps") == _stamps(out_dir)
    except OSError:  # a file went away while we looked
        return None
    return LastBuild(int(record.get("files", 0)), tuple(str(line) for line in record.get("notices", []))) if untouched else None


def remember(out_dir: Path, key: str, files: int, notices: tuple[str, ...]) -> None:
    """Record a finished build: its key, what it said, and its output as it left it."""
    record = {"key": key, "files": files, "notices": list(notices), "stamps": _stamps(out_dir)}
    temporary = out_dir / f"{RECORD}.tmp"
    temporary.write_text(json.dumps(record), encoding="utf-8")
    os.replace(temporary, out_dir / RECORD)


def forget(out_dir: Path) -> None:
    """Drop the record (before a build changes the output, so a build that fails half way is never trusted)."""
    with contextlib.suppress(FileNotFoundError):
        (out_dir / RECORD).unlink()
