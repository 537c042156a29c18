"""`rapport publish` against a local bare repository: exactly output/public/, nothing else, never a canary."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.errors import RapportError
from generator.publish.publish import publish_site
from generator.safety.leak_gate import LeakError
from generator.templates import BUILTIN_TEMPLATES
from tests.conftest import REPO
from tests.test_publish_support import (  # noqa: F401 - secrets_env is a fixture
    CANARIES,
    CANARY_MARKS,
    PASSPHRASE,
    SECRET,
    canary_portfolio,
    readable,
    secrets_env,
)


def git(folder: Path, *arguments: str) -> str:
    return subprocess.run(["git", "-C", str(folder), *arguments], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def project(make_portfolio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(data folder, bare remote): the project is a git repository with the canary portfolio."""
    for variable in ("GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(variable, raising=False)
    data = canary_portfolio(make_portfolio)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.name", "Test")
    git(tmp_path, "config", "user.email", "test@example.invalid")
    remote = tmp_path.parent / f"{tmp_path.name}-site.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    return data, remote


def files_under(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


def test_publish_pushes_exactly_the_public_files(project: tuple[Path, Path], secrets_env: None) -> None:
    data, remote = project
    out = data.parent / "output"
    result = publish_site(data, out, remote=str(remote), cname="feedback.example.com")
    assert result.pushed and result.changed
    pushed = set(git(remote, "ls-tree", "-r", "--name-only", "gh-pages").split())
    assert pushed == files_under(out / "public") | {".nojekyll", "CNAME"}
    assert git(remote, "show", "gh-pages:CNAME").strip() == "feedback.example.com"
    assert "404.html" in pushed and any(name.startswith("dashboard/c/") for name in pushed)
    assert not any(name.startswith(("clients/", "dashboard/clients/")) for name in pushed)
    # every pushed byte equals the file on disk
    for name in files_under(out / "public"):
        blob = subprocess.run(["git", "-C", str(remote), "show", f"gh-pages:{name}"], check=True, capture_output=True).stdout
        assert blob == (out / "public" / name).read_bytes(), name
    # publishing again with nothing changed makes no new commit
    again = publish_site(data, out, remote=str(remote), cname="feedback.example.com")
    assert (again.pushed, again.changed, again.commit) == (False, False, result.commit)
    assert git(remote, "rev-list", "--count", "gh-pages").strip() == "1"


def test_a_change_is_one_more_commit_on_top_of_what_is_published(project: tuple[Path, Path], secrets_env: None) -> None:
    data, remote = project
    out = data.parent / "output"
    first = publish_site(data, out, remote=str(remote))
    (data / "pages").mkdir()
    (data / "pages" / "about.md").write_text("# About\n\nWe look after small offices.\n")
    second = publish_site(data, out, remote=str(remote))
    assert git(remote, "rev-parse", "gh-pages^").strip() == first.commit
    changed = git(remote, "diff", "--name-only", first.commit, second.commit).split()
    assert "about/index.html" in changed
    assert not any(name.startswith("dashboard/") for name in changed)  # encrypted pages did not churn


def test_a_dry_run_commits_locally_pushes_nothing_and_holds_no_canary(project: tuple[Path, Path], secrets_env: None) -> None:
    data, remote = project
    out = data.parent / "output"
    result = subprocess.run(
        [sys.executable, "-m", "generator", "publish", "--data", str(data), "--out", str(out), "--remote", str(remote), "--dry-run"],
        capture_output=True, text=True, cwd=REPO,
        env={"RAPPORT_SECRET": SECRET, "RAPPORT_DASHBOARD_PASSPHRASE": PASSPHRASE, "PATH": "/usr/bin:/bin", "HOME": str(data.parent)},
    )
    assert result.returncode == 0, result.stderr
    listed = result.stdout.splitlines()
    assert listed[-1].startswith("dry run: ") and "nothing was pushed" in listed[-1]
    assert set(listed[:-1]) == files_under(out / "public") | {".nojekyll"}
    assert git(remote, "branch", "--list") == ""  # the remote is untouched
    commit = git(data.parent, "rev-parse", "gh-pages").strip()
    for name in git(data.parent, "ls-tree", "-r", "--name-only", commit).split():
        blob = subprocess.run(["git", "-C", str(data.parent), "show", f"{commit}:{name}"], check=True, capture_output=True).stdout
        text = readable(blob) + name.casefold()
        assert [mark for mark in CANARY_MARKS if mark in text] == [], name
    assert [mark for mark in CANARY_MARKS if mark in git(data.parent, "log", "-1", "--format=%B", commit).casefold()] == []


def test_publish_refuses_when_the_leak_gate_fails(project: tuple[Path, Path], secrets_env: None, tmp_path: Path) -> None:
    data, remote = project
    templates = tmp_path / "templates"
    templates.mkdir()
    page = (BUILTIN_TEMPLATES / "404.html").read_text().replace("</h1>", f"</h1><p>{CANARIES['contact phone']}</p>")
    (templates / "404.html").write_text(page)
    with pytest.raises(LeakError, match=r"public/404\.html: contact phone"):
        publish_site(data, data.parent / "output", remote=str(remote), templates_dir=templates)
    assert git(remote, "branch", "--list") == ""
    assert subprocess.run(["git", "-C", str(data.parent), "rev-parse", "-q", "--verify", "gh-pages"], capture_output=True).returncode != 0


def test_publish_without_a_passphrase_omits_the_dashboards_and_says_so(project: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    data, remote = project
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    monkeypatch.delenv("RAPPORT_DASHBOARD_PASSPHRASE", raising=False)
    said: list[str] = []
    result = publish_site(data, data.parent / "output", remote=str(remote), say=said.append)
    assert not any(name.startswith("dashboard/") for name in result.files)
    assert any("dashboards are not published" in line and "RAPPORT_DASHBOARD_PASSPHRASE" in line for line in said)


def test_publish_says_where_collector_forms_post_when_that_is_the_static_site(
    project: tuple[Path, Path], secrets_env: None,
) -> None:
    data, remote = project
    settings = yaml.safe_load((data / "site.yaml").read_text(encoding="utf-8"))
    settings["site"] = {"base_url": "https://example.github.io/rapport/"}
    (data / "site.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    said: list[str] = []
    publish_site(data, data.parent / "output", remote=str(remote), say=said.append)
    assert [line for line in said if "survey forms post to" in line] == [
        "note: the survey forms post to https://example.github.io/api/responses (forms.backend: collector); a static "
        "host such as GitHub Pages cannot receive them there. Run `rapport collect` where that address reaches it, or "
        "set forms.endpoint to the https:// address of your collector, or choose another forms.backend"
    ]
    settings["forms"] = {"backend": "collector", "endpoint": "https://collect.example.com/api/responses"}
    (data / "site.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    said.clear()
    publish_site(data, data.parent / "output", remote=str(remote), say=said.append)
    assert not any("survey forms post to" in line for line in said)


def test_publish_needs_a_git_repository_and_a_reachable_remote(make_portfolio, tmp_path: Path, secrets_env: None,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    data = canary_portfolio(make_portfolio)
    with pytest.raises(RapportError, match="publish needs a git repository"):
        publish_site(data, tmp_path / "output", remote="origin")
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "user.name", "Test")
    git(tmp_path, "config", "user.email", "test@example.invalid")
    with pytest.raises(RapportError, match="cannot reach the remote 'nowhere'"):
        publish_site(data, tmp_path / "output", remote="nowhere")
