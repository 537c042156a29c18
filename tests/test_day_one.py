"""Day one: `rapport init`, and a site secret that is never made or replaced without being asked."""

from __future__ import annotations

import datetime as dt
import json
import os
import select
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from generator.cli import cli
from generator.keys import SAMPLE_SECRET, fingerprint
from generator.tokens import survey_token
from tests.conftest import REPO


@pytest.fixture(autouse=True)
def no_secret_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAPPORT_SECRET", raising=False)
    monkeypatch.delenv("RAPPORT_DASHBOARD_PASSPHRASE", raising=False)


def rapport(*args: str | Path, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, [str(arg) for arg in args], input=input)


@pytest.fixture
def practice(tmp_path: Path) -> Path:
    """`rapport init tmp/p --business "Test IT"`."""
    result = rapport("init", tmp_path / "p", "--business", "Test IT")
    assert result.exit_code == 0, result.output
    return tmp_path / "p"


def add_client(data: Path, start: dt.date) -> None:
    text = (data / "clients.yaml").read_text(encoding="utf-8").replace("[]\n", "")
    text += yaml.safe_dump([{"id": "acme", "name": "Acme Dental", "pcs": 18, "servers": 1,
                             "agreement": {"start": start.isoformat(), "term_months": 12}}])
    (data / "clients.yaml").write_text(text, encoding="utf-8")


def test_init_makes_a_minimal_folder_that_validates_and_builds(tmp_path: Path) -> None:
    result = rapport("init", tmp_path / "p", "--business", "Test IT", "--email", "hi@test.example", "--language", "de")
    assert result.exit_code == 0, result.output
    data = tmp_path / "p"
    assert sorted(p.relative_to(data).as_posix() for p in data.rglob("*")) == [
        ".secret-fingerprint", "clients.yaml", "contacts.csv", "followups.csv", "invitations.csv", "pages", "pages/index.md",
        "responses",
        "site.yaml", "surveys", "surveys/annual-review.yaml"]
    site = yaml.safe_load((data / "site.yaml").read_text(encoding="utf-8"))
    assert site["business"] == {"name": "Test IT", "email": "hi@test.example"}
    assert site["site"] == {"language": "de"}
    assert site["tracking_since"] == dt.date.today()
    assert "as_of" not in site
    assert yaml.safe_load((data / "clients.yaml").read_text(encoding="utf-8")) == []
    assert "#   agreement: {start:" in (data / "clients.yaml").read_text(encoding="utf-8")
    assert (data / "contacts.csv").read_text(encoding="utf-8") == "date,client,kind,staff,minutes,note\n"
    assert (data / "invitations.csv").read_text(encoding="utf-8") == "date,client,survey,round,channel,kind\n"
    assert (data / "followups.csv").read_text(encoding="utf-8") == "id,client,survey,response,reason,opened,due,owner,status,closed,note\n"
    survey = yaml.safe_load((data / "surveys" / "annual-review.yaml").read_text(encoding="utf-8"))
    assert [(q["id"], q["type"]) for q in survey["questions"]] == [("overall", "rating"), ("recommend", "nps"), ("improve", "text")]
    assert (data / "pages" / "index.md").read_text(encoding="utf-8") == "# Test IT\n"
    secret = tmp_path / ".rapport" / "secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert (tmp_path / ".rapport" / ".gitignore").read_text() == "*\n"
    assert (data / ".secret-fingerprint").read_text().splitlines()[-1] == fingerprint(secret.read_text().strip().encode())
    assert secret.read_text().strip() not in (data / ".secret-fingerprint").read_text()
    lines = result.output.splitlines()
    assert lines[2:] == [
        "next:",
        f"  1. add a client: edit {data / 'clients.yaml'} (its commented example shows every field)",
        f"  2. log a contact: rapport log CLIENT-ID onsite --minutes 60 --data {data}",
        f"  3. build: rapport build --data {data} --out output, then open output/dashboard/index.html",
    ]

    validated = rapport("validate", "--data", data)
    assert validated.exit_code == 0, validated.output
    assert validated.output == f"OK: {data}: 0 clients, 0 contacts, 1 survey, 0 responses, 1 page\n"
    built = rapport("build", "--data", data, "--out", tmp_path / "o")
    assert built.exit_code == 0, built.output
    assert "warning" not in built.output
    assert (tmp_path / "o" / "public" / "survey" / "annual-review" / "index.html").is_file()


def test_a_client_that_starts_today_is_not_red(practice: Path, tmp_path: Path) -> None:
    add_client(practice, dt.date.today())
    logged = rapport("log", "acme", "onsite", "--minutes", "60", "--data", practice)
    assert logged.exit_code == 0, logged.output
    report = rapport("report", "--json", "--data", practice)
    assert report.exit_code == 0, report.output
    client = json.loads(report.stdout)["clients"][0]
    assert (client["id"], client["survey_overdue"], client["days_since_contact"]) == ("acme", False, 0)
    assert rapport("build", "--data", practice, "--out", tmp_path / "o").exit_code == 0


def test_init_never_writes_into_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    result = rapport("init", folder, "--business", "Test IT")
    assert result.exit_code == 2
    assert result.output == f"error: {folder} is not empty: nothing was written (choose a new or empty folder; init never overwrites)\n"
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert not (tmp_path / ".rapport").exists()


def test_init_without_a_business_name_off_a_terminal_is_refused(tmp_path: Path) -> None:
    result = rapport("init", tmp_path / "p", input="Test IT\n")  # CliRunner's input is not a terminal
    assert result.exit_code == 2
    assert "error: --business NAME is required when not run on a terminal" in result.output
    assert not (tmp_path / "p").exists()


def test_a_missing_secret_stops_every_command_that_needs_it(practice: Path, tmp_path: Path) -> None:
    secret = tmp_path / ".rapport" / "secret"
    secret.unlink()
    built = rapport("build", "--data", practice, "--out", tmp_path / "o")
    assert built.exit_code == 2
    assert built.output == (
        f"error: no site secret for {practice}: looked in RAPPORT_SECRET (not set) and {secret} (no such file). "
        f"Restore the secret this folder was made with (fingerprint {(practice / '.secret-fingerprint').read_text().split()[-1]} "
        f"in {practice}/.secret-fingerprint) into that file or RAPPORT_SECRET; only if it is lost, make a new one with "
        f"`rapport secret new --replace --data {practice}` (every personal link already sent stops working)\n")
    assert not (tmp_path / "o").exists()
    assert not secret.exists(), "no secret was made up"
    for command in (["collect"], ["serve", "--port", "0"], ["publish", "--dry-run"], ["secret", "show"]):
        result = rapport(*command, "--data", practice)
        assert result.exit_code == 2, (command, result.output)
        assert result.output.startswith(f"error: no site secret for {practice}: looked in RAPPORT_SECRET"), command
    export = tmp_path / "export.csv"
    export.write_text("response_id,client,submitted_at,overall\n")
    imported = rapport("import", export, "--source", "csv", "--data", practice)
    assert imported.exit_code == 2
    assert imported.output.startswith(f"error: no site secret for {practice}")
    assert not secret.exists()


def test_another_secret_is_refused_the_same_way(practice: Path, tmp_path: Path) -> None:
    secret = tmp_path / ".rapport" / "secret"
    secret.write_text("someone-elses-secret\n")
    built = rapport("build", "--data", practice, "--out", tmp_path / "o")
    assert built.exit_code == 2
    assert built.output.startswith(f"error: the site secret in {secret} is not the one {practice} was made with")
    assert "`rapport secret new --replace" in built.output
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAPPORT_SECRET", "yet-another")
        from_env = rapport("build", "--data", practice, "--out", tmp_path / "o")
    assert from_env.exit_code == 2
    assert from_env.output.startswith(f"error: the site secret in the RAPPORT_SECRET environment variable is not the one {practice}")
    assert not (tmp_path / "o").exists()


def test_secret_new_replace_is_the_one_way_to_change_it(practice: Path, tmp_path: Path) -> None:
    add_client(practice, dt.date.today() - dt.timedelta(days=30))
    secret = tmp_path / ".rapport" / "secret"
    before = secret.read_text()
    refused = rapport("secret", "new", "--data", practice)
    assert refused.exit_code == 2
    assert refused.output == (f"error: {practice} already has a site secret ({secret}). To change it on purpose, "
                              f"`rapport secret new --replace --data {practice}` (every personal link already sent stops working)\n")
    assert secret.read_text() == before
    replaced = rapport("secret", "new", "--replace", "--data", practice)
    assert replaced.exit_code == 0, replaced.output
    assert replaced.output.splitlines()[1].startswith("1 personal survey link changed (active clients × surveys)")
    after = secret.read_text().strip()
    assert after != before.strip()
    shown = rapport("secret", "show", "--data", practice)
    assert shown.stdout == after + "\n"
    assert rapport("build", "--data", practice, "--out", tmp_path / "o").exit_code == 0


def test_the_sample_builds_with_the_sample_secret_says_so_and_is_never_published(tmp_path: Path) -> None:
    data = tmp_path / "project" / "data"
    made = rapport("demo", "--out", data)
    assert made.exit_code == 0, made.output
    assert (data / ".secret-fingerprint").read_text().split()[-1] == fingerprint(SAMPLE_SECRET.encode())
    built = rapport("build", "--data", data, "--out", tmp_path / "o")
    assert built.exit_code == 0, built.output
    warnings = [line for line in built.output.splitlines() if line.startswith("warning:")]
    assert warnings == [f"warning: {data} is the sample portfolio, built with the built-in sample secret (public): its "
                        "survey links are for trying Rapport only, and publish refuses it; start your own with `rapport init DIR`"]
    assert not (tmp_path / "project" / ".rapport" / "secret").exists()
    published = rapport("publish", "--dry-run", "--data", data, "--out", tmp_path / "o")
    assert published.exit_code == 2
    assert published.output.startswith(f"error: {data} uses the built-in sample secret, which is public: nothing was published.")
    with pytest.MonkeyPatch.context() as patch:  # a secret configured for a sample is used, without the warning
        patch.setenv("RAPPORT_SECRET", "my-own-secret")
        own = rapport("build", "--data", data, "--out", tmp_path / "own")
    assert own.exit_code == 0, own.output
    assert "warning" not in own.output
    token = survey_token(b"my-own-secret", "annual-review", "bayview-dental")
    assert f"#t={token}" in (tmp_path / "own" / "dashboard" / "links.csv").read_text(encoding="utf-8-sig")


def test_link_prints_a_clients_personal_links_due_or_not(practice: Path, tmp_path: Path) -> None:
    add_client(practice, dt.date.today())  # its first survey is months away
    token = survey_token((tmp_path / ".rapport" / "secret").read_text().strip().encode(), "annual-review", "acme")
    local = rapport("link", "acme", "--data", practice)
    assert local.exit_code == 0, local.output
    assert local.stdout == f"annual-review: output/public/survey/annual-review/index.html#t={token}\n"
    assert rapport("build", "--data", practice, "--out", tmp_path / "output").exit_code == 0
    assert (tmp_path / "output" / "public" / "survey" / "annual-review" / "index.html").is_file()
    site = practice / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace(
        "  # base_url: https://YOUR-NAME.github.io/YOUR-REPOSITORY/", "  base_url: https://you.github.io/practice/  #"),
        encoding="utf-8")
    published = rapport("link", "acme", "--survey", "annual-review", "--data", practice)
    assert published.stdout == f"annual-review: https://you.github.io/practice/survey/annual-review/#t={token}\n"
    unknown = rapport("link", "acme-dental", "--data", practice)
    assert unknown.exit_code == 1
    assert unknown.output == f"error: no client 'acme-dental' in {practice}/clients.yaml — did you mean 'acme'?\n"


def test_init_asks_for_the_business_name_on_a_terminal(tmp_path: Path) -> None:
    leader, follower = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "init", str(tmp_path / "p")], stdin=follower, stdout=follower, stderr=follower,
        cwd=REPO, env={**os.environ, "RAPPORT_SECRET": ""})
    os.close(follower)
    seen = b""
    while b"Your business's name:" not in seen:
        ready, _, _ = select.select([leader], [], [], 60)
        assert ready, f"no prompt; the terminal showed {seen!r}"
        seen += os.read(leader, 1024)
    os.write(leader, b"Harbor Light IT\n")
    assert process.wait(timeout=60) == 0
    os.close(leader)
    site = yaml.safe_load((tmp_path / "p" / "site.yaml").read_text(encoding="utf-8"))
    assert site["business"]["name"] == "Harbor Light IT"


def test_a_folder_made_before_fingerprints_gets_one_from_secret_new(make_portfolio: Callable[..., Path], tmp_path: Path) -> None:
    data = make_portfolio()
    (tmp_path / ".rapport").mkdir()
    (tmp_path / ".rapport" / "secret").write_text("the-old-secret\n")
    assert rapport("build", "--data", data, "--out", tmp_path / "o").exit_code == 0  # no fingerprint: taken as it is
    pinned = rapport("secret", "new", "--data", data)
    assert pinned.exit_code == 2
    assert pinned.output == (f"error: {data} already has a site secret ({tmp_path / '.rapport' / 'secret'}); its fingerprint "
                             f"is now recorded in {data}/.secret-fingerprint. To change it on purpose, `rapport secret new "
                             f"--replace --data {data}` (every personal link already sent stops working)\n")
    assert (tmp_path / ".rapport" / "secret").read_text() == "the-old-secret\n"
    (tmp_path / ".rapport" / "secret").write_text("a-new-one\n")
    assert rapport("build", "--data", data, "--out", tmp_path / "o").exit_code == 2
