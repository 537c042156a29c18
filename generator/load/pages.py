"""Load the business's own Markdown pages from `data/pages/*.md`."""

from __future__ import annotations

from pathlib import Path

from generator.errors import Problem, decode_utf8, not_utf8
from generator.model import SLUG
from generator.portfolio import Page

# paths the site itself uses at its root (thanks/, survey/<id>/, assets/, 404.html, the
# published dashboard/ and the collector's api/): a page of that name would replace it or be lost
RESERVED_PAGE_NAMES = ("404", "api", "assets", "dashboard", "survey", "thanks")


def load_pages(folder: Path, shown_folder: str, problems: list[Problem]) -> tuple[Page, ...]:
    """Every `<slug>.md`, titled by its first `# ` heading."""
    if not folder.is_dir():
        return ()
    pages: list[Page] = []
    for path in sorted(folder.glob("*.md")):
        shown = f"{shown_folder}/{path.name}"
        if not SLUG.match(path.stem):
            problems.append(Problem(shown, 0, "", f"'{path.stem}' is not a page name (expected lower-case letters, digits and '-')"))
            continue
        if path.stem in RESERVED_PAGE_NAMES:
            problems.append(Problem(shown, 0, "", f"'{path.stem}' is a name the site uses itself "
                                                  f"(reserved: {', '.join(RESERVED_PAGE_NAMES)}; rename the page)"))
            continue
        try:
            text = decode_utf8(path.read_bytes())
        except UnicodeDecodeError as exc:
            problems.append(not_utf8(shown, exc))
            continue
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), path.stem.replace("-", " ").title())
        pages.append(Page(path.stem, title, text))
    return tuple(pages)
