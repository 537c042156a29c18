"""The files `rapport serve` sends: the build under way's first, each sent whole as it was when opened."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

# a file moved from the staging folder into the output between its look-up and its opening is looked up again;
# a build moves each file once, so a second look finds it: the rest are for a machine so busy that the next build
# staged and moved it again meanwhile (a look costs a stat)
LOOKUPS = 10


class PreviewFiles(StaticFiles):
    """Static files that may not exist yet (first build failed) and are never cached.

    `staged`, when given, names the folders where the build under way puts the files it has
    made so far, in the order to look: one found there is served before the last build's (the
    changed pages first).

    A build replaces a file by renaming another over it, and moves its staged files into the
    output: a file is read whole from the moment it is opened, and its length and validators are
    that copy's, so a page replaced while it is sent arrives as the old or the new page, never cut.
    """

    def __init__(self, *, directory: Path, staged: Callable[[], list[Path]] | None = None, **options: Any):
        super().__init__(directory=directory, **options)
        self.staged = staged

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        """The file in the build under way, else in the last build's output."""
        folders = self.staged() if self.staged is not None else []
        for folder in folders if not path.startswith(("/", "\\")) else []:
            root = os.path.realpath(folder)
            full = os.path.realpath(os.path.join(root, path))
            if os.path.commonpath([full, root]) == root:  # not outside the folder
                with contextlib.suppress(OSError):
                    status = os.stat(full)
                    if stat.S_ISREG(status.st_mode):
                        return full, status
        return super().lookup_path(path)

    async def check_config(self) -> None:
        """A missing folder is a 404 until a build makes it, not a server error."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file at `path` as one whole copy of it, looked up again should it move before it is opened."""
        for _ in range(LOOKUPS):
            response = await super().get_response(path, scope)
            if not isinstance(response, FileResponse):  # a redirect, or not modified
                return response
            with contextlib.suppress(FileNotFoundError):
                return await anyio.to_thread.run_sync(whole_file, response)
        return response  # moved each time: as the file server would send it

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        """Every reload shows the latest build."""
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        return response


def whole_file(found: FileResponse) -> Response:
    """`found`'s file read now, with the length and validators of the bytes read (FileNotFoundError if gone)."""
    with open(found.path, "rb") as file:
        body, status = file.read(), os.fstat(file.fileno())
    # the headers a file response of this very copy has (its ETag, Last-Modified, type), but the length of the bytes,
    # and no offer of ranges: the whole copy is always sent (a range asked for is ignored, as HTTP allows)
    headers = {name: value for name, value in FileResponse(found.path, stat_result=status).headers.items()
               if name not in ("content-length", "accept-ranges")}
    return Response(body, status_code=found.status_code, headers={**headers, "Cache-Control": "no-cache"})
