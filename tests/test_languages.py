"""Surveys in the client's language: a client with `language: de` (or `es`) reads no English anywhere."""

from __future__ import annotations

import html
import re
import string
import time
from email import policy
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

from generator.build import build_site
from generator.cli import cli
from generator.ingest.collector import CollectorConfig, create_collector_app
from generator.ingest.importers import import_file
from generator.load import load_portfolio
from generator.texts.catalogs import catalog_path
from generator.tokens import survey_token
from tests.conftest import REPO, serve_with_capture
from tests.test_ingest_collector import in_process, rows

SECRET = "language-test-secret"
BASE = "https://harbor.example/rapport/"
CONTACTS = {"acme": "Dana Ruiz", "baeckerei": "Jana Roth", "lopez": "Lucía López"}
SURVEY: dict[str, Any] = {
    "id": "review", "title": "Annual service review", "intro": "Thank you for **two minutes** of your time.",
    "questions": [
        {"id": "overall", "type": "rating", "csat": True, "label": "Overall, how satisfied are you?", "required": True},
        {"id": "recommend", "type": "nps", "label": "How likely are you to recommend us?",
         "low_label": "Not likely at all", "high_label": "Very likely indeed"},
        {"id": "visits", "type": "choice", "options": ["Too few", "About right", "Too many"], "label": "Our on-site visits are…"},
        {"id": "areas", "type": "multi", "options": ["Helpdesk", "Backups", "Security"], "label": "Which areas matter most?"},
        {"id": "improve", "type": "text", "label": "How can we improve?"},
    ],
    "translations": {
        "de": {"title": "Jährliche Serviceumfrage", "intro": "Danke für **zwei Minuten** Ihrer Zeit.", "questions": {
            "overall": {"label": "Wie zufrieden sind Sie insgesamt?"},
            "recommend": {"label": "Wie wahrscheinlich empfehlen Sie uns weiter?", "low_label": "Gar nicht",
                          "high_label": "Ganz bestimmt"},
            "visits": {"label": "Unsere Besuche vor Ort sind …",
                       "options": {"Too few": "Zu selten", "About right": "Genau richtig", "Too many": "Zu häufig"}},
            "areas": {"label": "Welche Bereiche sind Ihnen am wichtigsten?",
                      "options": {"Helpdesk": "Hotline", "Backups": "Datensicherung", "Security": "Sicherheit"}},
            "improve": {"label": "Was können wir besser machen?"}}},
        "es": {"title": "Encuesta anual de servicio", "intro": "Gracias por **dos minutos** de su tiempo.", "questions": {
            "overall": {"label": "¿Cuál es su grado de satisfacción general?"},
            "recommend": {"label": "¿Nos recomendaría?", "low_label": "Nada probable", "high_label": "Seguro que sí"},
            "visits": {"label": "Nuestras visitas in situ son…",
                       "options": {"Too few": "Escasas", "About right": "Adecuadas", "Too many": "Excesivas"}},
            "areas": {"label": "¿Qué áreas le importan más?",
                      "options": {"Helpdesk": "Soporte", "Backups": "Copias de seguridad", "Security": "Seguridad"}},
            "improve": {"label": "¿Cómo podemos mejorar?"}}},
    },
}
WORDS = {"de": {"submit": "Antworten senden", "thanks": "Vielen Dank — Ihre Antworten sind angekommen",
                "subject": "Jährliche Serviceumfrage: zwei Minuten für Harbor Point IT?", "greeting": "Guten Tag Jana,",
                "refused": "Ihre Antworten wurden nicht gesendet"},
         "es": {"submit": "Enviar mis respuestas", "thanks": "Gracias: hemos recibido sus respuestas",
                "subject": "Encuesta anual de servicio: ¿dos minutos para Harbor Point IT?", "greeting": "Estimado/a Lucía:",
                "refused": "Sus respuestas no se han enviado"}}
READER = {"de": "baeckerei", "es": "lopez"}
FORM = {"content-type": "application/x-www-form-urlencoded"}


def client(client_id: str, language: str | None) -> dict[str, Any]:
    name = CONTACTS[client_id]
    record = {"id": client_id, "name": f"{client_id.title()} GmbH", "pcs": 12, "servers": 1,
              "contact": {"name": name, "email": f"{client_id}@example.com"},
              "agreement": {"start": "2025-01-01", "term_months": 12}}
    return record | ({"language": language} if language else {})


@pytest.fixture
def data(make_portfolio, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An English site (collector backend) with an English, a German and a Spanish client."""
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    site = {"business": {"name": "Harbor Point IT", "email": "hello@harbor.example"}, "as_of": "2026-11-30",
            "site": {"base_url": BASE, "language": "en"}}
    return make_portfolio(site=site, surveys={"review": SURVEY},
                          clients=[client("acme", None), client("baeckerei", "de"), client("lopez", "es")])


@pytest.fixture
def out(data: Path, tmp_path: Path) -> Path:
    build_site(data, tmp_path / "out")
    return tmp_path / "out"


def english_catalog() -> list[str]:
    """Every msgid (and msgstr) of the English catalog, cut at its placeholders into pieces of words."""
    with catalog_path("en").open("rb") as source:
        catalog = read_po(source)
    pieces: list[str] = []
    for message in catalog:
        for text in (message.id, message.string):
            for literal, *_ in string.Formatter().parse(text or ""):
                pieces += [piece.strip(" ,.:?;—()") for piece in re.split(r"(?<=[.?!;:,])\s+", literal)]
    return sorted({piece for piece in pieces if len(piece) >= 4})


class Shown(HTMLParser):
    """What a reader meets: text outside scripts and styles, and attributes a browser shows or reads out."""

    SHOWN = ("title", "aria-label", "placeholder", "alt", "data-frame-title", "data-invited-note")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.lang = self.lang or (found.get("lang") or "" if tag == "html" else "")
        self.skip += tag in ("script", "style")
        self.parts += [value or "" for name, value in attrs if name in self.SHOWN]
        if tag == "button" or (tag == "input" and found.get("type") in ("submit", "button", "reset")):
            self.parts.append(found.get("value") or "")
        if tag == "meta" and found.get("name") == "description":
            self.parts.append(found.get("content") or "")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def shown(page: str) -> tuple[str, str]:
    """(the page's `<html lang>`, everything it shows)."""
    parser = Shown()
    parser.feed(page)
    return parser.lang, "\n".join(parser.parts)


def english_on(text: str) -> list[str]:
    """The English catalog's pieces (and the survey's English words) found as whole words in text."""
    survey_words = [SURVEY["title"], "Thank you for", *(q["label"] for q in SURVEY["questions"]),
                    *(option for q in SURVEY["questions"] for option in q.get("options", [])),
                    "Not likely at all", "Very likely indeed"]
    return [piece for piece in english_catalog() + survey_words
            if re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", text)]


def mail(out: Path, contact: str) -> tuple[str, str]:
    """(subject, body) of the invitation kit's ready e-mail to a contact."""
    page = (out / "dashboard" / "invitations.html").read_text(encoding="utf-8")
    href = re.search(rf'href="(mailto:[^"]+)">E-mail {re.escape(contact)}<', page).group(1)
    query = parse_qs(urlsplit(html.unescape(href)).query)
    return query["subject"][0], query["body"][0]


@pytest.mark.parametrize("language", ["de", "es"])
def test_a_client_reads_the_survey_thanks_and_invitation_with_no_english(out: Path, language: str) -> None:
    public = out / "public"
    pages = {name: (public / name).read_text(encoding="utf-8") for name in (
        f"survey/review/{language}/index.html", f"thanks/{language}/index.html", f"thanks/{language}/updated/index.html")}
    assert english_catalog()[:1] and "Send my answers" in english_catalog()
    for name, page in pages.items():
        lang, text = shown(page)
        assert lang == language, name
        assert english_on(text) == [], f"{name} shows English"
    survey_text = shown(pages[f"survey/review/{language}/index.html"])[1]
    assert WORDS[language]["submit"] in survey_text and SURVEY["translations"][language]["title"] in survey_text
    assert WORDS[language]["thanks"] in shown(pages[f"thanks/{language}/index.html"])[1]
    subject, body = mail(out, CONTACTS[READER[language]])
    token = survey_token(SECRET.encode(), "review", READER[language])
    assert subject == WORDS[language]["subject"]
    assert body.startswith(WORDS[language]["greeting"] + "\n\n")
    assert f"{BASE}survey/review/{language}/#t={token}" in body
    assert english_on(subject + "\n" + body.replace(f"{BASE}survey/review/{language}/#t={token}", "")) == []


def test_the_site_language_keeps_its_pages_and_no_page_is_made_for_an_unused_language(out: Path) -> None:
    public = out / "public"
    survey = (public / "survey" / "review" / "index.html").read_text(encoding="utf-8")
    assert shown(survey)[0] == "en" and "Send my answers" in survey and 'action="/api/responses"' in survey
    assert sorted(path.name for path in (public / "survey" / "review").iterdir() if path.is_dir()) == ["de", "es"]
    assert not (public / "thanks" / "fr").exists()
    subject, body = mail(out, "Dana Ruiz")
    assert subject == "Annual service review: two minutes for Harbor Point IT?"
    assert f"{BASE}survey/review/#t={survey_token(SECRET.encode(), 'review', 'acme')}" in body
    # GitHub Pages shows one 404 page for every address: the site's language, then each client's
    lang, text = shown((public / "404.html").read_text(encoding="utf-8"))
    assert lang == "en" and "Page not found" in text and "Seite nicht gefunden" in text and "Página no encontrada" in text
    assert '<div lang="de">' in (public / "404.html").read_text(encoding="utf-8")


def test_the_form_shows_translated_options_and_posts_the_surveys_own(out: Path) -> None:
    page = (out / "public" / "survey" / "review" / "de" / "index.html").read_text(encoding="utf-8")
    assert '<input type="radio" name="visits" value="Too few"> Zu selten</label>' in page
    assert '<input type="checkbox" name="areas" value="Helpdesk"> Hotline</label>' in page
    assert "<span>10</span></label>" in page and "10 = Ganz bestimmt" in page
    assert 'action="/api/responses?lang=de"' in page


def form_of(page: str) -> tuple[str, dict[str, str]]:
    """The form's action and its hidden fields, as a browser would post them."""
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', page).group(1))
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    return action, hidden


def value_for(page: str, name: str, label: str) -> str:
    """The value a browser posts for the radio button or checkbox whose label reads `label`."""
    return html.unescape(re.search(rf'name="{name}" value="([^"]+)"> {re.escape(label)}</label>', page).group(1))


def test_an_answer_from_the_german_page_stores_the_surveys_own_options_and_thanks_in_german(out: Path, data: Path) -> None:
    page = (out / "public" / "survey" / "review" / "de" / "index.html").read_text(encoding="utf-8")
    action, hidden = form_of(page)
    token = survey_token(SECRET.encode(), "review", "baeckerei")
    filled = {**hidden, "shown_at": str(int(time.time() * 1000) - 60_000), "token": token, "website": ""}
    form = [*filled.items(), ("overall", "4"), ("recommend", "9"),
            ("visits", value_for(page, "visits", "Zu selten")), ("areas", value_for(page, "areas", "Hotline")),
            ("areas", value_for(page, "areas", "Datensicherung")), ("improve", "Öfter vorbeikommen")]
    with in_process(create_collector_app(CollectorConfig(data))) as http:
        sent = http.post(action, content=urlencode(form), headers=FORM)
        assert sent.status_code == 303, sent.text
        assert (sent.status_code, sent.headers["location"]) == (303, f"{BASE}thanks/de/")
        again = http.post(action, content=urlencode(form), headers=FORM)
        assert (again.status_code, again.headers["location"]) == (303, f"{BASE}thanks/de/updated/")
        refused = http.post(action, data={"survey": "review", "overall": ""})
    stored = rows(data)
    # the second answer through the same link replaces the first (both rows are kept, the later one counts)
    assert [(row["client"], row["visits"], row["areas"], row["improve"]) for row in stored] == [
        ("baeckerei", "Too few", "Helpdesk;Backups", "Öfter vorbeikommen")] * 2
    assert refused.status_code == 422 and '<html lang="de">' in refused.text
    assert WORDS["de"]["refused"] in refused.text and "Bitte gehen Sie zurück" in refused.text


def test_a_language_the_site_has_no_texts_for_is_answered_in_the_sites(out: Path, data: Path) -> None:
    with in_process(create_collector_app(CollectorConfig(data))) as http:
        refused = http.post("/api/responses?lang=../../x", data={"survey": "review", "overall": ""})
    assert '<html lang="en">' in refused.text and "Your answers were not sent" in refused.text


def line_of(path: Path, text: str, after: int = 0) -> int:
    """The number of the first line after line `after` that reads `text` (ignoring indentation)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if number > after and line.strip() == text)


def test_validate_names_an_unknown_language_and_each_missing_translation_by_file_and_line(make_portfolio) -> None:
    survey = {**SURVEY, "translations": {"de": {"title": "Jährliche Serviceumfrage", "questions": {
        "overall": {"label": "Wie zufrieden sind Sie insgesamt?"},
        "visits": {"label": "Besuche", "options": {"Too few": "Zu selten", "Too many": "Zu häufig"}}}}}}
    data = make_portfolio(surveys={"review": survey}, clients=[client("acme", "xx"), client("baeckerei", "de")])
    result = CliRunner().invoke(cli, ["validate", "--data", str(data)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    clients, path = data / "clients.yaml", data / "surveys" / "review.yaml"
    reader = f"client 'baeckerei' reads German ({clients}:{line_of(clients, 'language: de')})"
    german = line_of(path, "de:", line_of(path, "translations:"))
    questions = line_of(path, "questions:", german)
    options = line_of(path, "options:", line_of(path, "visits:", questions))
    assert (f"{clients}:{line_of(clients, 'language: xx')}: clients[0].language: 'xx' is not a language with texts "
            f"(expected one of de, en, es, fr, nl, or the file {data}/texts/xx.yaml with every text)") in result.output
    for expected in (
        f"{path}:{german}: translations.de.intro: no German words for 'Thank you for **two minutes** of your time.'; {reader}",
        f"{path}:{questions}: translations.de.questions.recommend.label: no German words for "
        f"'How likely are you to recommend us?'; {reader}",
        f"{path}:{options}: translations.de.questions.visits.options: no German words for 'About right'; {reader}",
        f"{path}:{questions}: translations.de.questions.areas.options: no German words for 'Backups'; {reader}",
    ):
        assert expected in result.output
    assert "translations.de.title" not in result.output and "visits.options: no German words for 'Too few'" not in result.output


def test_a_translation_names_only_the_surveys_questions_and_options(make_portfolio) -> None:
    survey = {**SURVEY, "translations": {"de": {"questions": {"overal": {"label": "Insgesamt?"},
                                                              "visits": {"options": {"Too fw": "Zu selten"}}}}}}
    data = make_portfolio(surveys={"review": survey})
    result = CliRunner().invoke(cli, ["validate", "--data", str(data)])
    assert result.exit_code == 1
    path = data / "surveys" / "review.yaml"
    assert (f"{path}:{line_of(path, 'overal:')}: translations.de.questions.overal: 'overal' is not a question of this "
            "survey (expected one of overall, recommend, visits, areas, improve)") in result.output
    assert (f"{path}:{line_of(path, 'Too fw: Zu selten')}: translations.de.questions.visits.options: 'Too fw' is not an "
            "option of the question (expected Too few, About right, Too many)") in result.output


def test_an_export_of_the_german_form_maps_back_to_the_surveys_own_words(data: Path) -> None:
    result = import_file(data, REPO / "tests" / "fixtures" / "imports" / "tally-de.csv", "tally", survey="review")
    assert result.report.count("accepted") == 2, result.report
    stored = rows(data)
    assert [(row["client"], row["overall"], row["visits"], row["areas"]) for row in stored] == [
        ("baeckerei", "5", "About right", "Helpdesk;Security"),
        ("", "3", "Too few", "Backups")]


def test_in_a_browser_the_german_page_greets_the_invited_client_in_german_and_lands_on_the_german_thanks(
        page, out: Path) -> None:
    token = survey_token(SECRET.encode(), "review", "baeckerei")
    with serve_with_capture(out / "public", "/api/responses?lang=de", "/thanks/de/index.html") as (base, captured):
        page.goto(f"{base}survey/review/de/index.html#t={token}")
        assert page.get_by_text("Sie antworten über Ihren persönlichen Einladungslink.").is_visible()
        assert not page.get_by_label("Einladungscode").is_visible()
        page.get_by_role("group", name="Wie zufrieden sind Sie insgesamt?").get_by_role("radio", name="4", exact=True).click()
        page.get_by_label("Zu häufig").check()
        page.get_by_role("button", name="Antworten senden").click()
        page.wait_for_url("**/thanks/de/index.html")
        assert page.locator("h1").inner_text() == WORDS["de"]["thanks"]
        assert page.evaluate("() => document.documentElement.lang") == "de"
    assert page.console_errors == []
    assert len(captured) == 1
    posted = parse_qs(captured[0][1].decode("utf-8"))
    assert posted["visits"] == ["Too many"] and posted["token"] == [token]


def test_the_translation_example_in_data_formats_loads_and_covers_the_example_survey(tmp_path: Path) -> None:
    text = (REPO / "docs" / "data-formats.md").read_text(encoding="utf-8")
    site, clients, survey, _ = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    translation = re.search(r"### Translations.*?```text\n(.*?)```", text, re.DOTALL).group(1)
    (tmp_path / "surveys").mkdir()
    (tmp_path / "site.yaml").write_text(site, encoding="utf-8")
    (tmp_path / "clients.yaml").write_text(clients.replace("  onsite_min_per_month: 2", "  language: de\n  onsite_min_per_month: 2"),
                                           encoding="utf-8")
    (tmp_path / "surveys" / "spring-check.yaml").write_text(survey + translation, encoding="utf-8")
    portfolio = load_portfolio(tmp_path)  # raises DataError naming any missing translation
    assert portfolio.clients[0].language == "de"
    assert portfolio.surveys[0].translations["de"].questions["pace"].options == {
        "Too rarely": "Zu selten", "Often enough": "Oft genug", "Too often": "Zu oft"}


def test_rapport_link_gives_a_german_client_the_german_page(data: Path) -> None:
    result = CliRunner().invoke(cli, ["link", "baeckerei", "--data", str(data)])
    assert result.exit_code == 0, result.output
    token = survey_token(SECRET.encode(), "review", "baeckerei")
    assert result.output == f"review: {BASE}survey/review/de/#t={token}\n"


@pytest.mark.parametrize("language", ["de", "es"])
def test_rapport_invite_writes_the_clients_draft_in_its_language_with_links_to_its_page(
        data: Path, tmp_path: Path, language: str) -> None:
    reader = READER[language]
    drafts = tmp_path / "drafts"
    result = CliRunner().invoke(cli, ["invite", "--data", str(data), "--survey", "review", "--client", reader,
                                      "--out", str(drafts)])
    assert result.exit_code == 0, result.output
    (path,) = drafts.glob("*.eml")
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert message["Subject"] == WORDS[language]["subject"]
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")  # SMTP line ends
    page = message.get_body(preferencelist=("html",)).get_content()
    link = f"{BASE}survey/review/{language}/#t={survey_token(SECRET.encode(), 'review', reader)}"
    assert text.startswith(WORDS[language]["greeting"] + "\n\n") and link in text
    lang, shown_text = shown(page)
    assert lang == language
    # the first rating question as one button per score, each opening the client's own page with it chosen
    assert [html.unescape(href) for href in re.findall(r'href="([^"]+&amp;overall=\d)"', page)] == [
        f"{link}&overall={score}" for score in range(1, 6)]
    assert SURVEY["translations"][language]["questions"]["overall"]["label"] in shown_text
    assert english_on(text.replace(link, "") + "\n" + shown_text) == []
