"""Your words, your language: the texts clients read come from files the consultant can edit."""

from __future__ import annotations

import html
import re
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

from generator.build import build_site
from generator.cli import cli
from generator.texts import PLACEHOLDERS, default_texts, shipped_languages
from generator.texts.catalogs import catalog_path

MakePortfolio = Callable[..., Path]
SECRET = "test-secret-for-deterministic-tokens"
GERMAN_SURVEY = {
    "id": "jahresumfrage", "title": "Jährliche Umfrage",
    "questions": [
        {"id": "overall", "type": "rating", "csat": True, "label": "Wie zufrieden sind Sie insgesamt?", "required": True},
        {"id": "recommend", "type": "nps", "label": "Wie wahrscheinlich empfehlen Sie uns weiter?"},
        {"id": "improve", "type": "text", "label": "Was können wir besser machen?"},
    ],
}


def german_site(make_portfolio: MakePortfolio, **site: Any) -> Path:
    clients = [{"id": "baeckerei", "name": "Bäckerei Roth", "pcs": 12, "servers": 1,
                "contact": {"name": "Jana Roth", "email": "jana@roth.example"},
                "agreement": {"start": "2025-01-01", "term_months": 12}}]
    settings = {"business": {"name": "Muster IT", "email": "hallo@muster.example"}, "as_of": "2026-11-30",
                "site": {"language": "de", "base_url": "https://muster.example/"}, **site}
    return make_portfolio(site=settings, clients=clients, surveys={"jahresumfrage": GERMAN_SURVEY})


def english_fragments() -> list[str]:
    """Every English default text, cut at its placeholders; the pieces long enough to be words of a sentence."""
    pieces = []
    for text in default_texts("en").values():
        for literal, *_ in string.Formatter().parse(text):
            pieces += [sentence.strip(" ,.:?;—") for sentence in re.split(r"(?<=[.?!;:])\s+", literal)]
    return sorted({piece for piece in pieces if len(piece) >= 8})


def visible(page: str) -> str:
    """What a reader meets on a page: its text, and the words of attributes a browser shows or reads out."""
    words = re.findall(r'(?:title|aria-label|placeholder|alt|data-frame-title)="([^"]*)"', page)
    text = re.sub(r"<style.*?</style>|<script.*?</script>|<[^>]+>", " ", page, flags=re.S)
    return html.unescape(text + "\n" + "\n".join(words))


def mail_parts(page: str, anchor_text: str) -> tuple[str, str]:
    """(subject, body) of the first mailto link whose text starts with `anchor_text`."""
    href = re.search(rf'href="(mailto:[^"]+)">{anchor_text}', page).group(1)
    query = parse_qs(urlsplit(html.unescape(href)).query)
    return query["subject"][0], query["body"][0]


def build(data: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    build_site(data, out)


def test_a_german_site_shows_no_english_sentence_to_a_client(make_portfolio: MakePortfolio, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build(german_site(make_portfolio), out, monkeypatch)
    survey_pages = sorted((out / "public" / "survey").glob("*/index.html"))
    # the survey's page (and, while links carry the token in the path, the client's own copy)
    assert out / "public" / "survey" / "jahresumfrage" / "index.html" in survey_pages
    pages = {str(path): visible(path.read_text(encoding="utf-8")) for path in survey_pages}
    pages["thanks"] = visible((out / "public" / "thanks" / "index.html").read_text(encoding="utf-8"))
    pages["404"] = visible((out / "public" / "404.html").read_text(encoding="utf-8"))
    invitations = (out / "dashboard" / "invitations.html").read_text(encoding="utf-8")
    for anchor in ("E-mail ", "Send a reminder"):
        subject, body = mail_parts(invitations, anchor)
        pages[anchor] = subject + "\n" + body
    fragments = english_fragments()
    assert "Send my answers" in fragments and "Could you spare two minutes to tell us how we are doing" in fragments
    for name, text in pages.items():
        found = [fragment for fragment in fragments if fragment in text]
        assert found == [], f"{name} shows English: {found}"
    assert "Antworten senden" in pages[str(survey_pages[0])]
    assert "Vielen Dank — Ihre Antworten sind angekommen" in pages["thanks"]
    subject, body = mail_parts(invitations, "E-mail ")
    assert subject == "Jährliche Umfrage: zwei Minuten für Muster IT?"
    assert body.startswith("Guten Tag Jana,\n\nHätten Sie zwei Minuten")
    assert "https://muster.example/survey/" in body and body.endswith("Vielen Dank,\nMuster IT\nhallo@muster.example")
    assert mail_parts(invitations, "Send a reminder")[0].startswith("Erinnerung")


def test_an_override_in_the_data_folder_wins_and_the_rest_keeps_the_defaults(
        make_portfolio: MakePortfolio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = german_site(make_portfolio)
    (data / "texts").mkdir()
    (data / "texts" / "de.yaml").write_text('survey:\n  submit: "Ab die Post"\nthanks:\n  heading: "Merci, {business}!"\n',
                                            encoding="utf-8")
    out = tmp_path / "out"
    build(data, out, monkeypatch)
    survey = (out / "public" / "survey" / "jahresumfrage" / "index.html").read_text(encoding="utf-8")
    assert '<button type="submit">Ab die Post</button>' in survey
    assert "Sehr unzufrieden" in survey                             # not overridden: the German default
    thanks = (out / "public" / "thanks" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Merci, Muster IT!</h1>" in thanks
    assert "Sie können diese Seite jetzt schließen." in thanks


def test_validate_names_an_unknown_key_and_placeholder_with_file_and_line(make_portfolio: MakePortfolio) -> None:
    data = german_site(make_portfolio)
    (data / "texts").mkdir()
    (data / "texts" / "de.yaml").write_text(
        "survey:\n  submit: Los\n  sumbit: Los\ninvitation:\n  subject: \"{umfrage} für {business}\"\n  body:\n",
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--data", str(data)])
    assert result.exit_code != 0
    shown = f"{data}/texts/de.yaml"
    assert (f"{shown}:3: survey.sumbit: unknown text key (did you mean 'survey.submit'? the keys are those of "
            "generator/texts/en.yaml)") in result.output
    assert (f"{shown}:5: invitation.subject: '{{umfrage}}' is not filled in here "
            "(expected: {business}, {name}, {survey}, {survey_lower})") in result.output
    assert f"{shown}:6: invitation.body: expected a text (write it in quotes)" in result.output
    assert "Traceback" not in result.output


def test_every_shipped_language_has_every_key_with_only_known_placeholders() -> None:
    english = default_texts("en")
    assert {"de", "en", "es", "fr", "nl"} <= set(shipped_languages())
    for language in shipped_languages():
        with catalog_path(language).open("rb") as source:
            catalog = read_po(source)
        entries = {message.context: message for message in catalog if message.id}
        assert set(entries) == set(english), f"{language}: the catalog's keys differ from generator/texts/en.yaml"
        texts = default_texts(language)
        for key, text in texts.items():
            assert entries[key].id == english[key], f"{language}: {key} translates an older English text"
            assert not entries[key].fuzzy, f"{language}: {key} is marked fuzzy (left out of the compiled catalog)"
            assert language == "en" or entries[key].string, f"{language} lacks {key}"
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            assert names <= PLACEHOLDERS[key.split(".")[0]], (language, key)
        if language != "en":
            same = [key for key in texts if texts[key] == english[key] and len(english[key]) > 12]
            assert same == [], f"{language} keeps English for {same}"


def test_a_regional_language_uses_its_primary_language() -> None:
    assert default_texts("de-CH")["survey.submit"] == "Antworten senden"
    assert default_texts("es")["survey.submit"] == "Enviar mis respuestas"
    assert default_texts("nl-BE")["survey.submit"] == "Antwoorden versturen"
    assert default_texts("it")["survey.submit"] == "Send my answers"     # no Italian catalog shipped


def test_the_language_must_be_a_language_tag(make_portfolio: MakePortfolio) -> None:
    data = german_site(make_portfolio, site={"language": "../../secret"})
    result = CliRunner().invoke(cli, ["validate", "--data", str(data)])
    assert result.exit_code == 1
    assert f"{data}/site.yaml:" in result.output and "site.language: '../../secret' is not of the expected form" in result.output
