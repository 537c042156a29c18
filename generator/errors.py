"""The small exception tree; only the CLI catches these."""

from __future__ import annotations

from dataclasses import dataclass
import difflib
from collections.abc import Iterable


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


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ` — did you mean 'x'?` for a close match among choices, else ''."""
    matches = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return f" — did you mean '{matches[0]}'?" if matches else ""
