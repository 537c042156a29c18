"""A memo the stages may keep derived values in between builds: nothing by default.

The load stage keeps validated files in it, the metrics stage the KPI tiles' earlier quarter
ends, the leak gate the words of each free text. A stage only says what a value is a function
of (`key_parts`); whether and where it is kept is the speed layer's business
(generator/speed/cache.py keeps it on disk). With `NO_MEMO` every value is computed afresh,
which gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from generator.errors import Problem

Value = TypeVar("Value")


class Memo(Protocol):
    """Values kept between builds, each under a name and the key of what it was computed from."""

    def load(self, name: str, key_parts: list[bytes], compute: Callable[[], Value], problems: list[Problem]) -> Value:
        """`compute()`, or its kept value when the key is the same (kept only if it added no problem)."""
        ...

    def get(self, name: str, key_parts: list[bytes]) -> Any | None:
        """The value kept under `name` with this key, else None."""
        ...

    def put(self, name: str, key_parts: list[bytes], value: Any) -> None:
        """Keep `value` under `name` (replacing what was there)."""
        ...


class NoMemo:
    """Keeps nothing: every value is computed where it is needed."""

    def load(self, name: str, key_parts: list[bytes], compute: Callable[[], Value], problems: list[Problem]) -> Value:
        """`compute()`."""
        return compute()

    def get(self, name: str, key_parts: list[bytes]) -> Any | None:
        """Nothing is kept."""
        return None

    def put(self, name: str, key_parts: list[bytes], value: Any) -> None:
        """Nothing is kept."""


NO_MEMO: Memo = NoMemo()
