"""The leak gate's needles: every private string of a portfolio, as words, with what it is.

What is looked for (see README, "Publishing"): client names, each distinctive word of a client
name, client ids, contact names, e-mails and phones, survey tokens (new and old written form),
client notes, contact-log notes and free-text answers (each text and its lines and sentences).

What is not: strings under 4 characters; note and answer fragments under 12; a note, answer or
distinctive word that is also the business's own public text (its pages, surveys, settings and
the built-in templates), since such a needle is found in pages the business wrote itself and
would let any client stop the site from being published by quoting it; a word of a client name
that is common in the site's language (wordfreq); staff names, the consultant's own people.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
from anyascii import anyascii

from generator.digests import digest
from generator.file_keys import file_key
from generator.memo import NO_MEMO, Memo, held_for
from generator.portfolio import Portfolio
from generator.safety.kept_words import kept_words
from generator.safety.leak_grown import FreeTexts, HeldNeedles, grow
from generator.safety.word_automaton import WordAutomaton, WordRun
from generator.templates import BUILTIN_TEMPLATES
from generator.texts import PACKAGE as TEXTS
from generator.texts import default_texts, shipped_languages
from generator.texts.catalogs import LOCALE
from generator.tokens import token_forms

MIN_CHARS = 4
MIN_FREE_TEXT_CHARS = 12
# zipf frequency (log10 of uses per billion words) from which a word is common: "dental", "harbor"
COMMON_ZIPF = 3.0
WORD = re.compile(r"[^\W_]+")  # letters and digits; "_" separates like any punctuation
JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
# Han, kana and Hangul syllables (as ranges of a character class): text in them runs on without spaces between words
UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
SENTENCE_BREAK = re.compile(r"[\r\n]+|(?<=[.!?;:])\s+|\s[—–]\s")  # lines, sentences, clauses
MARKDOWN_LINK_TARGET = re.compile(r"\]\([^)]*\)")
# path words of the site itself; a client id equal to one of these cannot be told apart from it
SITE_WORDS = {"index", "survey", "thanks", "assets", "dashboard", "404", "html", "public"}
NEEDLES = "needles"  # the memo's held needles of the last build, with what they were made from (`make_needles`)

Words = tuple[str, ...]


@dataclass(frozen=True)
class Needle:
    """One private string, as words, with what it is and whose it is."""

    words: Words
    kind: str
    owner: str = ""
    # the words run together: what the automaton looks for (see generator/publish/word_automaton.py)
    key: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", "".join(self.words))


def words_of(text: str) -> list[str]:
    """The comparable words of a text: entities, %- and \\u-escapes decoded, NFKC, case-folded, in ASCII.

    Accents and other scripts are transliterated (`Café Lumière` and `Cafe Lumiere` are the same
    words); each character of a script written without spaces (Chinese, Japanese) is a word of
    its own, so a name is found inside a longer run. An invisible character inside a word (a soft
    hyphen, a zero-width space) splits it, which the automaton reads through (word_automaton.py).
    """
    text = html.unescape(text)
    if "%" in text:
        text = unquote(text, errors="replace")
    if "\\u" in text:
        text = JSON_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)
    text = unicodedata.normalize("NFKC", text).casefold()
    words = WORD.findall(text)
    if text.isascii():
        return words
    found: list[str] = []
    for word in words:
        if word.isascii():
            found.append(word)
            continue
        # only words are transliterated: other characters cannot spell a name, and this stays quick
        for part in _unspaced_part().findall(word):
            found += WORD.findall(anyascii(part).casefold()) if not part.isascii() else [part]
    return found


@functools.cache
def _unspaced_part() -> re.Pattern[str]:
    """A character of those scripts, or a run of anything else (compiled when first needed: a hundredth of a second)."""
    return re.compile(f"[{UNSPACED}]|[^{UNSPACED}]+")


def make_needles(portfolio: Portfolio, secret: bytes, memo: Memo = NO_MEMO) -> list[Needle]:
    """Every private string of the portfolio worth looking for; the last build's list, held (`Memo.hold`), when every
    input is the very value or the same texts it was made from (`rapport serve`: a response without a new text), or
    that list grown by the needles of the new texts when the free texts only grew (generator/safety/leak_grown.py)."""
    reserved = SITE_WORDS | {survey.id for survey in portfolio.surveys} | {page.slug for page in portfolio.pages}
    clients = _client_needles(portfolio, secret, reserved, memo)
    common, own = _common_words(portfolio, memo), _kept_own_words(portfolio, memo)
    texts = _free_texts(portfolio, clients[2], memo)
    # the memo's values are the very objects it gave the last build while their keys (records, secret, reserved words,
    # language, the business's texts) are the same; the free texts are compared as sets
    made_from = (clients, common, own, texts)
    held = memo.held(NEEDLES, [])
    if isinstance(held, HeldNeedles) and _same_inputs(held.made_from, made_from):
        return held.needles
    memo.hold(NEEDLES, [], None)  # let the last build's go before these are made
    made = grow(held, made_from, _fragments, lambda found: _own_keys(own, found, memo)) \
        if isinstance(held, HeldNeedles) else None
    if made is None:
        made = HeldNeedles(made_from, *_needles_of(clients, common, own, texts, reserved, memo))
    memo.hold(NEEDLES, [], made)
    return made.needles


def _same_inputs(before: tuple[object, ...], now: tuple[object, ...]) -> bool:
    """Whether the needles' inputs are those of the last build: the memo's values the same objects, the texts equal."""
    *values, texts = now
    *held_values, held_texts = before
    return all(value is held for value, held in zip(values, held_values)) and held_texts == texts


def _free_texts(portfolio: Portfolio, notes: list[str], memo: Memo) -> FreeTexts:
    """The free texts (client notes, contact-log notes, each survey's free-text answers), a set per source; each
    frame's held (`held_for`) while it is the very frame the memo gave the last build."""
    texts: list[tuple[str, frozenset[str]]] = [("client notes", frozenset(notes))] if notes else []
    contacts = portfolio.contacts
    texts.append(("contact-log note", held_for(memo, "needle-texts-contacts", contacts,
                                               lambda: frozenset(contacts["note"].tolist()))))
    for survey in portfolio.surveys:
        frame = portfolio.responses.get(survey.id)
        if frame is None:
            continue
        columns = [question.id for question in survey.questions if question.type == "text" and question.id in frame.columns]
        if columns:
            texts.append(("free-text answer", held_for(
                memo, f"needle-texts-{survey.id}", frame,
                functools.partial(_column_texts, frame, columns), ["\x00".join(columns).encode()])))
    return tuple(texts)


def _column_texts(frame: pd.DataFrame, columns: list[str]) -> frozenset[str]:
    """Every value of the frame's columns."""
    return frozenset(value for column in columns for value in frame[column].tolist())


def _needles_of(clients: ClientNeedles, common: frozenset[str], own: list[str], texts: FreeTexts, reserved: set[str],
                memo: Memo) -> tuple[list[Needle], dict[Words, Needle]]:
    """`make_needles`, made; and the free-text fragments' needles, the business's own words not left out yet."""
    needles, name_words, _ = clients
    free_text: dict[str, set[str]] = defaultdict(set)
    for kind, found in texts:
        free_text[kind].update(found)
    free = [Needle((word,), "client name word", owner) for word, owner in name_words.items()
            if len(word) >= MIN_CHARS and not word.isdigit() and word not in common and word not in reserved]
    split = {kind: _fragments_of(kind, found, memo) for kind, found in free_text.items()}
    # one needle per words: of the kind ranked last (a text's fragments rank by the order of `texts`' kinds)
    fragments = {needle.words: needle for kind, found in free_text.items() for text in found for needle in split[kind][text]}
    free += fragments.values()
    # a free needle found in the business's own public text is the business's words: never looked for
    own_keys = _own_keys(own, free, memo)
    return needles + [needle for needle in free if needle.key not in own_keys], fragments


ClientNeedles = tuple[list[Needle], dict[str, str], list[str]]


def _client_needles(portfolio: Portfolio, secret: bytes, reserved: set[str], memo: Memo) -> ClientNeedles:
    """The needles of the client records (names, ids, contacts, tokens), the words of client names with
    their owners, and the client notes (as words see them); kept in the memo (generator/memo.py).

    A thousand clients' tokens and transliterated names are a third of a second; a rebuild after a
    new response or contact meets the same records.
    """
    key = [secret, "\x00".join(sorted(reserved)).encode(), *(survey.id.encode() for survey in portfolio.surveys),
           *(text.encode() for text in portfolio.records_json.values())]
    return memo.load("needles-clients", key, lambda: _client_needles_of(portfolio, secret, reserved), [])


def _client_needles_of(portfolio: Portfolio, secret: bytes, reserved: set[str]) -> ClientNeedles:
    """`_client_needles`, made."""
    needles: list[Needle] = []
    name_words: dict[str, str] = {}
    notes: list[str] = []
    for client in portfolio.clients:
        needles += _exact(client.name, "client name", client.id)
        for word in words_of(client.name):
            name_words.setdefault(word, client.id)
        if client.id not in reserved:
            needles += _exact(client.id, "client id", client.id)
        needles += _exact(client.contact.name, "contact name", client.id)
        needles += _exact(client.contact.email, "contact e-mail", client.id)
        needles += [Needle((phone,), "contact phone", client.id) for phone in _phone_forms(client.contact.phone or "")]
        for survey in portfolio.surveys:
            for token in token_forms(secret, survey.id, client.id):
                needles.append(Needle((token,), "survey token", client.id))
        if client.notes:
            # Markdown marks are punctuation, which words ignore; only link targets are not shown
            notes.append(MARKDOWN_LINK_TARGET.sub("]", client.notes))
    return needles, name_words, notes


def _own_keys(words: list[str], free: list[Needle], memo: Memo) -> set[str]:
    """The keys of the free needles found in the business's own public text (`own_words`: `words`).

    Which keys were looked for, and which were found, are kept in the memo under that text: a
    rebuild looks only for the needles of texts that are new (a new answer, a new note).
    """
    key = [digest("\x00".join(words).encode())]
    looked, found = memo.get("needles-own", key) or (frozenset(), frozenset())
    new = [needle for needle in free if needle.key not in looked]
    if not new:
        return set(found)
    # the words run together once for the process (`rapport serve`): a new answer's few needles are looked for in them
    run = held_for(memo, "needles-own-run", words, lambda: WordRun(words, compact=True))
    seen = {needle.key for _, _, needle in WordAutomaton(new).find(run)}
    looked, found = frozenset({*looked, *(needle.key for needle in new)}), frozenset({*found, *seen})
    memo.put("needles-own", key, (looked, found))
    return set(found)


def own_words(portfolio: Portfolio) -> list[str]:
    """The business's own public text (settings, surveys, pages, the built-in templates), one word list."""
    words: list[str] = []
    for text in [*_own_texts(portfolio), *_template_texts()]:
        words += [*words_of(text), "|"]  # a break: no needle spans two texts
    return words


def _own_texts(portfolio: Portfolio) -> list[str]:
    """The business's texts of `own_words`: its settings, surveys and pages."""
    settings = portfolio.settings
    texts = [settings.business.name, settings.business.email or "", settings.business.phone or ""]
    for survey in portfolio.surveys:
        texts += [survey.title, survey.intro or ""]
        for question in survey.questions:
            texts += [question.label, question.low_label or "", question.high_label or "", *(question.options or ())]
    for page in portfolio.pages:
        texts += [page.title, page.markdown]
    return texts


def _kept_own_words(portfolio: Portfolio, memo: Memo) -> list[str]:
    """`own_words`, kept in the memo under the business's texts and the files the shipped texts come from."""
    key = [text.encode() for text in _own_texts(portfolio)]
    key.append(b"\x00shipped")  # the texts above are the portfolio's; the files below are the package's
    for path in _shipped_text_files():
        key += [str(path).encode(), file_key(path)]  # digested once per version of the file in this process
    return memo.load("needles-own-words", key, lambda: own_words(portfolio), [])


def _shipped_text_files() -> list[Path]:
    """The files `_template_texts` reads: the built-in templates, the English texts and the catalogs."""
    return sorted([*BUILTIN_TEMPLATES.glob("*.html"), *BUILTIN_TEMPLATES.glob("*.js"), *TEXTS.glob("*.yaml"),
                   *LOCALE.glob("*/LC_MESSAGES/*.po")])


@functools.cache
def _template_texts() -> tuple[str, ...]:
    """The fixed texts of the built-in templates and the shipped page texts (generator/texts/), tags left out."""
    texts: list[str] = [text for language in shipped_languages() for text in default_texts(language).values()]
    for path in sorted(BUILTIN_TEMPLATES.iterdir()):
        if path.suffix in (".html", ".js"):
            texts += re.split(r"<[^>]*>|\{[%{#].*?[%}#]\}", path.read_text(encoding="utf-8"))
    return tuple(text for text in texts if text.strip())


def _common_words(portfolio: Portfolio, memo: Memo) -> frozenset[str]:
    """Words common in the site's language, kept in the memo (generator/memo.py) after the first build."""
    language = portfolio.settings.site.language
    key = [language.encode(), _wordfreq_version().encode()]
    return memo.load("common-words", key, lambda: _common_words_of(language), [])


@functools.cache
def _common_words_of(language: str) -> frozenset[str]:
    """Words common in the language (English when wordfreq does not know it), as `words_of` writes them."""
    # kept per user (generator/safety/kept_words.py): a project's first build need not import wordfreq
    return kept_words(language, _wordfreq_version(), lambda: _wordfreq_words(language))


@functools.cache
def _wordfreq_version() -> str:
    """wordfreq's version, read once per process (a few milliseconds each time), as the build's code and other
    libraries are (generator/speed/cache.py `code_version`)."""
    return version("wordfreq")


def _wordfreq_words(language: str) -> frozenset[str]:
    """`_common_words_of`, from wordfreq's list."""
    from wordfreq import get_frequency_dict  # a second to import: only when the load cache has no copy

    try:
        frequencies = get_frequency_dict(language, wordlist="small")
    except LookupError:
        frequencies = get_frequency_dict("en", wordlist="small")
    floor = 10 ** (COMMON_ZIPF - 9)  # zipf is log10 of the uses per billion words
    common: set[str] = set()
    for text, frequency in frequencies.items():
        if frequency < floor:
            continue
        if text.isascii() and text.isalnum():  # most of the list: `words_of` would give the word in lower case
            common.add(text.lower())
        else:
            common.update(words_of(text))
    return frozenset(common)


def _phone_forms(phone: str) -> list[str]:
    """A phone's digits, with and without the country code when it starts with `+`: the automaton
    reads digits across any grouping (`(538) 555-0133`, `538.555.0133`), so these two are enough."""
    groups = re.findall(r"\d+", phone)
    forms = ["".join(groups)]
    if phone.lstrip().startswith("+") and len(groups) >= 3:
        forms.append("".join(groups[1:]))
    return [form for form in forms if len(form) >= 7]


def _fragments_of(kind: str, texts: set[str], memo: Memo) -> dict[str, list[Needle]]:
    """`_fragments` of each text, the ones of the last build taken from the memo (generator/memo.py).

    Splitting thousands of contact notes and answers into sentences and words is most of the
    needles' work; a rebuild after one new response meets one new text.
    """
    name = "needles2-" + re.sub(r"[^a-z]+", "-", kind)
    known: dict[str, list[Needle]] = memo.get(name, []) or {}
    found: dict[str, list[Needle]] = {text: known[text] if text in known else _fragments(text, kind) for text in texts if isinstance(text, str)}
    if found.keys() != known.keys():
        memo.put(name, [], found)
    return {**{key: [] for key in texts}, **found}


def _exact(value: str | None, kind: str, owner: str) -> list[Needle]:
    words = tuple(words_of(value or ""))
    if len(" ".join(words)) < MIN_CHARS:
        return []
    return [Needle(words, kind, owner)]


def _fragments(text: object, kind: str) -> list[Needle]:
    """The text and each of its lines and sentences, when long enough to mean something."""
    if not isinstance(text, str) or not text.strip():
        return []
    found: dict[Words, Needle] = {}
    for part in [text, *SENTENCE_BREAK.split(text)]:
        words = tuple(words_of(part))
        if len(" ".join(words)) >= MIN_FREE_TEXT_CHARS:
            found.setdefault(words, Needle(words, kind))
    return list(found.values())


def allowed_needles(allowed: Iterable[str]) -> list[Needle]:
    """The `leak_gate.allow` texts of site.yaml, as needles of kind 'allowed'."""
    return [Needle(tuple(words), "allowed") for words in (words_of(text) for text in allowed) if words]
