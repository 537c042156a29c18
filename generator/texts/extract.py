"""A Babel extractor for `generator/texts/en.yaml`: each text is a message whose context is its key.

`make messages` runs `pybabel extract` with `babel.cfg`, which names this function, and then
`pybabel update` merges the new template into every `generator/locale/<lang>/LC_MESSAGES/rapport.po`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from generator.yamlio import read_yaml


def _flatten(data: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _flatten(value, (*prefix, str(key)))
    else:
        yield prefix, data


def extract_texts(fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str],
                  options: Mapping[str, Any]) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """(line, 'pgettext', (key, English text), comments) for every text of the file."""
    # read_yaml takes a path (it keeps every scalar as text and knows each value's line)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "texts.yaml"
        path.write_bytes(fileobj.read())
        doc = read_yaml(path)
    for location, value in _flatten(doc.data):
        if isinstance(value, str):
            yield doc.line_of(location), "pgettext", (".".join(location), value), []
