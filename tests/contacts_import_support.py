"""Shared set-up for the `rapport import-contacts` tests: two clients with match: keywords, a kind map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from generator.cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "contacts"
SITE: dict[str, Any] = {
    "business": {"name": "Harbor Point IT"}, "as_of": "2026-11-30",
    "contacts_import": {"kinds": {"Teams": "remote", "Google Meet": "remote", "Zoom": "remote", "Phone": "phone",
                                  "on-site": "onsite"}},
}
ACME: dict[str, Any] = {"id": "acme", "name": "Acme Dental", "pcs": 18, "servers": 1,
                        "agreement": {"start": "2024-03-01"}, "match": ["Acme"]}
BAYVIEW: dict[str, Any] = {"id": "bayview", "name": "Bayview Law", "pcs": 8, "servers": 1,
                           "agreement": {"start": "2024-03-01"}, "match": ["Bayview"]}
EXISTING = [["2026-11-02", "acme", "onsite", "Lee", "90", "Quarterly check"]]
HEADER = "date,client,kind,staff,minutes,note"


def run(data: Path, *args: str | Path) -> Result:
    """`rapport import-contacts ARGS --data DATA`."""
    return CliRunner().invoke(cli, ["import-contacts", *map(str, args), "--data", str(data)])


def added_lines(data: Path) -> list[str]:
    """The lines of contacts.csv after the one existing contact."""
    return (data / "contacts.csv").read_text(encoding="utf-8").splitlines()[2:]
