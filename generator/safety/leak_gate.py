"""The leak gate: no client data in plain text in anything meant for publishing.

Every file under `public/` is read — its contents, and its path — for the private strings of
the portfolio (generator/safety/leak_needles.py says which). Text is compared as words:
HTML entities, %- and \\u-escapes decoded, invisible characters dropped, Unicode-normalised,
transliterated to ASCII and case-folded; markup is read as written and as a visitor sees it.
One automaton finds every needle in one pass (generator/safety/word_automaton.py), with the
words run together, so `Cafe Lumiere`, `CAFÉ LUMIÈRE`, `Bay<b>view</b>` and `Bay-view` all
match, and a phone matches however its digits are grouped; a name never matches inside a
longer word. Ciphertext is not skipped: encrypted dashboards carry it without a letter or
digit (generator/safety/crypto.py), so their unlock pages are read like any other file.

Texts listed in `site.yaml` under `leak_gate: {allow: [{text: ..., reason: ...}]}` may appear:
a finding inside one of them is not a finding. They are printed on every build.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.errors import RapportError
from generator.files import BuiltFile, OutputFile
from generator.forks import Later
from generator.memo import NO_MEMO, Memo
from generator.portfolio import Portfolio
from generator.render.public import page_path
from generator.safety.leak_needles import Needle, allowed_needles, make_needles, words_of
from generator.safety.leak_passed import Passed, Seen
from generator.safety.passphrase import dashboard_passphrase
from generator.safety.word_automaton import WordAutomaton, WordRun

__all__ = ["Finding", "LeakError", "LeakGate", "Needle", "private_needles", "read_public_folder", "scan", "words_of"]

TAG = re.compile(r"<[^>]*>")
PREPARE_UP_TO = 5_000  # clients: a larger portfolio's automaton, when one is needed, is made after the render
# public files from which every needle's automaton is made before reading them, not once the lookups have read enough
# (generator/safety/word_automaton.py): a few pages are a public site, more are encrypted dashboards
MANY_FILES = 100
MARKUP_SUFFIXES = (".html", ".htm", ".xml", ".svg")
# held (`Memo.hold`) for the next build of `rapport serve`: each public file's views (`_views`), up to this many
# characters (some 3 bytes each): a file that passed is read again for a new answer's needles without its words made
VIEWS, HELD_CHARS = "leak-gate-views", 4_000_000
Views = tuple[WordRun, ...]  # a public file's path, bytes, and (markup) bytes without tags, as `_views` reads them


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


def private_needles(portfolio: Portfolio, secret: bytes = b"", memo: Memo = NO_MEMO) -> list[Needle]:
    """Every private string of the portfolio worth looking for."""
    return make_needles(portfolio, secret, memo)


def scan(
    portfolio: Portfolio, files: Iterable[BuiltFile], secret: bytes, memo: Memo = NO_MEMO,
    made_needles: Callable[[], list[Needle]] | None = None,
) -> list[Finding]:
    """Findings for every file under `public/`; empty when nothing leaks. Prints the allowed texts found.

    `made_needles`, when given, returns the portfolio's private needles (made elsewhere, meanwhile).
    """
    return LeakGate(portfolio, secret, memo, made_needles).scan(files)


class LeakGate:
    """The leak gate of one portfolio: its needles, what passed it before, its automaton, each made when first needed.

    A build makes the costly part (`prepare`) on one core while the other starts on the pages,
    and `scan`s the public files once they are made.
    """

    def __init__(self, portfolio: Portfolio, secret: bytes = b"", memo: Memo = NO_MEMO,
                 made_needles: Callable[[], list[Needle]] | None = None):
        self.portfolio = portfolio
        self.secret = secret
        self.memo = memo
        self.made_needles = made_needles  # the portfolio's private needles, made elsewhere meanwhile

    @functools.cached_property
    def private(self) -> list[Needle]:
        """Every private string of the portfolio worth looking for."""
        return self.made_needles() if self.made_needles is not None else make_needles(self.portfolio, self.secret, self.memo)

    @functools.cached_property
    def allowed(self) -> list[Needle]:
        """The texts `leak_gate.allow` lets through."""
        return allowed_needles(entry.text for entry in self.portfolio.settings.leak_gate.allow)

    @functools.cached_property
    def passed(self) -> Passed:
        """The files that passed the last build's needles, and the needles added since."""
        return Passed.recall(self.memo, self.private, self.allowed)

    @functools.cached_property
    def automaton(self) -> WordAutomaton:
        """Every needle: for a file not read before."""
        return WordAutomaton([*self.private, *self.allowed])

    @functools.cached_property
    def added(self) -> WordAutomaton:
        """The needles added since the last build: for a file that passed the last build's."""
        return WordAutomaton([*self.passed.added, *self.allowed])

    def prepare(self) -> bool:
        """Make now what the scan will need: the needles in, what passed before, and (a first build) every needle's
        automaton when the public site will hold a page per dashboard page (encrypted dashboards).

        False, and nothing made, while the needles are still being made elsewhere (generator/forks.py):
        waiting for them here would keep this core from its pages. A public site of a few pages is read
        by looking its words up (generator/safety/word_automaton.py), so no automaton is made for it; nor
        for a portfolio larger than PREPARE_UP_TO clients: held beside the render, it would add to the
        build's peak memory (a quarter of a gigabyte at 10,000 clients).
        """
        if isinstance(self.made_needles, Later) and not self.made_needles.ready():
            return False
        _library_script_digest()
        if not self.passed.earlier:
            automaton = self.automaton
            if len(self.portfolio.clients) <= PREPARE_UP_TO and self._encrypts():
                automaton.make()
        return True

    def _encrypts(self) -> bool:
        """Whether the build publishes the dashboards encrypted (generator/safety/__init__.py `check_publishable`)."""
        if self.portfolio.settings.dashboards.publish != "encrypted":
            return False
        with contextlib.suppress(RapportError):  # a weak passphrase: the publish checks say so
            return dashboard_passphrase(self.portfolio.data_dir) is not None
        return False

    def scan(self, files: Iterable[BuiltFile]) -> list[Finding]:
        """Findings for every file under `public/`; empty when nothing leaks. Prints the allowed texts found."""
        passed = self.passed
        files = list(files)
        if not passed.earlier and sum(item.path.startswith("public/") for item in files) > MANY_FILES:
            self.automaton.make()  # a first build of a large public site (encrypted dashboards): it will pay
        # the business's own pages, by where they are published: a finding there names its Markdown file
        sources = {page_path(page): f"pages/{page.slug}.md" for page in self.portfolio.pages}
        findings: set[Finding] = set()
        allowed_in: dict[str, int] = {}
        held: dict[Seen, Views] = self.memo.held(VIEWS, []) or {}
        kept: dict[Seen, Views] = {}  # the views read this build, for the next one (`rapport serve`)
        self.memo.hold(VIEWS, [], kept)
        # filled only while the memo holds it: a build that is its process's only one lets each file's views go
        holding = self.memo.held(VIEWS, []) is kept
        kept_chars = 0 if holding else HELD_CHARS
        for item in files:
            if not item.path.startswith("public/"):
                continue
            if item.sha256 == _library_script_digest():
                continue  # plotly.js as its makers ship it (generator/charts/bundle.py): no byte of it is ours
            seen = (item.path, item.sha256)
            views = held.get(seen)
            allowed_here = passed.before(item)
            found: set[Finding] = set()
            if allowed_here is not None and passed.added:  # passed the last build's needles: read for the new ones
                views = views or _views(item, holding)
                found, hidden = _read(self.added, item, "", views)
                allowed_here = None if found else tuple(sorted({*allowed_here, *hidden}))
            if allowed_here is None:
                views = views or _views(item, holding)
                found, allowed_here = _read(self.automaton, item, sources.get(item.path, ""), views)
                findings |= found
            if not found:  # only a file that passed is remembered as passing
                passed.passing[seen] = allowed_here
            if views is not None and kept_chars < HELD_CHARS:
                kept[seen] = views
                kept_chars += sum(len(view.text) for view in views)
            for text in allowed_here:
                allowed_in[text] = allowed_in.get(text, 0) + 1
        passed.keep(self.memo)
        _print_allowed(self.portfolio, allowed_in)
        return sorted(findings)


def _views(item: BuiltFile, compact: bool) -> Views:
    """A public file's path and bytes as the gate reads them, as words run together (`compact`: to be kept); markup
    also as a visitor sees it."""
    content = item.content.decode("utf-8", errors="replace")
    views = [item.path.removeprefix("public/"), content]
    if item.path.lower().endswith(MARKUP_SUFFIXES):
        views.append(TAG.sub(" ", content))  # "Renewal <b>soon</b>" reads as "Renewal soon"
    return tuple(WordRun(words_of(view), compact) for view in views)


def _read(automaton: WordAutomaton, item: BuiltFile, source: str, views: Views) -> tuple[set[Finding], tuple[str, ...]]:
    """The findings in one file's path and bytes (`_views`), and the allowed texts that hid one there."""
    name, *contents = views
    needles, _ = found_in(automaton, name)
    findings = {Finding(item.path, f"{needle.kind} in the file name", source) for needle in needles}
    allowed_here: set[str] = set()
    for view in contents:
        needles, allowed = found_in(automaton, view)
        findings.update(Finding(item.path, needle.kind, source) for needle in needles)
        allowed_here |= allowed
    return findings, tuple(sorted(allowed_here))


@functools.cache
def _library_script_digest() -> str:
    """The sha256 of the plotly.js bundle the dashboards load."""
    from generator.charts.bundle import dashboard_bundle

    return hashlib.sha256(dashboard_bundle().script).hexdigest()


def found_in(automaton: WordAutomaton, text: str | WordRun) -> tuple[set[Needle], set[str]]:
    """The needles found in a text (or its words, run together) but inside an allowed text; and the allowed texts
    that hid one."""
    run = text if isinstance(text, WordRun) else WordRun(words_of(text))
    hits = [(first, after, needle) for first, after, needle in automaton.find(run) if isinstance(needle, Needle)]
    allowed = [(first, after, needle) for first, after, needle in hits if needle.kind == "allowed"]
    found: list[tuple[int, int, Needle]] = []
    hid: set[str] = set()
    for first, after, needle in hits:
        if needle.kind == "allowed":
            continue
        covering = [" ".join(other.words) for start, end, other in allowed if start <= first and after <= end]
        if covering:
            hid.update(covering)
        else:
            found.append((first, after, needle))
    # a word of a name inside the whole name is one finding, the name's
    spans = {(first, after) for first, after, _ in found}
    return {needle for first, after, needle in found
            if not any(start <= first and after <= end and end - start > after - first for start, end in spans)}, hid


def _print_allowed(portfolio: Portfolio, found: dict[str, int]) -> None:
    """Every `leak_gate.allow` entry, on stderr: what it lets through, why, and in how many files."""
    for entry in portfolio.settings.leak_gate.allow:
        count = found.get(" ".join(words_of(entry.text)), 0)
        sys.stderr.write(f"leak gate: allowed '{entry.text}' ({entry.reason}): {count} file{'s' if count != 1 else ''}\n")


def read_public_folder(public_dir: Path) -> list[OutputFile]:
    """Every file of a built `public/` folder, as the build would have listed it."""
    return [
        OutputFile(str(PurePosixPath("public", *path.relative_to(public_dir).parts)), path.read_bytes())
        for path in sorted(public_dir.rglob("*")) if path.is_file()
    ]
