"""The leak gate: no client data in plain text in anything meant for publishing.

Every file under `public/` is read — its contents, and its path — for the private strings of
the portfolio: client names and ids, contact names, e-mails and phones (also without the
country code), client notes, the notes of the contact log and the free-text answers of every
survey. Text is compared as words: HTML entities, %- and \\u-escapes decoded, invisible
characters dropped, Unicode-normalised, case-folded, and split into runs of letters and
digits (each character its own word in scripts written without spaces), so
`Caf&eacute; Lumi&#232;re` and `CAFÉ  LUMIÈRE` both match `Café Lumière`, while a name never
matches inside a longer word. Ciphertext is not skipped:
encrypted dashboards carry it without a letter or digit (generator/safety/crypto.py), so their
unlock pages are read like any other file, and random base64 anywhere else is read as words.

Left out on purpose (see README, "Publishing"): strings under 4 characters; note and answer
fragments under 12 characters, or of at most three words found in the business's own public
text (survey questions, pages), which would stop builds for words like "Backups"; a client
id of one word, or whose words are the business's own text, except in file names; staff
names, which are the consultant's own people. The one allowed exception is a client's own survey pages greeting
them by name when `forms.greet_by_name` is on.
"""

from __future__ import annotations

import dataclasses
import html
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from generator.errors import RapportError
from generator.memo import NO_MEMO, Memo
from generator.portfolio import Portfolio
from generator.render.public import page_path
from generator.tokens import survey_token
from generator.files import BuiltFile, OutputFile

MIN_CHARS = 4
MIN_FREE_TEXT_CHARS = 12
WORD = re.compile(r"[^\W_]+")  # letters and digits; "_" separates like any punctuation
TAG = re.compile(r"<[^>]*>")
JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
# format characters that change no word: soft hyphen, zero-width space and joiners, bidi marks, BOM
INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Han, kana and Hangul syllables: text in them runs on without spaces between words
UNSPACED_SCRIPT = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
# free-text fragments of at most this many words that also appear in the business's own public
# text are ordinary words ("Backups", "About right"); longer ones are a client's words copied out
ORDINARY_WORDS = 3
SENTENCE_BREAK = re.compile(r"[\r\n]+|(?<=[.!?;:])\s+|\s[—–]\s")  # lines, sentences, clauses
MARKDOWN_LINK_TARGET = re.compile(r"\]\([^)]*\)")
TOKEN_CHARS = 22  # a survey token has at least 128 bits (generator/tokens.py: 49 digits)
MARKUP_SUFFIXES = (".html", ".htm", ".xml", ".svg")
GREETING_KINDS = ("client name", "contact name")
# path words of the site itself; a client id equal to one of these cannot be told apart from it
SITE_WORDS = {"index", "survey", "thanks", "assets", "dashboard", "404", "html", "public"}

Words = tuple[str, ...]


@dataclass(frozen=True, order=True)
class Finding:
    """Client data of one kind found in one file (the data itself is never kept)."""

    file: str
    kind: str
    source: str = ""  # the data file it was made from, when that is one of the business's pages

    def __str__(self) -> str:
        return f"{self.file}: {self.kind}" + (f" (made from {self.source})" if self.source else "")


class LeakError(RapportError):
    """Client data was found in files meant for publishing."""

    def __init__(self, findings: Iterable[Finding]):
        self.findings = sorted(set(findings))
        files = len({finding.file for finding in self.findings})
        lines = "\n".join(f"  {finding}" for finding in self.findings)
        super().__init__(
            f"the leak gate found client data in {files} file{'s' if files != 1 else ''} meant for publishing "
            f"(kind shown, never the data):\n{lines}\n"
            "Nothing was written or published. Remove it from the template, page or setting that puts it there; "
            "if it is found in files that never show client data (survey.js, robots.txt, the 404 page), a client's "
            "name or id is an ordinary word of the site itself (a client called 'Survey'): write the name out in "
            "full in clients.yaml ('Survey Partners Ltd')."
        )


@dataclass(frozen=True)
class Needle:
    """One private string, as words, with what it is and whose it is."""

    words: Words
    kind: str
    owner: str = ""
    in_paths_only: bool = False


def words_of(text: str) -> list[str]:
    """The comparable words of a text: entities, %- and \\u-escapes decoded, NFKC, case-folded.

    Invisible characters inside a word (a soft hyphen, a zero-width space, bidi marks) are
    dropped, so `Bay\u00adview` reads as `Bayview`; each character of a script written without
    spaces (Chinese, Japanese) is a word of its own, so a name is found inside a longer run.
    """
    text = html.unescape(text)
    if "%" in text:
        text = unquote(text, errors="replace")
    if "\\u" in text:
        text = JSON_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = INVISIBLE.sub("", text)
        if UNSPACED_SCRIPT.search(text):
            text = UNSPACED_SCRIPT.sub(r" \g<0> ", text)
    return WORD.findall(text)


class Matcher:
    """Finds word sequences in a text; indexed by each needle's longest word, so a scan is one pass."""

    def __init__(self, needles: Iterable[Needle]):
        grouped: dict[Words, list[Needle]] = defaultdict(list)
        for needle in needles:
            grouped[needle.words].append(needle)
        self.by_anchor: dict[str, list[tuple[Words, int, list[Needle]]]] = defaultdict(list)
        for words, group in grouped.items():
            anchor = max(range(len(words)), key=lambda index: len(words[index]))
            self.by_anchor[words[anchor]].append((words, anchor, group))

    def find(self, words: list[str]) -> Iterator[Needle]:
        """Every needle whose words occur, in order and adjacent, in words."""
        present = self.by_anchor.keys() & set(words)
        for anchor in present:
            waiting = list(self.by_anchor[anchor])
            index = -1
            while waiting:
                try:
                    index = words.index(anchor, index + 1)  # a C-speed scan to the next occurrence
                except ValueError:
                    break
                for entry in list(waiting):
                    needle_words, offset, group = entry
                    start = index - offset
                    if start >= 0 and tuple(words[start:start + len(needle_words)]) == needle_words:
                        waiting.remove(entry)
                        yield from group


def private_needles(portfolio: Portfolio, memo: Memo = NO_MEMO) -> list[Needle]:
    """Every private string of the portfolio worth looking for."""
    return _private_needles(portfolio, memo)


def _private_needles(portfolio: Portfolio, memo: Memo) -> list[Needle]:
    needles: list[Needle] = []
    ids: list[Needle] = []
    reserved = SITE_WORDS | {survey.id for survey in portfolio.surveys} | {page.slug for page in portfolio.pages}
    # free text is looked for whoever wrote it (only a greeting needs an owner), and repeats a lot
    free_text: dict[str, set[object]] = defaultdict(set)
    for client in portfolio.clients:
        needles += _exact(client.name, "client name", client.id)
        if client.id not in reserved:
            # an id of several words ("bayview-dental") names its client in a page too, unless
            # those words are the business's own public text; a one-word id only in file names
            ids += _exact(client.id, "client id", client.id)
        needles += _exact(client.contact.name, "contact name", client.id)
        needles += _exact(client.contact.email, "contact e-mail", client.id)
        for phone in _phone_forms(client.contact.phone or ""):
            needles += _exact(phone, "contact phone", client.id)
        if client.notes:
            # Markdown marks are punctuation, which words ignore; only link targets are not shown
            free_text["client notes"].add(MARKDOWN_LINK_TARGET.sub("]", client.notes))
    free_text["contact-log note"].update(portfolio.contacts["note"].tolist())
    for survey in portfolio.surveys:
        frame = portfolio.responses.get(survey.id)
        for question in survey.questions:
            if frame is not None and question.type == "text" and question.id in frame.columns:
                free_text["free-text answer"].update(frame[question.id].tolist())
    split = {kind: _fragments_of(kind, texts, memo) for kind, texts in free_text.items()}
    fragments = {needle.words: needle for kind, texts in free_text.items() for text in texts for needle in split[kind][text]}
    public = _public_words(portfolio)
    ordinary = {needle.words for needle in Matcher(fragments.values()).find(public)
                if len(needle.words) <= ORDINARY_WORDS}
    public_ids = {needle.words for needle in Matcher(ids).find(public)}
    for needle in ids:
        in_content = len(needle.words) > 1 and needle.words not in public_ids
        needles.append(dataclasses.replace(needle, in_paths_only=not in_content))
    return needles + [needle for words, needle in fragments.items() if words not in ordinary]


def _phone_forms(phone: str) -> list[str]:
    """A phone as written, its digits, and both without the country code when it starts with `+`:
    a page may well write `+1 538 555 0133` as `(538) 555-0133` or `538.555.0133`."""
    groups = re.findall(r"\d+", phone)
    forms = [phone, "".join(groups)]
    if phone.lstrip().startswith("+") and len(groups) >= 3:
        forms += [" ".join(groups[1:]), "".join(groups[1:])]
    return forms


def _fragments_of(kind: str, texts: set[object], memo: Memo) -> dict[object, list[Needle]]:
    """`_fragments` of each text, the ones of the last build taken from the memo (generator/memo.py).

    Splitting thousands of contact notes and answers into sentences and words is most of the
    gate's work; a rebuild after one new response meets one new text.
    """
    name = "needles-" + re.sub(r"[^a-z]+", "-", kind)
    known = memo.get(name, []) or {}
    found = {text: known[text] if text in known else _fragments(text, kind) for text in texts if isinstance(text, str)}
    if found.keys() != known.keys():
        memo.put(name, [], found)
    return {**dict.fromkeys(texts, []), **{text: needles for text, needles in found.items()}}


def _exact(value: str | None, kind: str, owner: str, in_paths_only: bool = False) -> list[Needle]:
    words = tuple(words_of(value or ""))
    if len(" ".join(words)) < MIN_CHARS:
        return []
    return [Needle(words, kind, owner, in_paths_only)]


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


def _public_words(portfolio: Portfolio) -> list[str]:
    """The business's own public text, one word list (with breaks) to test free text against."""
    settings = portfolio.settings
    texts = [settings.business.name, settings.business.email or "", settings.business.phone or ""]
    for survey in portfolio.surveys:
        texts += [survey.title, survey.intro or ""]
        for question in survey.questions:
            texts += [question.label, question.low_label or "", question.high_label or "", *(question.options or ())]
    for page in portfolio.pages:
        texts += [page.title, page.markdown]
    words: list[str] = []
    for text in texts:
        words += words_of(text) + ["\x00"]  # a break, so no match spans two texts
    return words


def greeting_pages(portfolio: Portfolio, secret: bytes) -> dict[str, str]:
    """Path → client id of the survey pages allowed to greet their client by name."""
    if not portfolio.settings.forms.greet_by_name:
        return {}
    return {
        f"public/survey/{survey_token(secret, survey.id, client.id)}/index.html": client.id
        for survey in portfolio.surveys for client in portfolio.clients
    }


def scan(portfolio: Portfolio, files: Iterable[BuiltFile], secret: bytes, memo: Memo = NO_MEMO) -> list[Finding]:
    """Findings for every file under `public/`; empty when nothing leaks."""
    needles = _private_needles(portfolio, memo)
    in_content, in_paths = Matcher(needle for needle in needles if not needle.in_paths_only), Matcher(needles)
    greeted = greeting_pages(portfolio, secret)
    # the business's own pages, by where they are published: a finding there names its Markdown file
    sources = {page_path(page): f"pages/{page.slug}.md" for page in portfolio.pages}
    findings: set[Finding] = set()
    # personal survey pages differ only in their token: scan each distinct text once
    found_in: dict[tuple[bool, bytes], list[Needle]] = {}
    for item in files:
        if not item.path.startswith("public/"):
            continue
        path, content = item.path.removeprefix("public/"), item.content
        token = _survey_token(path)
        if token:  # random letters, not words: "…-Acme_…" in a token is no client's name
            # replaced in the bytes (UTF-8 matches whole characters only), before anything is decoded
            path, content = path.replace(token, " "), content.replace(token.encode("utf-8"), b" ")
        for needle in in_paths.find(words_of(path)):
            findings.add(Finding(item.path, f"{needle.kind} in the file name", sources.get(item.path, "")))
        markup = item.path.lower().endswith(MARKUP_SUFFIXES)
        key = (markup, content)
        if key not in found_in:
            found_in[key] = _needles_in(in_content, content.decode("utf-8", errors="replace"), markup)
        for needle in found_in[key]:
            if needle.kind in GREETING_KINDS and greeted.get(item.path) == needle.owner:
                continue
            findings.add(Finding(item.path, needle.kind, sources.get(item.path, "")))
    return sorted(findings)


def _needles_in(matcher: Matcher, text: str, markup: bool) -> list[Needle]:
    """Needles found in a file's text, read as written and, for markup, as a visitor sees it."""
    views = [text, TAG.sub(" ", text)] if markup else [text]  # "Renewal <b>soon</b>" reads as "Renewal soon"
    return [needle for view in views for needle in matcher.find(words_of(view))]


def _survey_token(path: str) -> str:
    """The token of a personal survey page's path (`survey/<token>/…`), else ''."""
    parts = path.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "survey" and len(parts[1]) >= TOKEN_CHARS else ""


def read_public_folder(public_dir: Path) -> list[OutputFile]:
    """Every file of a built `public/` folder, as the build would have listed it."""
    return [
        OutputFile(str(PurePosixPath("public", *path.relative_to(public_dir).parts)), path.read_bytes())
        for path in sorted(public_dir.rglob("*")) if path.is_file()
    ]
