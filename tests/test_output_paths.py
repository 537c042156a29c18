"""A file's path stays inside the output folder (generator/files.py `OutputFile`), and a page's links climb back
to the site's root from where it is (generator/render/common.py `root_prefix`)."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from generator.files import OutputFile
from generator.render.common import root_prefix


@pytest.mark.parametrize("path", ["index.html", "dashboard/clients/acme.html", "a..b/c..html", "./a.html", "a//b.html"])
def test_a_path_inside_the_output_folder_is_taken(path: str) -> None:
    assert OutputFile(path, b"").path == path


@pytest.mark.parametrize("path", ["", "/etc/passwd", "//x.html", "..", "../x.html", "a/../../x.html", "a/..", "/a/../b"])
def test_a_path_that_leaves_the_output_folder_is_refused(path: str) -> None:
    with pytest.raises(ValueError, match="must stay inside the output folder"):
        OutputFile(path, b"")


@pytest.mark.parametrize(("path", "prefix"), [
    ("index.html", ""), ("clients/acme.html", "../"), ("dashboard/clients/acme.html", "../../"),
    ("a//b.html", "../"), ("./a.html", ""), ("a/./b.html", "../"), ("a/b/", "../"), ("a/.", ""), ("", ""),
])
def test_the_root_is_as_many_folders_up_as_the_page_is_deep(path: str, prefix: str) -> None:
    assert root_prefix(path) == prefix == "../" * (len(PurePosixPath(path).parts) - 1)
