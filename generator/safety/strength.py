"""How hard the dashboard passphrase is to guess (zxcvbn), and random passphrases from a large word list.

The encrypted dashboards stay public for good (the gh-pages history keeps every version), so
whoever copies them can try passphrases offline for as long as they like. Length says little
about that (`password1234` is twelve characters); zxcvbn estimates how many guesses an attacker
who knows common passwords, words, names and keyboard patterns needs, and we refuse fewer than
10¹⁰. `new_passphrase` draws six words from the EFF large word list (7,776 words, about 77
bits), which the xkcdpass package ships (the list is © the Electronic Frontier Foundation,
CC BY 3.0; see README.md, "Dashboard passphrase").
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache
from importlib import resources

MIN_GUESSES = 10**10
ZXCVBN_MAX_CHARS = 72  # zxcvbn refuses longer input; a longer passphrase is no weaker than its start
PASSPHRASE_WORDS = 6
WORD_LIST = ("xkcdpass", "static/eff-long")  # package, resource


@dataclass(frozen=True)
class Strength:
    """zxcvbn's estimate: guesses needed, and its warning and suggestions (may be empty)."""

    guesses: float
    warning: str
    suggestions: tuple[str, ...]

    @property
    def strong_enough(self) -> bool:
        """At least MIN_GUESSES guesses."""
        return self.guesses >= MIN_GUESSES


def strength(passphrase: str, context_words: tuple[str, ...] = ()) -> Strength:
    """zxcvbn's estimate for the passphrase; `context_words` (the business name, …) count as easy guesses."""
    from zxcvbn import zxcvbn  # its word lists take 0.07 s to import: only when a passphrase is checked

    result = zxcvbn(passphrase[:ZXCVBN_MAX_CHARS], user_inputs=[word[:ZXCVBN_MAX_CHARS] for word in context_words])
    feedback = result["feedback"]
    return Strength(float(result["guesses"]), str(feedback["warning"] or ""),
                    tuple(str(item) for item in feedback["suggestions"]))


def weakness(passphrase: str, origin: str, context_words: tuple[str, ...] = ()) -> str | None:
    """Why the passphrase from `origin` is refused, or None when it is strong enough."""
    found = strength(passphrase, context_words)
    if found.strong_enough:
        return None
    warning = found.warning.rstrip(".")
    why = f" ({warning[:1].lower()}{warning[1:]})" if warning else ""
    return (f"the dashboard passphrase from {origin} is too easy to guess{why}: about {found.guesses:,.0f} guesses "
            f"would find it, and at least {MIN_GUESSES:,} are needed because the encrypted pages stay public and can "
            "be attacked offline; run `rapport passphrase new` for six random words")


@cache
def word_list() -> tuple[str, ...]:
    """The EFF large word list (7,776 words), from the xkcdpass package."""
    package, name = WORD_LIST
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    words = tuple(sorted({line.strip() for line in text.splitlines() if line.strip()}))
    if len(words) < 7776:
        raise RuntimeError(f"{package}/{name} has {len(words)} words, expected the EFF large list of 7,776")
    return words


def new_passphrase(words: int = PASSPHRASE_WORDS) -> str:
    """`words` words drawn uniformly at random (secrets) from the EFF large list, joined by spaces."""
    chosen = word_list()
    return " ".join(secrets.choice(chosen) for _ in range(words))
