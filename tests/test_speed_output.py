"""The speed layer's write (generator/speed/output.py): the manifest's bytes, and a patch of the output in place."""

from __future__ import annotations

import json
import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from generator.files import OutputFile
from generator.speed.output import MANIFEST, MANIFEST_VERSION, OutputWriter, Previous, manifest_bytes

texts = st.text(st.characters(codec="utf-8"), max_size=12)


@given(st.dictionaries(texts, texts, max_size=8), st.dictionaries(texts, texts, max_size=8))
def test_the_manifest_is_written_as_json_dumps_writes_it(files: dict[str, str], inputs: dict[str, str]) -> None:
    record = {"version": MANIFEST_VERSION, "files": files, "inputs": inputs}
    assert manifest_bytes(files, inputs) == (json.dumps(record, sort_keys=True, indent=0) + "\n").encode("utf-8")


def test_a_patch_moves_the_changed_files_in_and_leaves_no_staging_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = [OutputFile(f"a/b/{name}.html", name.encode()) for name in ("one", "two")] + [OutputFile("c/d/e.txt", b"e")]
    first += [OutputFile(f"f/{number}.txt", b"f") for number in range(20)]
    writer = OutputWriter(out)
    writer.add(first)
    writer.commit()
    changed = [OutputFile("a/b/one.html", b"ONE"), OutputFile("c/d/e.txt", b"E"), OutputFile("g/h/new.txt", b"new")]
    writer = OutputWriter(out, previous=Previous.read(out))
    writer.add([*changed, *(item for item in first if item.path not in {"a/b/one.html", "c/d/e.txt"})])
    result = writer.commit()
    assert result.written == 3
    on_disk = {path.relative_to(out).as_posix(): path.read_bytes() for path in out.rglob("*") if path.is_file()}
    assert on_disk.pop(MANIFEST) == manifest_bytes(writer.manifest, writer.inputs)
    assert on_disk == {item.path: item.content for item in [*changed, *first] if item.path not in
                       {"a/b/one.html", "c/d/e.txt"} or item in changed}
    assert sorted(os.listdir(tmp_path)) == ["out"], "the staging folder, and every folder in it, is gone"
