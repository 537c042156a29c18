"""The ingest commands' guards: the collector needs the site's secret, the preview stays on this computer."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli


def test_every_ingest_command_is_registered_with_help() -> None:
    runner = CliRunner()
    for command in ("collect", "import", "log", "serve"):
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0, result.output
        assert "--data" in result.output


def test_the_collector_refuses_to_start_without_the_site_secret(make_portfolio, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAPPORT_SECRET", raising=False)
    data: Path = make_portfolio()
    result = CliRunner().invoke(cli, ["collect", "--data", str(data), "--port", "0"])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: no site secret for {data}: looked in RAPPORT_SECRET (not set) and "
                                    f"{data.resolve().parent / '.rapport' / 'secret'} (no such file).")
    assert not (data.parent / ".rapport").exists(), "no new secret was made up"


def test_the_preview_only_listens_on_this_computer(make_portfolio) -> None:
    result = CliRunner().invoke(cli, ["serve", "--data", str(make_portfolio()), "--host", "0.0.0.0"])
    assert result.exit_code == 1
    assert "'0.0.0.0' is not a loopback address" in result.output
