"""`rapport build` with nothing changed since the last build says so and leaves every byte as it was;
any change to what the pages are made from, or to the output itself, builds again."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator import unchanged
from generator.cli import cli
from generator.demo import write_demo
from generator.unchanged import RECORD
from tests.conftest import secret_env_fixture
from tests.test_speed import SECRET, new_response, tree

secret_env = secret_env_fixture(SECRET)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A demo portfolio in tmp_path/data, built once into tmp_path/output, the working folder tmp_path."""
    write_demo(tmp_path / "data", clients=8, seed=5)
    monkeypatch.chdir(tmp_path)
    assert build().output.startswith("built ")
    return tmp_path


def build(*options: str) -> Result:
    result = CliRunner().invoke(cli, ["build", "--data", "data", "--out", "output", *options])
    assert result.exit_code == 0, result.output
    return result


def without_record(folder: Path) -> dict[str, str]:
    return {path: digest for path, digest in tree(folder).items() if path != RECORD}


def test_a_second_build_with_nothing_changed_says_so_and_touches_no_file(project: Path) -> None:
    before = tree(project / "output")
    times = {path: path.stat().st_mtime_ns for path in (project / "output").rglob("*") if path.is_file()}
    again = build()
    files = len([path for path in before if path not in (RECORD, ".manifest.json")])  # the pages, not the records
    assert again.stdout.startswith(f"nothing changed since the last build: its {files:,} files in output are current (")
    assert tree(project / "output") == before
    assert {path: path.stat().st_mtime_ns for path in (project / "output").rglob("*") if path.is_file()} == times


@pytest.mark.parametrize("change", ["response", "template", "output edited", "output deleted", "other day", "other secret",
                                    "passphrase set", "passphrase file"])
def test_any_change_to_the_inputs_or_the_output_builds_again_to_the_bytes_of_a_fresh_build(
        project: Path, change: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    options: list[str] = []
    overview = project / "output" / "dashboard" / "index.html"
    assert not (project / "output" / "public" / "dashboard").exists()  # no passphrase yet: nothing sealed
    if change == "response":
        new_response(project / "data")
    elif change == "template":
        (project / "site_templates").mkdir()
        (project / "site_templates" / "thanks.html").write_text(
            '{% extends "_base_public.html" %}{% block main %}<p>Thanks, truly.</p>{% endblock %}', encoding="utf-8")
    elif change == "output edited":
        overview.write_text(overview.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    elif change == "output deleted":
        overview.unlink()
    elif change == "other day":
        options = ["--as-of", "2026-11-29"]
    elif change == "passphrase set":
        monkeypatch.setenv("RAPPORT_DASHBOARD_PASSPHRASE", "quiet harbour lanterns drift past seven copper mills")
    elif change == "passphrase file":
        (project / ".rapport").mkdir(exist_ok=True)
        (project / ".rapport" / "dashboard-passphrase").write_text("seven copper mills hum beside the quiet harbour\n",
                                                                    encoding="utf-8")
    else:
        monkeypatch.setenv("RAPPORT_SECRET", "another-secret-altogether")
        (project / "data" / ".secret-fingerprint").unlink(missing_ok=True)
    result = build(*options)
    assert result.stdout.startswith("built "), result.output
    # and the bytes are what a build into an empty folder gives
    CliRunner().invoke(cli, ["build", "--data", "data", "--out", str(tmp_path / "fresh"), *options])
    assert without_record(project / "output") == without_record(tmp_path / "fresh")
    if change.startswith("passphrase"):  # a passphrase adds the sealed dashboards to the public tree
        assert (project / "output" / "public" / "dashboard" / "index.html").is_file()
    if change == "template":
        assert "Thanks, truly." in (project / "output" / "public" / "thanks" / "index.html").read_text(encoding="utf-8")


def test_the_library_versions_in_the_key_are_the_installed_ones() -> None:
    """The versions read from the metadata folders' names are what importlib.metadata reads from their files."""
    expected = []
    for name in unchanged.LIBRARIES:
        try:
            expected.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            expected.append(f"{name} absent")
    assert unchanged.library_versions().splitlines() == expected
