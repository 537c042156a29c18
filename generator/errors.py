"""The small exception tree; only the CLI catches these."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

# did_you_mean's prefix and containment fallback ignores words shorter than this
PART_MIN_LENGTH = 3
# a value quoted in a message is cut to this many characters: a whole pasted document, or a
# list thousands of entries long, would bury the line that says what is wrong
SHOWN_VALUE_LENGTH = 80


@dataclass(frozen=True, order=True)
class Problem:
    """One located data problem: `path:line: field: message`."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class RapportError(Exception):
    """Any failure the CLI reports as `error: …` without a traceback."""


class DataError(RapportError):
    """The data files have problems; carries every one of them."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=_problem_order)
        super().__init__("\n".join(str(p) for p in self.problems))


def _problem_order(problem: Problem) -> tuple[str, int]:
    return (problem.path, problem.line)


def shorten(text: str, limit: int = SHOWN_VALUE_LENGTH) -> str:
    """`text`, or its first `limit` characters and `…` when longer."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """Return ` — did you mean 'x'?` for a close match among choices, else ''.

    difflib's ratio misses a word that is a short part of a long choice ('acme' for
    'acme-dental'), so a prefix, then a containment, is the fallback; ties go to the
    first choice in sorted order, keeping messages deterministic.
    """
    text = str(word)
    ordered = sorted(set(choices))
    matches = difflib.get_close_matches(text, ordered, n=1, cutoff=0.6)
    if not matches:
        matches = _part_matches(text, ordered)[:1]
    return f" — did you mean '{matches[0]}'?" if matches else ""


def _part_matches(word: str, ordered: list[str]) -> list[str]:
    """Choices that the word starts with or that start with it, then choices that contain it."""
    folded = word.casefold()
    if len(folded) < PART_MIN_LENGTH:
        return []
    # the shorter side must be long enough too, or a one-letter choice would match everything
    prefixed = [c for c in ordered if len(c) >= PART_MIN_LENGTH
                and (folded.startswith(c.casefold()) or c.casefold().startswith(folded))]
    containing = [c for c in ordered if folded in c.casefold()]
    return prefixed + containing


def not_utf8(path: str, exc: UnicodeDecodeError) -> Problem:
    """The problem for a file that is not UTF-8: the line and file offset of the first bad byte.

    `exc` must come from decoding the whole file at once, so that `exc.start` is the
    offset in the file and the newlines before it give the line.
    """
    line = exc.object.count(b"\n", 0, exc.start) + 1
    return Problem(path, line, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")


def decode_utf8(data: bytes) -> str:
    """Decode a whole file's bytes as UTF-8 without a leading byte-order mark."""
    return data.decode("utf-8").removeprefix("\ufeff")
