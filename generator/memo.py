"""A memo the stages may keep derived values in between builds: nothing by default.

The load stage keeps validated files in it, the metrics stage the KPI tiles' earlier quarter
ends and the contact figures (metrics/contact.py), the leak gate the words of each free text.
A stage only says what a value is a function of (`key_parts`); whether and where it is kept is
the speed layer's business
(generator/speed/cache.py keeps it on disk). With `NO_MEMO` every value is computed afresh,
which gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeGuard, TypeVar

from generator.errors import Problem

Value = TypeVar("Value")
# (the value kept, the file's bytes now, how many of them it was made from) → the value now, or None
Extend = Callable[[Value, bytes, int], Value | None]


class Memo(Protocol):
    """Values kept between builds, each under a name and the key of what it was computed from."""

    def load(self, name: str, key_parts: list[bytes], compute: Callable[[], Value], problems: list[Problem]) -> Value:
        """`compute()`, or its kept value when the key is the same (kept only if it added no problem)."""
        ...

    def load_grown(self, name: str, key_parts: list[bytes], path: Path, compute: Callable[[], Value],
                   extend: Extend[Value], problems: list[Problem]) -> Value:
        """`load` of a value of the file `path` (and of `key_parts`) that grows by appending: when the
        file is the one a kept value came from plus bytes at its end, `extend(kept value, the file's
        bytes, the kept file's length)`, unless it gives None; else `compute()`."""
        ...

    def get(self, name: str, key_parts: list[bytes]) -> Any | None:
        """The value kept under `name` with this key, else None."""
        ...

    def put(self, name: str, key_parts: list[bytes], value: Any) -> None:
        """Keep `value` under `name` (replacing what was there)."""
        ...

    def held(self, name: str, key_parts: list[bytes]) -> Any | None:
        """The value `hold` kept under `name` with this key in this process, else None."""
        ...

    def hold(self, name: str, key_parts: list[bytes], value: Any) -> None:
        """Keep `value` under `name` in memory only, for a later build of this process (`rapport serve`); never
        written, so a build that is the process's only one pays nothing for it."""
        ...


class NoMemo:
    """Keeps nothing: every value is computed where it is needed."""

    def load(self, name: str, key_parts: list[bytes], compute: Callable[[], Value], problems: list[Problem]) -> Value:
        """`compute()`."""
        return compute()

    def load_grown(self, name: str, key_parts: list[bytes], path: Path, compute: Callable[[], Value],
                   extend: Extend[Value], problems: list[Problem]) -> Value:
        """`compute()`."""
        return compute()

    def get(self, name: str, key_parts: list[bytes]) -> Any | None:
        """Nothing is kept."""
        return None

    def put(self, name: str, key_parts: list[bytes], value: Any) -> None:
        """Nothing is kept."""

    def held(self, name: str, key_parts: list[bytes]) -> Any | None:
        """Nothing is kept."""
        return None

    def hold(self, name: str, key_parts: list[bytes], value: Any) -> None:
        """Nothing is kept."""


NO_MEMO: Memo = NoMemo()


def held_for(memo: Memo, name: str, source: object, make: Callable[[], Value], key_parts: list[bytes] | None = None) -> Value:
    """`make()`, or the value `memo` holds as `name` from a build of this process that made it from this very
    `source` object (and `key_parts`): a value the memo kept (`rapport serve`) is the same object in the next
    build when its file did not change, and no stage changes a value it was given."""
    key = key_parts or []
    found = memo.held(name, key)
    if _made_from(found, source):
        return found[1]  # type: ignore[no-any-return]  # held by this function, made by `make` from `source`
    if found is not None:
        memo.hold(name, key, None)  # let the value of another source go before its successor is made
    value = make()
    memo.hold(name, key, (source, value))
    return value


def held_from(memo: Memo, name: str, source: object, key_parts: list[bytes] | None = None) -> Any | None:
    """The value `held_for` holds as `name` made from this very `source` (and `key_parts`), else None."""
    found = memo.held(name, key_parts or [])
    return found[1] if _made_from(found, source) else None


def _made_from(found: object, source: object) -> TypeGuard[tuple[object, Any]]:
    """Whether `found`, a value the memo held, is one `held_for` held as made from this very `source`."""
    return isinstance(found, tuple) and len(found) == 2 and found[0] is source

