"""The leak gate of issue #16: names however written, any phone grouping, name words, and no answer
that can stop a build; `leak_gate.allow` in site.yaml, printed on every build; a token-free tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.build import build_site
from generator.files import OutputFile
from generator.load import load_portfolio
from generator.safety.leak_gate import LeakError, scan
from generator.tokens import old_survey_token, survey_token
from tests.conftest import CLIENT, REPO, SURVEY
from tests.test_publish_git import git
from tests.test_publish_support import CANARIES, PASSPHRASE, SECRET, canary_portfolio, secrets_env  # noqa: F401

HOME = "We keep small offices running: patched, backed up and answered within the hour."


def kinds(portfolio, written: str) -> list[str]:
    return [str(f) for f in scan(portfolio, [OutputFile("public/page/index.html", f"<p>{written}</p>".encode())], b"s")]


@pytest.mark.parametrize("written", ["Cafe Lumiere", "CAFE LUMIERE", "Caf&eacute; Lumi&egrave;re", "cafe-lumiere"])
def test_a_name_with_its_accents_stripped_is_found(make_portfolio, written: str) -> None:
    portfolio = load_portfolio(make_portfolio(clients=[{**CLIENT, "id": "lumiere", "name": "Café Lumière"}]))
    assert "public/page/index.html: client name" in kinds(portfolio, written)


def test_a_transliterated_name_is_found(make_portfolio) -> None:
    portfolio = load_portfolio(make_portfolio(clients=[{**CLIENT, "id": "lodz", "name": "Łódź Müller Bäckerei"}]))
    assert kinds(portfolio, "Lodz Muller Backerei") == ["public/page/index.html: client name"]


@pytest.mark.parametrize("written", ["+1-917-555-2468", "917 5552468", "(917)555 24 68", "1 917 555 24 68", "tel:+19175552468"])
def test_a_phone_in_any_grouping_is_found(make_portfolio, written: str) -> None:
    portfolio = load_portfolio(canary_portfolio(make_portfolio))
    assert kinds(portfolio, f"Call {written} today") == ["public/page/index.html: contact phone"]


def test_each_distinctive_word_of_a_client_name_is_found_on_its_own(make_portfolio) -> None:
    portfolio = load_portfolio(canary_portfolio(make_portfolio))
    assert kinds(portfolio, "Thanks to Zyxclientcanary for the coffee") == ["public/page/index.html: client name word"]
    assert kinds(portfolio, "Dental practices and any group of ten PCs") == []  # common words


def test_a_name_word_that_is_the_business_own_text_is_not_looked_for(make_portfolio) -> None:
    data = make_portfolio(clients=[{**CLIENT, "id": "kestrel", "name": "Kestrelford Surgery"}])
    (data / "pages").mkdir()
    (data / "pages" / "index.md").write_text("# Welcome\n\nProudly serving Kestrelford and around.\n", encoding="utf-8")
    portfolio = load_portfolio(data)
    assert kinds(portfolio, "Proudly serving Kestrelford and around.") == []
    assert kinds(portfolio, "Kestrelford Surgery") == ["public/page/index.html: client name"]


def answered(make_portfolio, improve: str, **site: object) -> Path:
    """The canary portfolio with a home page and one more answer."""
    data = canary_portfolio(make_portfolio, **site)
    (data / "pages").mkdir(exist_ok=True)
    (data / "pages" / "index.md").write_text(f"# Welcome\n\n{HOME}\n", encoding="utf-8")
    path = data / "responses" / "review.csv"
    path.write_text(path.read_text(encoding="utf-8") + f'r9,,2026-10-03T10:00:00Z,5,,,,"{improve}"\n', encoding="utf-8")
    return data


def test_an_answer_that_quotes_the_home_page_verbatim_builds_and_publishes(make_portfolio, tmp_path: Path) -> None:
    """Issue #16: such an answer made the leak gate stop every later build and publish."""
    for quote in (HOME, f"You say: {HOME} Not true this month!", "Thank you, we received your answers."):
        data = answered(make_portfolio, quote)
        assert load_portfolio(data).responses["review"]["improve"].tolist()[-1] == quote
        git(data.parent, "init", "-q", "-b", "main")
        remote = data.parent / "site.git"
        subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
        result = subprocess.run(
            [sys.executable, "-m", "generator", "publish", "--data", str(data), "--out", str(data.parent / "out"),
             "--remote", str(remote), "--dry-run"],
            capture_output=True, text=True, cwd=REPO,
            env={"RAPPORT_SECRET": SECRET, "RAPPORT_DASHBOARD_PASSPHRASE": PASSPHRASE, "PATH": "/usr/bin:/bin",
                 "HOME": str(data.parent), "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                 "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.invalid"},
        )
        assert result.returncode == 0, result.stderr
        assert "index.html" in result.stdout.splitlines()


def test_allowed_texts_let_a_finding_through_and_are_printed_on_every_build(
    make_portfolio, tmp_path: Path, secrets_env: None, capfd: pytest.CaptureFixture[str],
) -> None:
    data = canary_portfolio(make_portfolio)
    (data / "pages").mkdir()
    (data / "pages" / "index.md").write_text("# Welcome\n\nOur mascot, Qwvcontact Canaryperson, says hi.\n", encoding="utf-8")
    with pytest.raises(LeakError) as caught:
        build_site(data, tmp_path / "out")
    assert [str(f) for f in caught.value.findings] == ["public/index.html: contact name (made from pages/index.md)"]
    settings = yaml.safe_load((data / "site.yaml").read_text(encoding="utf-8"))
    settings["leak_gate"] = {"allow": [{"text": "mascot, Qwvcontact Canaryperson", "reason": "our mascot, named before the client"}]}
    (data / "site.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    capfd.readouterr()
    for _ in range(2):
        build_site(data, tmp_path / "out")
        assert "leak gate: allowed 'mascot, Qwvcontact Canaryperson' (our mascot, named before the client): 1 file\n" in capfd.readouterr().err
    # the allowance covers that text only: the whole name elsewhere is still a leak
    (data / "pages" / "about.md").write_text(f"# About\n\n{CANARIES['client name']}\n", encoding="utf-8")
    with pytest.raises(LeakError):
        build_site(data, tmp_path / "out")


def test_an_allowance_needs_a_reason(make_portfolio) -> None:
    data = make_portfolio(site={"business": {"name": "Test IT"}, "leak_gate": {"allow": [{"text": "Acme"}]}})
    with pytest.raises(Exception) as caught:
        load_portfolio(data)
    assert "leak_gate.allow[0].reason" in str(caught.value) or "reason" in str(caught.value)


def test_a_built_tree_holds_no_token_of_either_form_and_no_client_id(make_portfolio, tmp_path: Path, secrets_env: None) -> None:
    data = make_portfolio(clients=[CLIENT, {**CLIENT, "id": "zyx-client", "name": "Zyx Client"}], surveys={"review": SURVEY})
    build_site(data, tmp_path / "out")
    secret = SECRET.encode()
    forbidden = [form(secret, "review", client) for client in ("acme", "zyx-client") for form in (survey_token, old_survey_token)]
    for path in (tmp_path / "out" / "public").rglob("*"):
        name = str(path.relative_to(tmp_path / "out" / "public"))
        assert "zyx-client" not in name and "acme" not in name
        if path.is_file():
            content = path.read_bytes()
            assert not any(token.encode() in content or token in name for token in forbidden), name
