"""The build stage end to end: the sample builds, output is deterministic and atomic."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import build_site
from generator.errors import DataError
from generator.files import OutputFile
from generator.load import load_portfolio
from generator.templates import compiled_templates, make_environment
from generator.tokens import client_for_token, survey_token
from generator.write import write_output
from tests.conftest import REPO, SAMPLE_DATA

SECRET = "test-secret-for-deterministic-tokens"


def tree_digest(folder: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under folder."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*")) if path.is_file()
    }


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)


def test_sample_builds_with_a_page_per_client_and_survey(tmp_path: Path, secret_env: None) -> None:
    out = tmp_path / "output"
    result = build_site(SAMPLE_DATA, out)
    portfolio = load_portfolio(SAMPLE_DATA)
    assert result.files == len(tree_digest(out)) - 1  # and the manifest
    index = (out / "dashboard" / "clients" / "index.html").read_text(encoding="utf-8")  # the client index
    assert 'href="clients/index.html"' in (out / "dashboard" / "index.html").read_text(encoding="utf-8")
    for client in portfolio.clients:
        page = out / "dashboard" / "clients" / f"{client.id}.html"
        assert page.is_file()
        assert f'href="../clients/{client.id}.html"' in index
    active = [c for c in portfolio.clients
              if c.agreement.start <= portfolio.as_of and (c.ended is None or c.ended >= portfolio.as_of)]
    assert len(active) < len(portfolio.clients), "the sample has an ended client"
    for survey in portfolio.surveys:
        assert (out / "public" / "survey" / survey.id / "index.html").is_file()
    # one page per survey, none per client or token (a personal link carries its token in the fragment)
    assert sorted(p.name for p in (out / "public" / "survey").iterdir()) == sorted(s.id for s in portfolio.surveys)
    assert (out / "public" / "index.html").is_file()
    assert (out / "public" / "thanks" / "index.html").is_file()
    assert (out / "public" / "404.html").is_file()


def test_two_builds_are_byte_identical(tmp_path: Path, secret_env: None) -> None:
    build_site(SAMPLE_DATA, tmp_path / "one")
    build_site(SAMPLE_DATA, tmp_path / "two")
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


def test_bad_data_leaves_the_previous_output_untouched(make_portfolio, tmp_path: Path, secret_env: None) -> None:
    data = make_portfolio()
    out = tmp_path / "output"
    build_site(data, out)
    before = tree_digest(out)
    (data / "contacts.csv").write_text("date,client,kind,staff,minutes,note\n2026-02-30,acme,onsite,x,5,\n", encoding="utf-8")
    with pytest.raises(DataError):
        build_site(data, out)
    assert tree_digest(out) == before
    # no staging folder left behind (.rapport/ is the project's own: the secret, the load cache)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".rapport") == ["data", "output"]


def test_a_template_failing_half_way_leaves_the_previous_output(make_portfolio, tmp_path: Path, secret_env: None) -> None:
    data = make_portfolio()
    out = tmp_path / "output"
    build_site(data, out)
    before = tree_digest(out)
    broken = tmp_path / "templates"
    broken.mkdir()
    (broken / "dashboard_client.html").write_text("{{ no_such_variable }}", encoding="utf-8")
    with pytest.raises(Exception, match="no_such_variable"):
        build_site(data, out, templates_dir=broken)
    assert tree_digest(out) == before


def test_a_write_interrupted_half_way_leaves_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_output([OutputFile("a.txt", b"old")], out)

    def files_then_failure():
        yield OutputFile("a.txt", b"new")
        yield OutputFile("b/c.txt", b"new")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_output(files_then_failure(), out)
    assert tree_digest(out)["a.txt"] == hashlib.sha256(b"old").hexdigest()
    assert sorted(tree_digest(out)) == ["a.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["output"]


def test_output_paths_cannot_escape_the_output_folder() -> None:
    with pytest.raises(ValueError, match="inside the output folder"):
        OutputFile("../evil.html", b"")


def test_user_templates_are_searched_before_the_built_in_ones(make_portfolio, tmp_path: Path, secret_env: None) -> None:
    data = make_portfolio(pages={"index": "# Home\n\nWelcome.\n"})
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "page.html").write_text("<p>my own {{ title }}</p>\n", encoding="utf-8")
    build_site(data, tmp_path / "out", templates_dir=mine)
    assert (tmp_path / "out" / "public" / "index.html").read_text(encoding="utf-8") == "<p>my own Home</p>\n"


def test_autoescape_is_on_for_string_templates_too() -> None:
    environment = make_environment()
    assert environment.from_string("{{ x }}").render(x="<b>&") == "&lt;b&gt;&amp;"


def test_client_data_is_escaped_in_dashboards_and_absent_from_survey_pages(make_portfolio, tmp_path: Path, secret_env: None) -> None:
    from tests.conftest import CLIENT
    client = {**CLIENT, "name": "<script>alert(1)</script> & Co", "notes": "<img src=x onerror=alert(1)> **bold**"}
    data = make_portfolio(clients=[client])
    out = tmp_path / "out"
    build_site(data, out)
    page = (out / "dashboard" / "clients" / "acme.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
    assert "<script>alert(1)" not in page
    assert "onerror" not in page
    assert "<strong>bold</strong>" in page
    for survey_page in (out / "public" / "survey").rglob("*.html"):
        text = survey_page.read_text(encoding="utf-8")
        for private in ("alert(1)", "Dana Ruiz", "dana@acme.example"):
            assert private not in text


def test_tokens_are_keyed_per_survey_and_client() -> None:
    secret = b"k"
    tokens = {survey_token(secret, s, c) for s in ("a", "b") for c in ("x", "y")}
    assert len(tokens) == 4
    token = survey_token(secret, "a", "x")
    assert len(token) == 33 and token.startswith("r") and token.isascii()  # 160 bits, kept as text by spreadsheets
    assert len({survey_token(secret, "a", str(n)) for n in range(1000)}) == 1000
    assert survey_token(b"other", "a", "x") != token


def test_cli_build_prints_where_the_overview_is(make_portfolio, tmp_path: Path) -> None:
    data = make_portfolio()
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--data", str(data), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, cwd=REPO, env={"RAPPORT_SECRET": SECRET, "PATH": "", "RAPPORT_BUILD_SERVER": "off"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("built ")
    assert f"{tmp_path / 'out'}/dashboard/index.html is your overview" in result.stdout
    assert result.stderr == ""


def test_a_changed_character_maps_a_token_to_no_client() -> None:
    secret, clients = b"k", ["acme", "bravo", "charlie"]
    token = survey_token(secret, "review", "bravo")
    assert client_for_token(secret, "review", token, clients) == "bravo"
    assert client_for_token(secret, "pulse", token, clients) is None
    for position in range(len(token)):
        changed = token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1:]
        assert client_for_token(secret, "review", changed, clients) is None


def test_a_rebuild_rewrites_only_changed_files_and_equals_a_clean_build(make_portfolio, tmp_path: Path, secret_env: None) -> None:
    data = make_portfolio(contacts=[["2026-11-02", "acme", "onsite", "Sam", "60", "first visit"]])
    out = tmp_path / "output"
    first = build_site(data, out)
    assert first.written == first.files
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    unchanged = build_site(data, out)
    assert unchanged.written == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != ".manifest.json"} == {
        p: t for p, t in stamps.items() if p.name != ".manifest.json"}
    with (data / "contacts.csv").open("a", encoding="utf-8") as handle:
        handle.write("2026-11-20,acme,phone,Sam,10,follow-up call\n")
    changed = build_site(data, out)
    assert 0 < changed.written < changed.files
    client_page = out / "dashboard" / "clients" / "acme.html"
    assert client_page.stat().st_mtime_ns != stamps[client_page]
    assert (out / "public" / "404.html").stat().st_mtime_ns == stamps[out / "public" / "404.html"]
    build_site(data, tmp_path / "clean")
    assert tree_digest(out) == tree_digest(tmp_path / "clean")


def _icalendar_reference(business: str, as_of, items) -> bytes:
    """The calendar as the icalendar package writes it (what render/calendar_page.py used to call)."""
    import datetime as dt

    import icalendar
    from icalendar.prop import vDDDTypes, vText

    cal = icalendar.Calendar()
    cal.add("prodid", "-//Rapport//Client dashboards//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{business}: surveys, renewals and visits")
    stamp = vDDDTypes(dt.datetime.combine(as_of, dt.time(0, 0), tzinfo=dt.UTC))
    for item in items:
        event = icalendar.Event()
        event["UID"] = vText(item.uid)
        event["DTSTAMP"] = stamp
        event["DTSTART"] = vDDDTypes(item.day)
        event["DTEND"] = vDDDTypes(item.day + dt.timedelta(days=1))
        event["SUMMARY"] = vText(item.summary)
        event["DESCRIPTION"] = vText(item.detail)
        cal.add_component(event)
    return cal.to_ical()


@pytest.mark.parametrize("business", ["Harbor Point IT", "Ærø Café; Søren, \\ & Co — a name long enough to fold over the line"])
def test_the_calendar_file_has_the_bytes_icalendar_writes(business: str) -> None:
    import datetime as dt
    from types import SimpleNamespace

    from generator.render.calendar_page import Event, ics

    texts = ["plain", "commas, semicolons; and \\ backslashes", "two\nlines\r\nand\rthree", "literal \\N break",
             "x" * 73 + ",", "y" * 72 + ";z", "é" * 40, "Zoë " * 30, "ab" * 36 + "\\\\" + "c" * 20, "😀" * 25,
             "^" * 80, "a" * 74, "a" * 75]
    items = [Event(dt.date(2026, 1, 1) + dt.timedelta(days=k), "survey", f"client-{k}", text, f"Survey due: {text}", text)
             for k, text in enumerate(texts)]
    site = SimpleNamespace(portfolio=SimpleNamespace(settings=SimpleNamespace(business=SimpleNamespace(name=business))),
                           as_of=dt.date(2026, 11, 30))
    assert ics(site, items) == _icalendar_reference(business, site.as_of, items)


def test_the_progress_bar_draws_only_on_a_terminal_and_clears_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from generator import progress as progress_module
    from generator.build import STAGES

    monkeypatch.setattr(progress_module, "SHOW_AFTER", 0.0)
    monkeypatch.setattr(progress_module, "REDRAW_EVERY", 0.0)
    shown = io.StringIO()
    bar = progress_module.Progress(STAGES, stream=shown, enabled=True)
    bar.stage("load")
    bar.stage("render")
    bar.advance(1, 4)
    bar.finish()
    text = shown.getvalue()
    assert "1/7 loading data" in text and "5/7 rendering pages 25%" in text
    assert text.endswith("\r\x1b[2K")  # the line is cleared: the command's own output follows on a clean line
    assert list(bar.durations) == ["load", "render"]
    silent = io.StringIO()  # a StringIO is no terminal
    quiet = progress_module.Progress(STAGES, stream=silent)
    quiet.stage("load")
    quiet.finish()
    assert silent.getvalue() == "" and list(quiet.durations) == ["load"]


def test_compiled_templates_are_kept_per_user_and_made_again_when_a_template_changes(
    make_portfolio, tmp_path: Path, secret_env: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = make_portfolio()
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "404.html").write_text("<p>first version</p>\n", encoding="utf-8")
    build_site(data, tmp_path / "out", templates_dir=templates)
    compiled = tmp_path / "cache" / "rapport" / "templates"
    assert compiled.stat().st_mode & 0o777 == 0o700
    assert len(list(compiled.iterdir())) >= 10, "every template compiled once, kept for the next build"
    (templates / "404.html").write_text("<p>second version</p>\n", encoding="utf-8")
    build_site(data, tmp_path / "out", templates_dir=templates)
    assert (tmp_path / "out" / "public" / "404.html").read_text(encoding="utf-8") == "<p>second version</p>\n"


def test_a_template_cache_folder_others_can_write_to_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "rapport" / "templates").mkdir(parents=True)
    (tmp_path / "rapport" / "templates").chmod(0o777)
    assert compiled_templates() is None
    (tmp_path / "rapport" / "templates").chmod(0o700)
    assert compiled_templates() is not None


def test_rapport_lists_every_command_and_a_build_imports_no_server() -> None:
    listed = subprocess.run([sys.executable, "-m", "generator", "--help"], capture_output=True, text=True, cwd=REPO)
    commands = listed.stdout.split("Commands:")[1].split()
    assert {"build", "collect", "demo", "import", "log", "publish", "report", "serve", "validate"} <= set(commands)
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, generator.cli, generator.build; print(sorted(sys.modules))"],
        capture_output=True, text=True, cwd=REPO, check=True,
    )
    assert "'uvicorn'" not in loaded.stdout and "'starlette'" not in loaded.stdout
