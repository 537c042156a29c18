"""The files a build makes: in memory, staged by the process that made them, or kept from the last build."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


@dataclass(frozen=True)
class OutputFile:
    """One file of the built site, by its path relative to the output folder.

    `inputs`, when set, is a digest of everything the file was made from; the speed layer keeps
    it in its manifest, so that the next build can reuse the file (generator/speed/output.py).
    """

    path: str
    content: bytes
    inputs: str = ""

    @functools.cached_property
    def sha256(self) -> str:
        """The content's SHA-256 (hex), computed once: by the process that made the file, when it has time."""
        return hashlib.sha256(self.content).hexdigest()

    @property
    def size(self) -> int:
        """The number of bytes."""
        return len(self.content)

    def __post_init__(self) -> None:
        if self.path and ".." not in self.path and self.path[0] != "/":
            return  # relative, and no part of it can be '..': what a page's path is, without parsing it (1,300 a build)
        pure = PurePosixPath(self.path)
        if pure.is_absolute() or ".." in pure.parts or not self.path:
            raise ValueError(f"output path {self.path!r} must stay inside the output folder")


@dataclass(frozen=True)
class StagedFile:
    """A file its maker has written into the staging folder already (generator/speed/output.py).

    Only its path and digest travel back from a worker process, not its bytes; `content` reads
    them from the staging folder, once, if something asks (the publish checks, for some files).
    """

    path: str
    sha256: str
    staged: Path
    inputs: str = ""

    @functools.cached_property
    def content(self) -> bytes:
        """The bytes, as staged."""
        return self.staged.read_bytes()

    @property
    def size(self) -> int:
        """The number of bytes."""
        return self.staged.stat().st_size


@dataclass(frozen=True)
class KeptFile:
    """A file of the last build that stays as it is: nothing reads its bytes unless something asks."""

    path: str
    sha256: str
    size: int
    location: str  # where the last build left it
    inputs: str = ""

    @functools.cached_property
    def content(self) -> bytes:
        """The bytes, as the last build wrote them."""
        return Path(self.location).read_bytes()


BuiltFile = OutputFile | StagedFile | KeptFile
