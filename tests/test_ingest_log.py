"""`rapport log`: one validated contact appended to contacts.csv, with 'did you mean'."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.load import load_portfolio
from tests.conftest import CONTACT_HEADER, csv_text

EXISTING = [["2026-11-02", "acme", "onsite", "Lee", "90", "Quarterly check"]]


@pytest.fixture
def data(make_portfolio) -> Path:
    """A tiny portfolio with one contact."""
    return make_portfolio(contacts=EXISTING)


def log(data: Path, *args: str):
    """Run `rapport log … --data DATA`."""
    return CliRunner().invoke(cli, ["log", *args, "--data", str(data)])


def test_a_contact_is_appended_after_the_old_bytes(data: Path) -> None:
    before = (data / "contacts.csv").read_bytes()
    result = log(data, "acme", "phone", "--date", "2026-11-20", "--minutes", "15", "--staff", "Lee",
                 "--note", 'Asked about "the NAS", then, =SUM(1)')
    assert result.exit_code == 0, result.output
    assert "logged phone contact with acme on 2026-11-20" in result.output
    after = (data / "contacts.csv").read_bytes()
    assert after.startswith(before)
    contacts = load_portfolio(data).contacts
    assert len(contacts) == 2
    last = contacts.iloc[-1]
    assert (last["kind"], last["staff"], int(last["minutes"]), last["note"]) == \
        ("phone", "Lee", 15, 'Asked about "the NAS", then, =SUM(1)')


def test_the_date_defaults_to_today(data: Path) -> None:
    assert log(data, "acme", "email").exit_code == 0
    assert (data / "contacts.csv").read_text(encoding="utf-8").splitlines()[-1] == f"{dt.date.today().isoformat()},acme,email,,,"


@pytest.mark.parametrize(("args", "message"), [
    (["acme-dentl", "onsite"], "error: client: 'acme-dentl' is not a client id (expected an id from clients.yaml) — did you mean 'acme'?"),
    (["acme", "on-site"], "error: 'on-site' is not a contact kind (expected onsite, remote, phone, email) — did you mean 'onsite'?"),
    (["acme", "onsite", "--minutes", "half an hour"], "error: minutes: 'half an hour' is not a whole number"),
    (["acme", "onsite", "--minutes", "-5"], "error: minutes: '-5' is negative"),
    (["acme", "onsite", "--date", "2026-02-30"], "'2026-02-30' is not a date"),
    (["acme", "onsite", "--note", "bell\x07"], "error: note: holds a control character"),
])
def test_a_bad_contact_is_refused_and_nothing_is_written(data: Path, args: list[str], message: str) -> None:
    before = (data / "contacts.csv").read_bytes()
    result = log(data, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert (data / "contacts.csv").read_bytes() == before


def test_a_missing_contacts_file_is_started_with_its_header(data: Path) -> None:
    (data / "contacts.csv").unlink()
    assert log(data, "acme", "remote", "--date", "2026-11-21", "--minutes", "30").exit_code == 0
    assert (data / "contacts.csv").read_text(encoding="utf-8") == csv_text(CONTACT_HEADER, [["2026-11-21", "acme", "remote", "", "30", ""]])
