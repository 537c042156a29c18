"""Digests of bytes and of frame rows: what kept values and reused pages are keyed by."""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from generator.file_keys import digest  # one digest for keys of files and of values

if TYPE_CHECKING:  # imported when first needed: a fork reading contacts.csv ahead has no use for it (generator/load/ahead.py)
    import pydantic

__all__ = ["Records", "digest", "record_classes", "row_hashes", "value_digest"]


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of each row (pandas' own, stable across runs), in file order."""
    if frame.empty:
        return np.zeros(0, dtype=np.uint64)
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()


Records = dict[int, tuple[object, str]]  # id → (the record, kept alive so the id stays its, its JSON)


def record_classes() -> tuple[type, ...]:
    """Every validated record class defined so far (a few dozen): what `value_digest` writes as JSON, found once
    per build rather than once per value (a tenth of a millisecond each time)."""
    import pydantic

    return tuple(_subclasses(pydantic.BaseModel))


def value_digest(value: object, records: Records | None = None, classes: tuple[type, ...] | None = None) -> bytes:
    """A digest of plain data (dicts, lists, dates, dataclasses, validated records) by value alone.

    A plain pickle writes an object met a second time as a reference to the first, so equal
    values built differently (a text read from a cache is shared by every row that holds it, one
    read from its file is not) would pickle differently; and a record's set of fields given in
    an order that changes from one process to the next. Here neither happens: no memo, and a
    record is written as its JSON. `records`, shared by the calls of one build, keeps each
    record's JSON: many pages list the same clients. `classes` is `record_classes()`, found when
    not given (a record of a class defined since is pickled as a plain object: its digest may
    then differ where its value did not, never agree where it differs).
    """
    known = {} if records is None else records

    def record(obj: pydantic.BaseModel) -> tuple[Callable[..., object], tuple[str, str]]:
        found = known.get(id(obj))
        if found is None or found[0] is not obj:
            found = known[id(obj)] = (obj, obj.model_dump_json())
        return _record, (type(obj).__qualname__, found[1])

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    # a table by exact type, looked up in C: a hook called for every date and number costs a third of the time
    pickler.dispatch_table = dict.fromkeys(record_classes() if classes is None else classes, record)
    pickler.fast = True  # no memo: every object written by value (plain data has no cycles)
    pickler.dump(value)
    return digest(buffer.getvalue())


def _subclasses(base: type) -> list[type]:
    """Every class derived from `base` so far (a few dozen validated records)."""
    found: list[type] = []
    todo = [base]
    while todo:
        kind: type
        for kind in todo.pop().__subclasses__():
            found.append(kind)
            todo.append(kind)
    return found


def _record(name: str, text: str) -> tuple[str, str]:
    """Stands for a record in `value_digest`'s pickles (which are digested, never read back)."""
    return name, text
