"""Notes converted by a parser that skips the inline patterns whose character a text lacks come out
exactly as Python-Markdown's full parser writes them (generator/markdown_html.py)."""

from __future__ import annotations

import random

import markdown
import pytest

from generator.markdown_html import BLOCK_NEEDS, INLINE_NEEDS, _parser, markdown_to_html

TOKENS = [
    "word", "Tom", " ", " ", "  \n", "\n", "\n\n", "\t", "- ", "* ", "1. ", "> ", "# ", "**", "*", "__", "_", "`", "``",
    "\\", "\\*", "[", "]", "(", ")", "[x](https://ok.example)", "![i](x.png)", "[ref]", "[ref]: https://r.example",
    "<", ">", "<b>", "</b>", "<https://a.example>", "<me@mail.example>", "<!-- c -->", "&", "&amp;", "&#169;", "&copy;",
    "| a | b |\n|---|---|\n| 1 | 2 |\n", "me@mail.example", "https://bare.example", "—", "é", "2 < 3", "a&b", "x_y_z",
]
NOTES = [
    "Four-chair practice.\n\n- Imaging server; nightly backup.\n- **Renewal soon** — book a visit.\n",
    'Noémie said they\'d "happily recommend us".\n',
    "line one  \nline two\twith a tab\n\n    indented code <b> & `x`\n",
    "| Site | PCs |\n|------|----:|\n| HQ | 12 |\n| Depot | 3 |\n",
    "Escaped \\*stars\\* and \\[brackets\\]; an email me@mail.example and <https://link.example>.",
    "Tom & Jerry &amp; co &copy; 2026 <!-- hidden --> <i>raw</i>",
    "[click](javascript:alert(1)) [ok][r]\n\n[r]: https://ok.example \"t\"\n",
    "",
]


def full_parser() -> markdown.Markdown:
    return markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")


@pytest.mark.parametrize("text", NOTES)
def test_a_note_converts_as_the_full_parser_converts_it(text: str) -> None:
    assert _parser(text).reset().convert(text) == full_parser().convert(text)


def test_random_markdown_converts_as_the_full_parser_converts_it() -> None:
    generator = random.Random(17)
    full = full_parser()
    for _ in range(600):
        text = "".join(generator.choice(TOKENS) for _ in range(generator.randint(1, 30)))
        assert _parser(text).reset().convert(text) == full.reset().convert(text), text


@pytest.mark.parametrize("missing", [">", "#", "|", "[", "<&", "<&>#|[`\\"])
def test_random_markdown_without_a_characters_converts_as_the_full_parser_converts_it(missing: str) -> None:
    # texts lacking the characters a skipped block processor or the raw-HTML step needs
    generator = random.Random(29)
    tokens = [token for token in TOKENS if not any(char in token for char in missing)]
    full = full_parser()
    for _ in range(300):
        text = "".join(generator.choice(tokens) for _ in range(generator.randint(1, 30)))
        assert _parser(text).reset().convert(text) == full.reset().convert(text), text


def test_only_the_block_steps_of_missing_characters_are_skipped() -> None:
    plain, every, full = _parser("plain words"), _parser(">#|[<"), full_parser()
    assert not any(name in plain.parser.blockprocessors for name in BLOCK_NEEDS) and "html_block" not in plain.preprocessors
    assert len(plain.parser.blockprocessors) == len(full.parser.blockprocessors) - len(BLOCK_NEEDS)
    assert all(name in every.parser.blockprocessors for name in BLOCK_NEEDS) and "html_block" in every.preprocessors
    assert "html_block" in _parser("Tom & Jerry").preprocessors


def test_only_the_patterns_of_missing_characters_are_skipped() -> None:
    plain, every, full = _parser("plain words").inlinePatterns, _parser("`\\[<&").inlinePatterns, full_parser().inlinePatterns
    assert not any(name in plain for name in INLINE_NEEDS) and len(plain) == len(full) - len(INLINE_NEEDS)
    assert all(name in every for name in INLINE_NEEDS) and len(every) == len(full)


def test_markup_in_a_note_is_still_sanitised() -> None:
    # the script and its content go, the javascript: link loses its href
    assert markdown_to_html("<script>alert(1)</script> **b** [x](javascript:alert(1))") == \
        '\n<p><strong>b</strong> <a rel="noopener noreferrer">x</a></p>'
