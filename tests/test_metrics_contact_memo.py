"""The contact figures kept in the memo (`contact_part` in generator/metrics/contact.py) follow every input they read.

A build keeps them under a key of the settings, the client records, the contact rows and the
report date; each test changes one of those between two builds and checks that the second build
gives what a build without any memo gives, and that the change did show in the figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from generator.demo import write_demo
from generator.load import load_portfolio
from generator.metrics import Reports, compute_reports
from generator.metrics.contact import CONTACTS_ENTRY, contacts_key
from generator.speed.cache import DiskMemo

AS_OF = dt.date(2026, 11, 30)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A demo portfolio in tmp_path/project/data (its memo goes to tmp_path/project/.rapport)."""
    folder = tmp_path / "project" / "data"
    write_demo(folder, clients=12, seed=5)
    return folder


def with_memo_and_without(data: Path, as_of: dt.date = AS_OF) -> tuple[Reports, Reports]:
    """The reports with the memo the last build left on disk (its new entries written), and computed afresh."""
    memo = DiskMemo.for_data(data)
    portfolio = load_portfolio(data, as_of)
    kept = compute_reports(portfolio, memo)
    memo.flush()
    return kept, compute_reports(load_portfolio(data, as_of))


def edit_yaml(path: Path, change: Callable[[Any], None]) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")


def first_client(data: Path) -> str:
    return str(yaml.safe_load((data / "clients.yaml").read_text(encoding="utf-8"))[0]["id"])


def new_visit(data: Path) -> dt.date:
    """Three on-site visits for the first client in the last full month before A."""
    client = first_client(data)
    with (data / "contacts.csv").open("a", encoding="utf-8", newline="") as handle:
        handle.writelines(f"2026-10-{day},{client},onsite,Maya Chen,60,Checked the backups\n" for day in (12, 13, 14))
    return AS_OF


def stricter_client(data: Path) -> dt.date:
    """The first client's own on-site minimum raised to 3."""
    edit_yaml(data / "clients.yaml", lambda clients: clients[0].update(onsite_min_per_month=3))
    return AS_OF


def new_targets(data: Path) -> dt.date:
    """The portfolio's typical on-site target raised to 4."""
    edit_yaml(data / "site.yaml", lambda site: site["targets"].update(onsite_typical_per_month=4))
    return AS_OF


def later_tracking(data: Path) -> dt.date:
    """Schedules tracked only from 2026-06-01 on (settings `tracking_since`)."""
    edit_yaml(data / "site.yaml", lambda site: site.update(tracking_since=dt.date(2026, 6, 1)))
    return AS_OF


def earlier_report_date(data: Path) -> dt.date:
    """The report date a month earlier."""
    return dt.date(2026, 10, 31)


CHANGES = {change.__name__: change for change in (new_visit, stricter_client, new_targets, later_tracking, earlier_report_date)}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_kept_contact_figures_are_taken_again_only_while_their_inputs_are_the_same(data: Path, change: str) -> None:
    before, _ = with_memo_and_without(data)
    assert DiskMemo.for_data(data).get(CONTACTS_ENTRY, contacts_key(load_portfolio(data, AS_OF))) is not None

    as_of = CHANGES[change](data)
    kept, fresh = with_memo_and_without(data, as_of)

    pd.testing.assert_frame_equal(kept.monthly_contacts, fresh.monthly_contacts, check_exact=True)
    pd.testing.assert_frame_equal(kept.clients, fresh.clients, check_exact=True)
    assert kept.attention == fresh.attention
    assert not before.monthly_contacts.equals(fresh.monthly_contacts)  # the change is one the figures show


def test_a_rebuild_after_a_new_response_takes_the_kept_figures_and_gives_the_same_reports(data: Path) -> None:
    with_memo_and_without(data)
    key = contacts_key(load_portfolio(data, AS_OF))
    answers = data / "responses" / "quarterly-pulse.csv"
    last = answers.read_text(encoding="utf-8").splitlines()[-1]
    with answers.open("a", encoding="utf-8") as handle:  # the last response again, under a new id
        handle.write("memo-test-1," + last.split(",", 1)[1] + "\n")
    assert contacts_key(load_portfolio(data, AS_OF)) == key  # a response is no input of the contact figures

    kept, fresh = with_memo_and_without(data)
    pd.testing.assert_frame_equal(kept.monthly_contacts, fresh.monthly_contacts, check_exact=True)
    pd.testing.assert_frame_equal(kept.clients, fresh.clients, check_exact=True)
    assert kept.portfolio == fresh.portfolio
