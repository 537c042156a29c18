"""The publish checks of the build: add the encrypted dashboards, then run the leak gate.

Nothing here decides how the site is published (generator/publish/ does, after a build): this
stage makes sure that what a build puts under `public/` may be published at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import jinja2

from generator.files import BuiltFile
from generator.memo import NO_MEMO, Memo
from generator.portfolio import Portfolio
from generator.safety.encrypt import SOURCE, TARGET, encrypt_dashboards, is_plain_asset
from generator.safety.leak_gate import Finding, LeakError, LeakGate
from generator.safety.passphrase import dashboard_key, dashboard_passphrase

__all__ = ["Finding", "LeakError", "LeakGate", "check_public", "check_publishable", "plain_dashboards"]

SEALED_MARKER = b'id="rapport-sealed"'


def check_publishable(
    portfolio: Portfolio, files: Iterable[BuiltFile], environment: jinja2.Environment, secret: bytes, memo: Memo = NO_MEMO,
    gate: LeakGate | None = None,
) -> list[BuiltFile]:
    """The files plus, when configured, the encrypted dashboards; LeakError before anything is written.

    `gate`, when given, is this portfolio's `LeakGate(portfolio, secret, memo, …)`, partly made
    already (a build makes its needles beside the metrics, its automaton beside the render).
    """
    files = list(files)
    if portfolio.settings.dashboards.publish == "encrypted":
        passphrase = dashboard_passphrase(portfolio.data_dir)
        if passphrase is not None:
            sealed_key, content = dashboard_key(portfolio.data_dir, passphrase)
            files += encrypt_dashboards(files, sealed_key, content, environment, portfolio.settings)
    check_public(portfolio, files, secret, memo, gate)
    return sorted(files, key=lambda item: item.path)


def check_public(
    portfolio: Portfolio, files: Sequence[BuiltFile], secret: bytes, memo: Memo = NO_MEMO, gate: LeakGate | None = None,
) -> None:
    """Raise LeakError for client data, or a dashboard page in plain text, under `public/`."""
    findings = (gate or LeakGate(portfolio, secret, memo)).scan(files) + plain_dashboards(files)
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
