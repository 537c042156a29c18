"""The publish stage of the build: add the encrypted dashboards, then run the leak gate."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from generator.keys import site_secret
from generator.portfolio import Portfolio
from generator.publish.encrypt import SOURCE, TARGET, encrypt_dashboards, is_plain_asset
from generator.publish.leak_gate import Finding, LeakError, scan
from generator.publish.passphrase import dashboard_key, dashboard_passphrase
from generator.templates import make_environment
from generator.write import OutputFile

SEALED_MARKER = b'id="rapport-sealed"'


def publish_stage(
    portfolio: Portfolio, files: Iterable[OutputFile], data_dir: Path, templates_dir: Path | None = None,
) -> list[OutputFile]:
    """The files plus, when configured, the encrypted dashboards; LeakError before anything is written."""
    files = list(files)
    if portfolio.settings.dashboards.publish == "encrypted":
        passphrase = dashboard_passphrase(data_dir)
        if passphrase is not None:
            sealed_key, content = dashboard_key(data_dir, passphrase)
            files += encrypt_dashboards(files, sealed_key, content, make_environment(templates_dir), portfolio.settings)
    check_public(portfolio, files, site_secret(data_dir))
    return sorted(files, key=lambda item: item.path)


def check_public(portfolio: Portfolio, files: list[OutputFile], secret: bytes) -> None:
    """Raise LeakError for client data, or a dashboard page in plain text, under `public/`."""
    findings = scan(portfolio, files, secret) + plain_dashboards(files)
    if findings:
        raise LeakError(findings)


def plain_dashboards(files: Iterable[OutputFile]) -> list[Finding]:
    """Public files that are dashboard pages in plain text: a copy, or an unsealed page in `dashboard/`."""
    files = list(files)
    private = {
        hashlib.sha256(item.content).digest()
        for item in files if item.path.startswith(SOURCE) and not is_plain_asset(item.path)
    }
    findings = []
    for item in files:
        if not item.path.startswith("public/"):
            continue
        inside = item.path.startswith(TARGET) and not is_plain_asset(item.path.removeprefix("public/"))
        if hashlib.sha256(item.content).digest() in private or (inside and SEALED_MARKER not in item.content):
            findings.append(Finding(item.path, "a dashboard file in plain text"))
    return findings
