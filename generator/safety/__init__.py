"""The publish stage of the build: add the encrypted dashboards, then run the leak gate."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from generator.keys import site_secret
from generator.portfolio import Portfolio
from generator.publish.encrypt import SOURCE, TARGET, encrypt_dashboards, is_plain_asset
from generator.publish.leak_gate import Finding, LeakError, scan
from generator.publish.passphrase import dashboard_key, dashboard_passphrase
from generator.templates import make_environment
from generator.write import BuiltFile

SEALED_MARKER = b'id="rapport-sealed"'


def publish_stage(
    portfolio: Portfolio, files: Iterable[BuiltFile], data_dir: Path, templates_dir: Path | None = None,
) -> list[BuiltFile]:
    """The files plus, when configured, the encrypted dashboards; LeakError before anything is written."""
    files = list(files)
    if portfolio.settings.dashboards.publish == "encrypted":
        passphrase = dashboard_passphrase(data_dir)
        if passphrase is not None:
            sealed_key, content = dashboard_key(data_dir, passphrase)
            files += encrypt_dashboards(files, sealed_key, content, make_environment(templates_dir), portfolio.settings)
    check_public(portfolio, files, site_secret(data_dir))
    return sorted(files, key=lambda item: item.path)


def check_public(portfolio: Portfolio, files: list[BuiltFile], secret: bytes) -> None:
    """Raise LeakError for client data, or a dashboard page in plain text, under `public/`."""
    findings = scan(portfolio, files, secret) + plain_dashboards(files)
    if findings:
        raise LeakError(findings)


def plain_dashboards(files: Iterable[BuiltFile]) -> list[Finding]:
    """Public files that are dashboard pages in plain text: a copy, or an unsealed page in `dashboard/`."""
    files = list(files)
    # the digests each file carries already (its bytes may not even be in memory: see StagedFile)
    private = {item.sha256 for item in files if item.path.startswith(SOURCE) and not is_plain_asset(item.path)}
    findings = []
    for item in files:
        if not item.path.startswith("public/"):
            continue
        inside = item.path.startswith(TARGET) and not is_plain_asset(item.path.removeprefix("public/"))
        if item.sha256 in private or (inside and SEALED_MARKER not in item.content):
            findings.append(Finding(item.path, "a dashboard file in plain text"))
    return findings
