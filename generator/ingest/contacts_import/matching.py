"""Which client an event or time entry is for, and which kind of contact it was (see README.md)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from generator.model import Client


def fold(text: str) -> str:
    """Text compared without case or accents: `Café LUMIÈRE` and `cafe lumiere` are equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.split())


def _pattern(keyword: str) -> re.Pattern[str]:
    """A keyword found only as whole words: `Acme` in `Acme visit`, not in `Acmetronics`."""
    return re.compile(rf"(?<![^\W_]){re.escape(fold(keyword))}(?![^\W_])")


def contains(text: str, keyword: str) -> bool:
    """Whether `keyword` appears in `text` as whole words, ignoring case and accents."""
    return bool(_pattern(keyword).search(fold(text)))


@dataclass(frozen=True)
class Match:
    """The client found for a text, or why none was."""

    client: str | None
    reason: str = ""


class ClientMatcher:
    """Finds the one client that a text names: by id, name or a `match:` keyword."""

    def __init__(self, clients: Sequence[Client]):
        self.clients = list(clients)
        # keyword patterns per client: its match: list, then its full name and its id
        self._patterns = {client.id: [_pattern(word) for word in (*client.match, client.name, client.id)] for client in clients}
        self._names = {client.id: {fold(word) for word in (client.id, client.name, *client.match)} for client in clients}

    def by_name(self, cell: str) -> Match | None:
        """The client whose id, name or keyword *is* the cell (a tracker's Client column), if one."""
        folded = fold(cell)
        if not folded:
            return None
        found = sorted(client_id for client_id, names in self._names.items() if folded in names)
        if len(found) == 1:
            return Match(found[0])
        if found:
            return Match(None, f"'{cell}' names {len(found)} clients ({', '.join(found)})")
        return None

    def in_texts(self, texts: Iterable[str]) -> Match:
        """The one client whose keywords appear in the texts (e.g. an event's title and location)."""
        folded = [fold(text) for text in texts if text]
        found = sorted(client_id for client_id, patterns in self._patterns.items()
                       if any(pattern.search(text) for pattern in patterns for text in folded))
        if len(found) == 1:
            return Match(found[0])
        if found:
            return Match(None, f"matches {len(found)} clients ({', '.join(found)})")
        return Match(None, "matches no client")


def kind_for(texts: Iterable[str], kinds: Mapping[str, str], default: str) -> str:
    """The kind of the first `contacts_import.kinds` key found in the texts, else `default`."""
    folded = [fold(text) for text in texts if text]
    for keyword, kind in kinds.items():
        pattern = _pattern(keyword)
        if any(pattern.search(text) for text in folded):
            return kind
    return default
