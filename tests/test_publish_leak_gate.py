"""The leak gate and the encrypted build: canaries never reach output/public/, builds are stable."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import build_site
from generator.errors import RapportError
from generator.files import OutputFile
from generator.load import load_portfolio
from generator.safety import plain_dashboards
from generator.safety.crypto import encode
from generator.safety.leak_gate import LeakError, LeakGate, private_needles, scan, words_of
from generator.templates import BUILTIN_TEMPLATES
from generator.tokens import old_survey_token, survey_token
from tests.conftest import CLIENT, REPO
from tests.test_publish_support import (  # noqa: F401 - secrets_env is a fixture
    CANARIES,
    PASSPHRASE,
    SECRET,
    canaries_in,
    canary_portfolio,
    readable,
    secrets_env,
    tree_digest,
)


def test_no_canary_under_public_after_a_build_with_encrypted_dashboards(make_portfolio, tmp_path: Path, secrets_env: None) -> None:
    data = canary_portfolio(make_portfolio)
    out = tmp_path / "output"
    build_site(data, out)
    assert canaries_in(out / "public") == []
    # the canaries are real: the private dashboards show them, and they were published encrypted
    private = readable((out / "dashboard" / "clients" / f"{CANARIES['client id']}.html").read_bytes())
    assert CANARIES["client name"].casefold() in private and "zyxnotecanary" in private
    shells = sorted((out / "public" / "dashboard" / "c").glob("*.html"))
    sealed = [p for p in (out / "dashboard").rglob("*") if p.is_file() and "assets" not in p.parts]
    assert len(shells) == len(sealed) - 1  # every page and export but the overview, which is the unlock page
    assert (out / "public" / "dashboard" / "index.html").is_file()


def test_a_canary_in_a_public_template_stops_the_build_naming_the_file(make_portfolio, tmp_path: Path, secrets_env: None) -> None:
    data = canary_portfolio(make_portfolio)
    templates = tmp_path / "templates"
    templates.mkdir()
    thanks = (BUILTIN_TEMPLATES / "thanks.html").read_text()
    (templates / "thanks.html").write_text(thanks.replace('{{ t("thanks.close") }}', f"Like {CANARIES['client name'].upper()}, you can close this page."))
    out = tmp_path / "output"
    build_site(data, out)
    before = tree_digest(out)
    with pytest.raises(LeakError) as caught:
        build_site(data, out, templates_dir=templates)
    message = str(caught.value)
    assert "  public/thanks/index.html: client name\n" in message
    assert "zyxclientcanary" not in message.casefold()  # the kind, never the data
    assert [str(finding) for finding in caught.value.findings] == ["public/thanks/index.html: client name",
                                                                   "public/thanks/updated/index.html: client name"]
    assert tree_digest(out) == before  # nothing written


def test_the_cli_build_reports_the_leak_and_exits_1(make_portfolio, tmp_path: Path) -> None:
    data = canary_portfolio(make_portfolio)
    pages = data / "pages"
    pages.mkdir()
    (pages / "index.md").write_text(f"# Welcome\n\nAsk {CANARIES['contact name']} about us: {CANARIES['contact e-mail']}.\n")
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--data", str(data), "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, cwd=REPO, env={"RAPPORT_SECRET": SECRET, "PATH": "", "RAPPORT_BUILD_SERVER": "off"})
    assert result.returncode == 1
    assert result.stderr.startswith("error: the leak gate found client data in 1 file meant for publishing (kind shown, never the data):\n"
                                    "  public/index.html: contact e-mail (made from pages/index.md)\n"
                                    "  public/index.html: contact name (made from pages/index.md)\n")
    assert "Traceback" not in result.stderr and "Qwvcontact" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_gate_made_ready_beside_the_render_finds_what_a_fresh_one_finds(make_portfolio) -> None:
    portfolio = load_portfolio(canary_portfolio(make_portfolio))
    files = [OutputFile("public/page/index.html", b"<p>Zyxclientcanary Dental Group</p>"),
             OutputFile("public/zyx-client/index.html", b"<p>hello</p>"), OutputFile("public/ok.html", b"<p>fine</p>")]
    needles = private_needles(portfolio, b"s")
    gate = LeakGate(portfolio, b"s", made_needles=lambda: needles)
    assert gate.prepare() is True
    assert [str(f) for f in gate.scan(files)] == [str(f) for f in scan(portfolio, files, b"s")] == [
        "public/page/index.html: client name", "public/zyx-client/index.html: client id in the file name"]


@pytest.mark.parametrize("written", [
    "Zyxclientcanary Dental Group",
    "ZYXCLIENTCANARY   dental\ngroup",
    "Zyxclientcanary&#32;Dental&nbsp;Group",
    "<span>Zyxclientcanary</span> <b>Dental</b> Group",
    "mailto:zyxcanary.mail%40zyxcanary-mail.example",
    "Call +1 (917) 555-2468",
    "<p>Notes: zyxnotecanary keeps the server closet key at reception</p>",
    '<img alt="Zyxanswercanary would like a written summary after each visit">',
])
def test_the_gate_sees_through_escaping_case_spacing_and_markup(make_portfolio, written: str) -> None:
    portfolio = load_portfolio(canary_portfolio(make_portfolio))
    findings = scan(portfolio, [OutputFile("public/page/index.html", f"<p>{written}</p>".encode())], b"s")
    assert findings, written


def test_the_gate_checks_file_names_and_matches_whole_words_only(make_portfolio) -> None:
    portfolio = load_portfolio(canary_portfolio(make_portfolio))
    files = [OutputFile("public/clients/zyx-client.html", b"<p>hello</p>"),
             OutputFile("public/zyxclientcanary-dental-group/index.html", b"ok"),
             OutputFile("public/blob.txt", b"QWxhZGRpbjpvcGVuIHNlc2FtZQ+xzyxclientcanaryDentalGroups/x==")]
    assert [str(f) for f in scan(portfolio, files, b"s")] == [
        "public/clients/zyx-client.html: client id in the file name",
        "public/zyxclientcanary-dental-group/index.html: client name in the file name",
    ]


def test_a_name_run_together_or_split_by_markup_or_punctuation_is_found(make_portfolio) -> None:
    """Issue #16: `Bay**view**` and the like passed the gate."""
    portfolio = load_portfolio(make_portfolio(clients=[{**CLIENT, "id": "bayview", "name": "Bayview Dental"}]))
    for written in ("Bay**view** Dental", "Bay<b>view</b> Dental", "Bay-view Dental", "BayviewDental", "B.a.y.v.i.e.w Dental"):
        findings = scan(portfolio, [OutputFile("public/page/index.html", f"<p>{written}</p>".encode())], b"s")
        assert "public/page/index.html: client name" in [str(f) for f in findings], written
    # never inside a longer word
    assert scan(portfolio, [OutputFile("public/page/index.html", b"<p>ebayviewdentalx</p>")], b"s") == []


def test_ciphertext_is_read_like_any_text_and_a_survey_token_anywhere_is_a_leak(make_portfolio) -> None:
    portfolio = load_portfolio(make_portfolio(clients=[{**CLIENT, "id": "acme", "name": "Acme",
                                                        "contact": {"name": "Dana", "phone": "+1 917 555 2468"}}]))
    sealed = encode(b"Acme Dana 19175552468" + bytes(range(256)) * 40)  # the published alphabet: nothing to read
    token, old = survey_token(b"s", "review", "acme"), old_survey_token(b"s", "review", "acme")
    files = [OutputFile("public/dashboard/c/1234567890123456789012345678.html",
                        f'<script type="application/json" id="rapport-sealed">{{"data": "{sealed}"}}</script>'.encode()),
             OutputFile("public/survey/review/index.html", f'<input type="hidden" name="token" value="{token}">'.encode()),
             OutputFile(f"public/survey/{old}/index.html", b"<p>ok</p>")]
    assert [str(f) for f in scan(portfolio, files, b"s")] == [f"public/survey/{old}/index.html: survey token in the file name",
                                                           "public/survey/review/index.html: survey token"]


def test_short_and_ordinary_free_text_is_not_looked_for(make_portfolio) -> None:
    portfolio = load_portfolio(canary_portfolio(make_portfolio))
    words = {needle.words for needle in private_needles(portfolio)}
    assert tuple(words_of("Backups")) not in words  # an answer that is also a survey option
    assert tuple(words_of(CANARIES["free-text answer"])) in words
    assert tuple(words_of("Zyxnotecanary keeps the server closet key at reception.")) in words
    assert tuple(words_of("Sam Whitfield")) not in words  # staff are the consultant's own people


@pytest.mark.parametrize(("written", "kind"), [
    ("Call us on (917) 555-2468", "contact phone"),          # the phone without its country code
    ("917.555.2468", "contact phone"),
    ("Zyx\u00adclient\u200bcanary Dental Group", "client name"),  # invisible characters inside the words
    ("Caf\\u00e9 of Zyxclientcanary Dental Group", "client name"),  # \\u-escapes, as a template's JSON writes them
    ("See zyx-client for details", "client id"),            # an id of several words, in a page
])
def test_the_gate_reads_phones_ids_and_words_however_they_are_written(make_portfolio, written: str, kind: str) -> None:
    portfolio = load_portfolio(canary_portfolio(make_portfolio))
    findings = scan(portfolio, [OutputFile("public/page/index.html", f"<p>{written}</p>".encode())], b"s")
    assert [str(f) for f in findings] == [f"public/page/index.html: {kind}"]


def test_a_name_in_a_script_without_spaces_is_found_inside_a_longer_run(make_portfolio) -> None:
    portfolio = load_portfolio(make_portfolio(clients=[{**CLIENT, "id": "yamada", "name": "山田商事"}]))
    findings = scan(portfolio, [OutputFile("public/page/index.html", "<p>山田商事様へ</p>".encode())], b"s")
    assert [str(f) for f in findings] == ["public/page/index.html: client name"]


def test_an_answer_that_quotes_the_business_own_page_is_not_looked_for(make_portfolio) -> None:
    """Issue #16: an answer quoting a sentence of the home page stopped every later build."""
    data = canary_portfolio(make_portfolio)
    (data / "pages").mkdir()
    (data / "pages" / "index.md").write_text(
        f"# Welcome\n\nWhat clients say: {CANARIES['free-text answer']}\n\nBackups, done right.\n", encoding="utf-8")
    portfolio = load_portfolio(data)
    words = {needle.words for needle in private_needles(portfolio)}
    assert tuple(words_of(CANARIES["free-text answer"])) not in words
    page = (data / "pages" / "index.md").read_text(encoding="utf-8")
    assert scan(portfolio, [OutputFile("public/index.html", page.encode())], b"s") == []


def test_a_client_id_is_looked_for_everywhere_even_when_a_page_says_its_words(make_portfolio) -> None:
    """Issue #16: once any page said a client id's words, the gate stopped looking for the id in pages."""
    data = make_portfolio(clients=[{**CLIENT, "id": "north-shore", "name": "Northshore Holdings"}])
    (data / "pages").mkdir()
    (data / "pages" / "index.md").write_text("# Welcome\n\nServing the North Shore since 2009.\n", encoding="utf-8")
    portfolio = load_portfolio(data)
    files = [OutputFile("public/index.html", b"<p>Serving the North Shore since 2009.</p>"),
             OutputFile("public/assets/app.js", b'var client = "north-shore";')]
    assert [str(f) for f in scan(portfolio, files, b"s")] == [
        "public/assets/app.js: client id", "public/index.html: client id (made from pages/index.md)"]
    assert [str(f) for f in scan(portfolio, [OutputFile("public/north-shore/x.html", b"ok")], b"s")] == [
        "public/north-shore/x.html: client id in the file name"]


def test_greet_by_name_is_no_setting_any_more(make_portfolio) -> None:
    data = canary_portfolio(make_portfolio, forms={"greet_by_name": True})
    with pytest.raises(RapportError) as caught:
        load_portfolio(data)
    assert "greet_by_name" in str(caught.value)


def test_a_dashboard_page_in_plain_text_under_public_is_refused() -> None:
    page = OutputFile("dashboard/clients/acme.html", b"<h1>Private</h1>")
    copies = [page, OutputFile("public/old/acme.html", page.content), OutputFile("public/dashboard/x.html", b"<h1>no name</h1>"),
              OutputFile("public/dashboard/assets/dashboard.css", b"body{}")]
    assert [str(f) for f in plain_dashboards(copies)] == [
        "public/old/acme.html: a dashboard file in plain text",
        "public/dashboard/x.html: a dashboard file in plain text",
    ]


def test_two_builds_with_the_same_data_and_secrets_are_identical(make_portfolio, tmp_path: Path, secrets_env: None) -> None:
    data = canary_portfolio(make_portfolio)
    build_site(data, tmp_path / "one")
    build_site(data, tmp_path / "two")
    assert tree_digest(tmp_path / "one" / "public") == tree_digest(tmp_path / "two" / "public")
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


def test_a_change_to_one_client_re_encrypts_every_dashboard_page_so_none_stands_out(
    make_portfolio, tmp_path: Path, secrets_env: None,
) -> None:
    """Issue 16: the public history must not tell which client's encrypted page changed in a publish."""
    data = canary_portfolio(make_portfolio)
    build_site(data, tmp_path / "one")
    text = (data / "clients.yaml").read_text()
    (data / "clients.yaml").write_text(text.replace("Second line of notes", "Changed line of notes"))
    build_site(data, tmp_path / "two")
    one, two = tree_digest(tmp_path / "one" / "public"), tree_digest(tmp_path / "two" / "public")
    assert one.keys() == two.keys()
    changed = [path for path in one if one[path] != two[path]]
    plain_one, plain_two = tree_digest(tmp_path / "one" / "dashboard"), tree_digest(tmp_path / "two" / "dashboard")
    assert [p for p in plain_one if plain_one[p] != plain_two[p]] == [f"clients/{CANARIES['client id']}.html"]
    sealed = [path for path in one if path.startswith("dashboard/") and not path.startswith("dashboard/assets/")]
    assert len(sealed) > 2 and sorted(changed) == sorted(sealed), "every sealed page changed, and nothing else"
    sizes_one = sorted((tmp_path / "one" / "public" / path).stat().st_size for path in sealed)
    assert sizes_one == sorted((tmp_path / "two" / "public" / path).stat().st_size for path in sealed)


def test_a_new_passphrase_re_keys_every_page(make_portfolio, tmp_path: Path, secrets_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    data = canary_portfolio(make_portfolio)
    build_site(data, tmp_path / "one")
    monkeypatch.setenv("RAPPORT_DASHBOARD_PASSPHRASE", "another passphrase, also long")
    build_site(data, tmp_path / "two")
    one, two = tree_digest(tmp_path / "one" / "public" / "dashboard"), tree_digest(tmp_path / "two" / "public" / "dashboard")
    sealed = [path for path in one if not path.startswith("assets/")]
    assert sealed and not set(sealed) & {path for path in two if not path.startswith("assets/")} - {"index.html"}
    assert one["index.html"] != two["index.html"]


def test_without_a_passphrase_or_with_omit_no_dashboard_is_published(make_portfolio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    monkeypatch.delenv("RAPPORT_DASHBOARD_PASSPHRASE", raising=False)
    build_site(canary_portfolio(make_portfolio), tmp_path / "one")
    assert not (tmp_path / "one" / "public" / "dashboard").exists()
    assert (tmp_path / "one" / "dashboard" / "index.html").is_file()
    monkeypatch.setenv("RAPPORT_DASHBOARD_PASSPHRASE", PASSPHRASE)
    shutil.rmtree(tmp_path / "data")
    build_site(canary_portfolio(make_portfolio, dashboards={"publish": "omit"}), tmp_path / "two")
    assert not (tmp_path / "two" / "public" / "dashboard").exists()
    assert not (tmp_path / ".rapport" / "dashboard-key.json").exists()
