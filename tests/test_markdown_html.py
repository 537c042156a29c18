"""Notes converted by a parser that skips the inline patterns whose character a text lacks come out
exactly as Python-Markdown's full parser writes them (generator/markdown_html.py)."""

from __future__ import annotations

import random

import markdown
import pytest

from generator.markdown_html import _SANITISER, BLOCK_NEEDS, INLINE_NEEDS, _parser, _plain_blocks, markdown_to_html

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


# words and punctuation a note is written in, with the characters and line starts that make a text not plain
PLAIN_WORDS = [
    "word", "Tom", "é", "—", "–", ".", ",", ":", ";", "'", '"', "$500", "(x)", "+", "%", "?", "/", "https://x.example",
    "a@b.example", "~", "^", "日本", "{", "}", "1.5", "10.", "-a", "-", "--", "1.", "2)", "a-b", "- ", "+ ", "a.", "\U0001F600",
]
NOT_PLAIN = ["=", "x  y", "  ", "\xa0", "\u00ad", "\t", "*", "_", "&", "<b>", "\\", "`", "[x]", "#", "|", "!"]


def plain_note(generator: random.Random) -> str:
    """Blocks of paragraph lines or list items (some of them not plain), one or more blank lines apart."""
    def line() -> str:
        words = (generator.choice(NOT_PLAIN if generator.random() < 0.01 else PLAIN_WORDS) for _ in range(generator.randint(1, 8)))
        return "".join(word + generator.choice(["", " ", " "]) for word in words).strip(" ")
    blocks = ["\n".join(generator.choice(["- ", "- ", "-", "+ ", ""]) * (kind < 0.5) + line() for _ in range(generator.randint(1, 4)))
              for kind in (generator.random() for _ in range(generator.randint(1, 5)))]
    return "".join(block + generator.choice(["\n\n", "\n\n", "\n", "\n\n\n"]) for block in blocks)[:-1] + generator.choice(["", "\n", "\n\n"])


def test_a_plain_note_is_written_as_the_full_parser_and_the_sanitiser_write_it() -> None:
    generator, full, plain = random.Random(41), full_parser(), 0
    for _ in range(6000):
        text = plain_note(generator)
        if _plain_blocks(text) is not None:
            plain += 1
            assert markdown_to_html.__wrapped__(text) == _SANITISER.clean(full.reset().convert(text)), text
    assert plain > 300  # the random notes reach the written path


@pytest.mark.parametrize("text", [
    "a\n- b", "- a\nb", "- a\n\n- b", "a  \nb", " a", "a\n\n\nb", "\na", "1. a", "- 1. a", "- - a", "+ a", "a\n---", "a\n-",
    "a\xa0b", "a\tb", "a & b", "a = b", "**a**", "",
])
def test_a_text_of_more_than_paragraphs_and_lists_goes_to_the_parser(text: str) -> None:
    assert _plain_blocks(text) is None


def test_a_typical_note_is_plain() -> None:
    assert _plain_blocks(NOTES[0].replace("**", "")) == [["Four-chair practice."], ["- Imaging server; nightly backup.",
                                                                                      "- Renewal soon — book a visit."]]
