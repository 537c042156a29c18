"""The gettext catalogs of the texts clients read: `generator/locale/<lang>/LC_MESSAGES/rapport.po`.

Each message's context is its text key (`survey.submit`) and its id the English text of
`generator/texts/en.yaml`. A catalog is compiled with Babel when first used (no `.mo` file is
kept in the repository, so none can fall behind its `.po`); `make messages` refreshes them.
"""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "rapport"


def catalog_path(code: str) -> Path:
    """Where the catalog of a language code (`de`, `pt_BR`) lives."""
    return LOCALE / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalog_languages() -> list[str]:
    """The languages with a shipped catalog, as language tags (`pt-BR` for `pt_BR`)."""
    return sorted(path.parent.parent.name.replace("_", "-") for path in LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def catalog_code(language: str) -> str | None:
    """The shipped catalog for a language tag: its own (`de-CH` → `de_CH`), else its primary language's."""
    for code in dict.fromkeys([language.replace("-", "_"), language.split("-")[0]]):
        if catalog_path(code).is_file():
            return code
    return None


@lru_cache(maxsize=16)
def translations(code: str) -> gettext.GNUTranslations:
    """The compiled catalog of a shipped language code (fuzzy entries left out, as msgfmt does)."""
    with catalog_path(code).open("rb") as source:
        catalog = read_po(source, locale=code.split("_")[0], domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def translated(language: str, english: dict[str, str]) -> dict[str, str]:
    """Every text of `english` (key → English text) in `language`; English where no catalog has it."""
    code = catalog_code(language)
    if code is None:
        return dict(english)
    catalog = translations(code)
    return {key: catalog.pgettext(key, text) for key, text in english.items()}
