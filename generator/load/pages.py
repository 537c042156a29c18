"""Load the business's own Markdown pages from `data/pages/*.md`."""

from __future__ import annotations

from pathlib import Path

from generator.errors import Problem
from generator.model import SLUG
from generator.portfolio import Page


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
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(shown, 1, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
            continue
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), path.stem.replace("-", " ").title())
        pages.append(Page(path.stem, title, text))
    return tuple(pages)
