"""Properties of the metrics stage over generated portfolios (hypothesis)."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import PortfolioWriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.load import load_portfolio
from generator.metrics import Reports, compute_reports, to_contract_json

# these portfolios hold dates after the real today: the clock runs after them (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("after_the_data")

FRAMES = ("clients", "quarterly", "portfolio_quarterly", "question_means", "portfolio_question_means",
          "distributions", "monthly_contacts", "comments")
KINDS = ("onsite", "remote", "phone", "email")
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

dates = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2027, 6, 30))
client_specs = st.fixed_dictionaries({
    "start": dates, "term": st.sampled_from([1, 3, 6, 12, 24]),
    "ended": st.none() | dates, "min": st.none() | st.integers(0, 3),
    "cadence": st.none() | st.sampled_from(["annual", "semiannual", "quarterly"]),
})
contact_specs = st.tuples(dates, st.integers(0, 3), st.sampled_from(KINDS))
response_specs = st.tuples(dates, st.integers(-1, 3), st.none() | st.integers(0, 10), st.none() | st.integers(1, 5),
                           st.sampled_from(["", "more visits", "all good"]))


def build(as_of: dt.date, clients: list[dict[str, Any]], contacts: list[tuple], responses: list[tuple]) -> dict[str, Any]:
    ids = [f"c{i}" for i in range(len(clients))]
    records = []
    for client_id, spec in zip(ids, clients):
        record = {"id": client_id, "name": client_id.upper(), "pcs": 18, "servers": 1,
                  "agreement": {"start": spec["start"].isoformat(), "term_months": spec["term"]}}
        if spec["ended"] is not None:
            record["ended"] = spec["ended"].isoformat()
        if spec["min"] is not None:
            record["onsite_min_per_month"] = spec["min"]
        if spec["cadence"] is not None:
            record["survey_cadence"] = spec["cadence"]
        records.append(record)
    contact_rows = [[day.isoformat(), ids[who % len(ids)], kind, "bo", "30", ""] for day, who, kind in contacts]
    response_rows = [{"response_id": f"r{i}", "client": "" if who < 0 else ids[who % len(ids)],
                      "submitted_at": f"{day.isoformat()}T10:00:00+02:00", "recommend": "" if nps is None else str(nps),
                      "overall": "" if overall is None else str(overall), "improve": text}
                     for i, (day, who, nps, overall, text) in enumerate(responses)]
    return {"site": {"business": {"name": "T"}, "as_of": as_of.isoformat()}, "clients": records,
            "contacts": contact_rows, "responses": {"review": response_rows}}


def compute(parts: dict[str, Any]) -> Reports:
    with tempfile.TemporaryDirectory() as folder:
        return compute_reports(load_portfolio(PortfolioWriter(Path(folder) / "data").write(**parts)))


def assert_same(left: Reports, right: Reports) -> None:
    assert to_contract_json(left) == to_contract_json(right)
    assert left.portfolio == right.portfolio
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(left, name), getattr(right, name), check_dtype=False)


portfolios = st.tuples(dates, st.lists(client_specs, min_size=1, max_size=4),
                       st.lists(contact_specs, max_size=25), st.lists(response_specs, max_size=25))


@FAST
@given(portfolios)
def test_nps_and_csat_stay_within_their_ranges(portfolio: tuple) -> None:
    reports = compute(build(*portfolio))
    values = [reports.portfolio["nps_12m"], *reports.clients["nps_12m"], *reports.quarterly["nps"],
              *reports.portfolio_quarterly["nps"]]
    assert all(-100 <= v <= 100 for v in values if v is not None and v == v)
    values = [reports.portfolio["csat_12m"], *reports.clients["csat_12m"], *reports.quarterly["csat"]]
    assert all(0 <= v <= 100 for v in values if v is not None and v == v)


@FAST
@given(portfolios, st.lists(st.tuples(st.integers(1, 800), st.integers(-1, 3), st.none() | st.integers(0, 10),
                                      st.none() | st.integers(1, 5), st.sampled_from(["", "later"])), min_size=1, max_size=5),
       st.lists(st.tuples(st.integers(1, 800), st.integers(0, 3), st.sampled_from(KINDS)), max_size=5))
def test_data_dated_after_as_of_changes_nothing(portfolio: tuple, late_responses: list[tuple], late_contacts: list[tuple]) -> None:
    as_of, clients, contacts, responses = portfolio
    later = [(as_of + dt.timedelta(days=days), *rest) for days, *rest in late_responses]
    later_contacts = [(as_of + dt.timedelta(days=days), *rest) for days, *rest in late_contacts]
    assert_same(compute(build(as_of, clients, contacts, responses)),
                compute(build(as_of, clients, contacts + later_contacts, responses + later)))


@FAST
@given(portfolios, st.randoms(use_true_random=False))
def test_shuffling_input_rows_changes_nothing(portfolio: tuple, shuffler: random.Random) -> None:
    as_of, clients, contacts, responses = portfolio
    parts = build(as_of, clients, contacts, responses)
    shuffled = {**parts, "clients": shuffler.sample(parts["clients"], len(parts["clients"])),
                "contacts": shuffler.sample(parts["contacts"], len(parts["contacts"])),
                "responses": {"review": shuffler.sample(parts["responses"]["review"], len(parts["responses"]["review"]))}}
    assert_same(compute(parts), compute(shuffled))
