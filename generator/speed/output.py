"""Writing only what changed: the manifest of the last build, reuse of its files, staging by workers.

Each file's SHA-256 goes into a manifest, `.manifest.json` in the output folder, so the next
build knows which files are unchanged without reading them; an unchanged file is never
rewritten, so it keeps its modification time (rsync, gh-pages and editors see only real
changes). Changed and new files are first written into a staging folder beside the output
(by the process that made them, as it makes them: `OutputWriter.stage`); nothing in the output
is touched until every file is there. Then, either:

- few files changed (a rebuild after a new response or contact): each is moved into the output
  by a rename, files no longer built are deleted, and the manifest is written last. Until that
  last step the old manifest is gone, so a build that dies half way is followed by a full
  write, never trusted;
- many changed, or there is no usable previous output: the unchanged files are hard-linked
  into the staging folder, which then replaces the output with two renames (generator/write.py).

The manifest also keeps, per reusable file, the digest of what it was made from (`inputs`):
`Previous.reuse` hands back the last build's file when those are the same.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii as encode_string
from pathlib import Path

from generator.files import BuiltFile, KeptFile, OutputFile, StagedFile
from generator.write import WriteResult, new_staging, swap_in, write_whole

MANIFEST = ".manifest.json"
MANIFEST_VERSION = 2
# Above this share of changed files, a fresh tree swapped in whole is about as quick as moving
# files one by one, and it keeps the output consistent at every instant.
PATCH_AT_MOST = 0.25
Stamp = tuple[int, int]  # (size, modification time in ns) of a file as a build left it


class OutputWriter:
    """Stages a build's files beside out_dir, then puts them in place with `commit()`.

    `start(files)` stages files on a thread, so that writing overlaps other work of the build
    (the publish checks); `commit(more)` waits for it, stages `more` and commits.
    """

    def __init__(self, out_dir: Path, background: bool = False, previous: Previous | None = None):
        self.out_dir = Path(out_dir).resolve()
        self.background = background
        self.previous = previous if previous is not None and previous.out_dir == self.out_dir else Previous.read(self.out_dir)
        self.staging = new_staging(self.out_dir)
        self.manifest: dict[str, str] = {}
        self.inputs: dict[str, str] = {}
        self.changed: set[str] = set()   # staged: new, or different from the previous output
        self.unchanged: dict[str, BuiltFile] = {}  # the rest, kept in case the old file cannot be linked
        self.stamps: dict[str, Stamp] = {}  # of the reusable files, once committed (for Previous.reuse)
        self.manifest_digest = ""  # of the manifest committed
        self._made: set[Path] = {self.staging}
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def add(self, files: Iterable[BuiltFile]) -> None:
        """Record each file; stage it unless the previous output holds the same bytes."""
        for item in files:
            digest = item.sha256
            self.manifest[item.path] = digest
            if item.inputs:
                self.inputs[item.path] = item.inputs
            else:
                self.inputs.pop(item.path, None)
            if isinstance(item, StagedFile):  # written by its maker already
                self.unchanged.pop(item.path, None)
                self.changed.add(item.path)
                continue
            if self._unchanged(item):  # most files of a rebuild: no Path made for them (a thousand a build)
                if item.path in self.changed:  # staged earlier with other bytes: a later file replaced it
                    self.changed.discard(item.path)
                    (self.staging / item.path).unlink()
                self.unchanged[item.path] = item
                continue
            self.unchanged.pop(item.path, None)
            self._write(self.staging / item.path, item.content)
            self.changed.add(item.path)

    def stage(self, files: Iterable[BuiltFile]) -> list[BuiltFile]:
        """Write each changed file into the staging folder now, in this process; `add` records them later.

        A render worker calls this on the pages it makes, so that their bytes are written on its
        own core and never sent to the parent. Unchanged files are returned as they are (`add`
        links the old ones); the others as `StagedFile`s.
        """
        staged: list[BuiltFile] = []
        for item in files:
            if isinstance(item, StagedFile) or self._unchanged(item):
                staged.append(item)
                continue
            target = self.staging / item.path
            self._write(target, item.content)
            staged.append(StagedFile(item.path, item.sha256, target, item.inputs))
        return staged

    def _unchanged(self, item: BuiltFile) -> bool:
        """The previous output holds these very bytes at this path (a kept file was checked when it was taken)."""
        if self.previous.files.get(item.path) != item.sha256:
            return False
        return isinstance(item, KeptFile) or _same_size(self.out_dir / item.path, item.size)

    def _write(self, target: Path, content: bytes) -> None:
        if target.parent not in self._made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(target.parent)
        write_whole(target, content)  # `rapport serve` shows staged pages while a build runs

    def start(self, files: Iterable[BuiltFile]) -> None:
        """`add(files)` on a thread (file system calls release the interpreter lock)."""

        def run() -> None:
            try:
                self.add(files)
            except BaseException as exc:
                self._error = exc

        self._thread = threading.Thread(target=run, name="rapport-write", daemon=True)
        self._thread.start()

    def _join(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def commit(self, more: Iterable[BuiltFile] = ()) -> WriteResult:
        """Stage `more`, then put everything in place; the staging folder is gone afterwards."""
        self._join()
        self.add(more)
        removed = [path for path in self.previous.files if path not in self.manifest]
        record = self._manifest_bytes()
        self.manifest_digest = hashlib.sha256(record).hexdigest()
        if self._can_patch(removed):
            self._patch(removed, record)
        else:
            self._replace(record)
        return WriteResult(len(self.manifest), len(self.changed))

    def discard(self) -> None:
        """Give up: remove the staging folder, leave the output as it was."""
        with contextlib.suppress(BaseException):  # the caller is handling an error already
            self._join()
        shutil.rmtree(self.staging, ignore_errors=True)

    def _manifest_bytes(self) -> bytes:
        return manifest_bytes(self.manifest, self.inputs)

    def _can_patch(self, removed: list[str]) -> bool:
        """A previous output whose files are exactly its manifest's, and few changes."""
        if not self.previous.files or len(self.changed) + len(removed) > PATCH_AT_MOST * max(len(self.manifest), 1):
            return False
        try:
            return _files_under(str(self.out_dir)) == {*self.previous.files, MANIFEST}
        except OSError:  # a folder gone or unreadable: the output is not as the manifest says
            return False

    def _patch(self, removed: list[str], record: bytes) -> None:
        """Move the staged files into the output, delete the files no longer built, manifest last."""
        manifest = self.out_dir / MANIFEST
        if self.changed or removed:
            manifest.unlink()  # from here until the new one is written, the output is not to be trusted
        folders: set[Path] = set()
        for path in sorted(self.changed):
            target = self.out_dir / path
            if target.parent not in folders:  # a dozen changed files of a rebuild share a few folders
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            os.replace(self.staging / path, target)
        for path in removed:
            (self.out_dir / path).unlink(missing_ok=True)
            _remove_empty_folders((self.out_dir / path).parent, self.out_dir)
        # a file taken from the last build unread had the size and time recorded then, and stays untouched
        before = self.previous.stamps
        self._stamp(self.out_dir, {path: (before[path][0], before[path][1]) for path, item in self.unchanged.items()
                                   if isinstance(item, KeptFile) and path in before})
        if self.changed or removed or _read_bytes(manifest) != record:
            staged = self.staging / MANIFEST
            staged.write_bytes(record)
            os.replace(staged, manifest)
        self._remove_staging()

    def _remove_staging(self) -> None:
        """Remove the staging folder, its files moved out: the folders this process made, deepest first (no listing
        of each), then whatever a worker left there."""
        made = {folder for each in self._made for folder in (each, *each.parents) if folder.is_relative_to(self.staging)}
        for folder in sorted(made, key=lambda folder: len(folder.parts), reverse=True):
            with contextlib.suppress(OSError):  # not empty: a worker's folder inside, or a file not moved
                os.rmdir(folder)
        if self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)

    def _replace(self, record: bytes) -> None:
        """Complete the staging folder with the unchanged files, then swap it in."""
        for path, item in self.unchanged.items():
            target = self.staging / path
            if target.parent not in self._made:
                target.parent.mkdir(parents=True, exist_ok=True)
                self._made.add(target.parent)
            try:
                os.link(self.out_dir / path, target)
            except OSError:  # gone since, or a file system without hard links: write it after all
                target.write_bytes(item.content)
                self.changed.add(path)
        (self.staging / MANIFEST).write_bytes(record)
        self._stamp(self.staging)  # the same files (moved, or linked), so the same sizes and times
        swap_in(self.staging, self.out_dir, self.background)

    def _stamp(self, folder: Path, known: dict[str, Stamp] | None = None) -> None:
        """Record the size and modification time of each reusable file in `folder` (`known`: of those already known)."""
        self.stamps = {}
        root = str(folder)  # joined as text: a Path per file costs more than the stat (1,000s of files)
        for path in self.inputs:
            found_before = known.get(path) if known else None
            if found_before is not None:
                self.stamps[path] = found_before
                continue
            with contextlib.suppress(OSError):
                found = os.stat(os.path.join(root, path))
                self.stamps[path] = (found.st_size, found.st_mtime_ns)


@dataclass(frozen=True)
class Previous:
    """What the last build left in an output folder, from its manifest."""

    out_dir: Path
    files: dict[str, str]   # path → sha256
    inputs: dict[str, str]  # path → digest of what the file was made from (for the files that have one)
    digest: str = ""        # of the manifest's bytes: what `stamps` were recorded with
    stamps: dict[str, Stamp] = field(default_factory=dict)  # path → (size, mtime) as the last build left it
    _index: dict[str, dict[str, list[str]]] = field(default_factory=dict, init=False, compare=False, repr=False)

    @classmethod
    def read(cls, out_dir: Path) -> Previous:
        """The manifest of out_dir; empty when there is none or it is unreadable."""
        out_dir = Path(out_dir).resolve()
        try:
            raw = (out_dir / MANIFEST).read_bytes()
            record = json.loads(raw.decode("utf-8"))
        except (OSError, ValueError):
            return cls(out_dir, {}, {})
        if not isinstance(record, dict):
            return cls(out_dir, {}, {})
        digest = hashlib.sha256(raw).hexdigest()
        if record.get("version") != MANIFEST_VERSION:  # the first format: path → sha256 alone
            return cls(out_dir, {k: v for k, v in record.items() if isinstance(v, str)}, {}, digest)
        files, inputs = record.get("files"), record.get("inputs")
        return cls(out_dir, files if isinstance(files, dict) else {}, inputs if isinstance(inputs, dict) else {}, digest)

    @functools.cached_property
    def _root(self) -> str:
        return str(self.out_dir)

    def with_stamps(self, stamps: dict[str, Stamp] | None) -> Previous:
        """This manifest with the sizes and times its build recorded (kept apart: they differ every build)."""
        return dataclasses.replace(self, stamps=stamps or {})

    def made_from(self, paths: tuple[str, ...], inputs: str) -> list[str]:
        """The files of the last build made from `inputs`: `paths` when each of them was, else none.

        A job whose files are known only once made (`paths` empty) is keyed by a digest that
        names the job (generator/speed/fingerprints.py): the files carrying it are the ones it made.
        """
        if not inputs:
            return []
        if paths:
            return list(paths) if all(self.inputs.get(path) == inputs for path in paths) else []
        return self._by_inputs().get(inputs, [])

    def reuse_all(self, paths: tuple[str, ...], inputs: str) -> list[BuiltFile] | None:
        """Every file of the last build made from `inputs` (see `made_from`), as `reuse` gives them; None unless all are."""
        if len(paths) == 1:  # most jobs: a page each (`reuse` checks its inputs as `made_from` would)
            one = self.reuse(paths[0], inputs)
            return None if one is None else [one]
        found = [self.reuse(path, inputs) for path in self.made_from(paths, inputs)]
        kept = [item for item in found if item is not None]
        return kept if kept and len(kept) == len(found) else None

    def _by_inputs(self) -> dict[str, list[str]]:
        """Path lists by the digest they were made from (made once)."""
        if "by_inputs" not in self._index:
            index: dict[str, list[str]] = {}
            for path, key in self.inputs.items():
                index.setdefault(key, []).append(path)
            self._index["by_inputs"] = index
        return self._index["by_inputs"]

    def reuse(self, path: str, inputs: str) -> BuiltFile | None:
        """The file as the last build wrote it when it was made from the same inputs, else None.

        A file whose size and modification time are still those the last build recorded is
        taken as it is, unread; any other is read and checked against the manifest's digest,
        so a file edited by hand is made again.
        """
        if not inputs or self.inputs.get(path) != inputs or path not in self.files:
            return None
        # joined as text: a Path per file costs as much as its stat (a thousand reused pages a rebuild)
        location = os.path.join(self._root, path)
        stamp = self.stamps.get(path)
        if stamp is not None:
            try:
                found = os.stat(location)
            except OSError:
                return None
            if (found.st_size, found.st_mtime_ns) == tuple(stamp):
                return KeptFile(path, self.files[path], found.st_size, location, inputs)
        try:
            read = OutputFile(path, Path(location).read_bytes(), inputs)
        except OSError:
            return None
        return read if read.sha256 == self.files[path] else None


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _same_size(path: Path, size: int) -> bool:
    """The previous file is still there with this size (a file edited by hand since is not reused)."""
    try:
        return path.stat().st_size == size
    except OSError:
        return False


def manifest_bytes(files: dict[str, str], inputs: dict[str, str]) -> bytes:
    """The manifest's bytes: `json.dumps` of the record with `sort_keys=True, indent=0`, and a line end.

    Written here line by line with json's own string encoder: with an indent, `json.dumps` takes
    its pure-Python path, a millisecond for a thousand files (tests/test_speed_output.py compares the two).
    """

    def mapping(entries: dict[str, str]) -> str:
        lines = ",\n".join(f"{encode_string(key)}: {encode_string(value)}" for key, value in sorted(entries.items()))
        return f"{{\n{lines}\n}}" if entries else "{}"

    return f'{{\n"files": {mapping(files)},\n"inputs": {mapping(inputs)},\n"version": {MANIFEST_VERSION}\n}}\n'.encode()


def _files_under(root: str) -> set[str]:
    """Every file under `root` (not under a linked folder, which is not followed), as a path relative to it with `/`."""
    found: set[str] = set()
    folders = [(root, "")]
    while folders:
        folder, prefix = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if not entry.is_dir():
                    found.add(prefix + entry.name)
                elif not entry.is_symlink():
                    folders.append((entry.path, f"{prefix}{entry.name}/"))
    return found


def _remove_empty_folders(folder: Path, root: Path) -> None:
    """Remove folder and its parents up to root while they are empty."""
    while folder != root:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
