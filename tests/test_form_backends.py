"""Each form backend's survey form posts what its service expects."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import build_site
from generator.errors import DataError
from tests.conftest import SITE, SURVEY
from tests.test_survey_pages import parse


def build_with(make_portfolio, tmp_path: Path, monkeypatch, forms: dict, survey: dict | None = None, site: dict | None = None):
    monkeypatch.setenv("RAPPORT_SECRET", "backend-secret")
    data = make_portfolio(site={**SITE, **(site or {}), "forms": forms}, surveys={"review": survey or SURVEY})
    build_site(data, tmp_path / "out")
    parsed = parse(tmp_path / "out" / "public" / "survey" / "review" / "index.html")
    policy = next(m["content"] for m in parsed.meta if m.get("http-equiv") == "Content-Security-Policy")
    return parsed, policy


def names(parsed) -> list[str]:
    return [item.get("name") for item in parsed.inputs]


def test_collector_posts_to_the_local_endpoint_by_default(make_portfolio, tmp_path, monkeypatch) -> None:
    parsed, policy = build_with(make_portfolio, tmp_path, monkeypatch, {"backend": "collector"})
    assert parsed.forms[0]["action"] == "/api/responses" and parsed.forms[0]["method"] == "post"
    assert {"survey", "token", "shown_at", "website"} <= set(names(parsed))
    assert "form-action 'self'" in policy


def test_formspree_uses_its_honeypot_and_redirect(make_portfolio, tmp_path, monkeypatch) -> None:
    parsed, policy = build_with(make_portfolio, tmp_path, monkeypatch, {"backend": "formspree", "formspree_id": "xyzabc12"},
                              site={"site": {"base_url": "https://example.github.io/rapport/"}})
    assert parsed.forms[0]["action"] == "https://formspree.io/f/xyzabc12"
    hidden = {item["name"]: item.get("value") for item in parsed.inputs if item.get("type") == "hidden"}
    assert hidden["_next"] == "https://example.github.io/rapport/thanks/"
    assert "_gotcha" in names(parsed) and "website" not in names(parsed)
    assert "form-action https://formspree.io" in policy


def test_google_forms_posts_entry_ids_into_a_frame(make_portfolio, tmp_path, monkeypatch) -> None:
    survey = {**SURVEY, "google_form": {"id": "1FAIpQLSabc", "token_entry": "entry.900", "survey_entry": "entry.901"},
              "questions": [{**q, "google_entry": f"entry.{100 + n}"} for n, q in enumerate(SURVEY["questions"])]}
    parsed, policy = build_with(make_portfolio, tmp_path, monkeypatch, {"backend": "google_forms"}, survey=survey)
    form = parsed.forms[0]
    assert form["action"] == "https://docs.google.com/forms/d/e/1FAIpQLSabc/formResponse"
    assert "data-post-into-frame" in form
    posted = set(names(parsed))
    assert {"entry.900", "entry.901", "entry.100", "entry.101", "entry.102", "entry.103", "entry.104"} <= posted
    assert not {"overall", "recommend", "token"} & posted
    assert "frame-src https://docs.google.com" in policy


def test_google_forms_without_entry_ids_is_a_located_error(make_portfolio, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", "backend-secret")
    data = make_portfolio(site={**SITE, "forms": {"backend": "google_forms"}})
    with pytest.raises(DataError) as caught:
        build_site(data, tmp_path / "out")
    assert str(caught.value.problems[0]) == (
        f"{data}/surveys/review.yaml:1: google_form: missing (forms.backend is google_forms: "
        "expected google_form: {id: …, token_entry: entry.N})")


def test_http_post_goes_to_the_configured_url(make_portfolio, tmp_path, monkeypatch) -> None:
    parsed, policy = build_with(make_portfolio, tmp_path, monkeypatch,
                              {"backend": "http_post", "endpoint": "https://script.google.com/macros/s/abc/exec"})
    assert parsed.forms[0]["action"] == "https://script.google.com/macros/s/abc/exec"
    assert "form-action https://script.google.com" in policy


def test_mailto_sends_plain_text_to_the_consultant(make_portfolio, tmp_path, monkeypatch) -> None:
    parsed, policy = build_with(make_portfolio, tmp_path, monkeypatch, {"backend": "mailto", "email": "me@it.example"})
    form = parsed.forms[0]
    assert form["action"] == "mailto:me@it.example?subject=Survey%3A%20Review%20%5Breview%5D"
    assert form["enctype"] == "text/plain"
    assert "form-action mailto:" in policy


@pytest.mark.parametrize(("forms", "message"), [
    ({"backend": "formspree"}, "backend formspree needs formspree_id (the id in https://formspree.io/f/<id>)"),
    ({"backend": "http_post"}, "backend http_post needs endpoint: the https:// URL the form posts to"),
    ({"backend": "mailto"}, "backend mailto needs forms.email or business.email (where answers are sent)"),
])
def test_a_backend_without_its_settings_is_refused(make_portfolio, tmp_path, monkeypatch, forms, message) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", "backend-secret")
    data = make_portfolio(site={**SITE, "forms": forms})
    with pytest.raises(DataError) as caught:
        build_site(data, tmp_path / "out")
    assert [p.message for p in caught.value.problems] == [message]
