"""Properties over generated exports and posts: every record counted once, any text kept or refused, never a crash."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from generator.ingest.collector import CollectorConfig, create_collector_app
from generator.ingest.importers import import_file
from generator.load import load_portfolio
from generator.tokens import survey_token
from tests.conftest import PortfolioWriter
from tests.test_ingest_collector import run_async

SECRET = "property-test-secret"
TOKEN = survey_token(SECRET.encode(), "review", "acme")
NASTY = ["a, b", '"quoted"', 'say "hi", then\nleave', "=1+1", "+SUM(A1)", "@x", "👍🏽 emoji", "nul\x00byte", "cr\ronly",
         "crlf\r\nline", " padded ", "Ünïcödé", "tab\there", "\u2028separator", "bell\x07", "", "—", "\ufeffbom"]
TEXT = st.one_of(st.sampled_from(NASTY), st.text(max_size=25), st.text(alphabet="\",\r\n= ab😀\x00", max_size=12))

# mostly valid values, so that every run accepts some rows and refuses others
ROW = st.fixed_dictionaries({
    "response_id": st.one_of(st.just(""), st.just(""), st.just(""), st.sampled_from(["r-1", "r-2", "bad id", "ö"]), TEXT),
    "client": st.sampled_from(["acme", "acme", "", "nobody"]),
    "token": st.sampled_from(["", "", TOKEN, "not-a-token"]),
    "submitted_at": st.sampled_from(["2026-11-20T10:00:00Z", "2026-11-21T09:30:00+01:00", "2026-11-22T08:00:00",
                                     "2026-11-23T08:00:00.250Z", "yesterday", "", "2026-02-30T10:00:00Z"]),
    "overall": st.sampled_from(["", "1", "5", "3", "4", "6", "0", "x", " 4", "٣"]),
    "recommend": st.one_of(st.just(""), st.integers(-1, 12).map(str)),
    "areas": st.lists(st.sampled_from(["Helpdesk", "Backups", "Helpdesk", "Nope"]), max_size=3, unique=True).map(";".join),
    "improve": TEXT,
})


@st.composite
def exports(draw: st.DrawFn) -> list[dict[str, str]]:
    """Rows of an export, some of them repeated (as overlapping exports repeat rows)."""
    rows = draw(st.lists(ROW, max_size=10))
    repeats = draw(st.lists(st.integers(0, max(len(rows) - 1, 0)), max_size=4)) if rows else []
    return rows + [dict(rows[i]) for i in repeats]


def write_export(folder: Path, source: str, rows: list[dict[str, str]]) -> Path:
    """The rows as that source writes them."""
    if source == "jsonl":
        path = folder / "export.jsonl"
        lines = [json.dumps({key: (value.split(";") if key == "areas" and value else value)
                             for key, value in row.items() if key != "client"}) for row in rows]
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        return path
    path = folder / "export.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # \r\n line ends, as Excel and the services write
    if source == "formspree":
        columns = ["_id", "_date", "areas", "improve", "overall", "recommend", "token"]
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row["response_id"], row["submitted_at"].rstrip("Z"), row["areas"].replace(";", ", "),
                             row["improve"], row["overall"], row["recommend"], row["token"]])
    else:
        columns = ["response_id", "client", "token", "submitted_at", "overall", "recommend", "areas", "improve"]
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row[column] for column in columns])
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return path


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def stored_rows(data: Path) -> dict[str, dict[str, str]]:
    path = data / "responses" / "review.csv"
    if not path.exists():
        return {}
    return {row["response_id"]: row for row in csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"), newline=""))}


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=exports(), source=st.sampled_from(["csv", "jsonl", "formspree"]))
def test_every_exported_row_is_accepted_duplicate_or_quarantined_and_a_second_import_changes_nothing(
    rows: list[dict[str, str]], source: str,
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        data = PortfolioWriter(root / "data").write()
        export = write_export(root, source, rows)
        result = import_file(data, export, source, survey="review")
        report = result.report
        event(f"some accepted: {report.count('accepted') > 0}; some quarantined: {report.count('quarantined') > 0}")
        assert report.read == len(rows)
        assert report.count("accepted") + report.count("duplicate") + report.count("quarantined") == report.read
        stored = stored_rows(data)
        assert len(stored) == report.count("accepted")
        for row, outcome in zip(rows, report.outcomes):
            if outcome.status == "accepted":
                # an answer of only spaces and line breaks is a blank cell, no answer; any other is kept exactly
                typed = row["improve"] if row["improve"].strip() else ""
                assert stored[outcome.response_id]["improve"] == typed, "free text is kept exactly as typed"
            elif outcome.status == "quarantined":
                assert outcome.reason and outcome.quarantine_file is not None and outcome.quarantine_file.is_file()
            else:
                assert outcome.response_id in stored or stored, "a duplicate repeats a stored response"
        portfolio = load_portfolio(data)  # the loader accepts everything intake wrote
        assert len(portfolio.responses["review"]) == len(stored)
        before = digest(data)
        again = import_file(data, export, source, survey="review").report
        assert again.count("accepted") == 0
        assert again.count("duplicate") == report.count("accepted") + report.count("duplicate")
        assert digest(data) == before


FIELD_NAMES = st.sampled_from(["survey", "token", "shown_at", "website", "_gotcha", "overall", "recommend", "visits",
                               "areas", "improve", "colour", "response_id"])
VALUES = st.one_of(TEXT, st.sampled_from(["review", "4", "9", "About right", "Helpdesk", TOKEN, "0"]))


ANY_FIELDS = st.lists(st.tuples(st.one_of(FIELD_NAMES, st.text(max_size=8)), VALUES), max_size=8)
NEARLY_VALID = st.tuples(st.sampled_from(["", TOKEN, "x"]), st.sampled_from(["4", "5", "6", ""]), TEXT,
                         st.lists(st.tuples(FIELD_NAMES, VALUES), max_size=2)).map(
    lambda parts: [("survey", "review"), ("token", parts[0]), ("overall", parts[1]), ("recommend", "9"),
                   ("improve", parts[2]), *parts[3]])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(posts=st.lists(st.tuples(st.booleans(), st.one_of(ANY_FIELDS, NEARLY_VALID)), min_size=1, max_size=6))
def test_any_post_is_stored_or_quarantined_with_a_reason_and_never_answered_500(posts: list[tuple[bool, list]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = PortfolioWriter(Path(folder) / "data").write(site={"business": {"name": "T"}, "forms": {"min_seconds": 0}})
        app = create_collector_app(CollectorConfig(data))
        accepted = 0
        for as_json, fields in posts:
            response = run_async(lambda as_json=as_json, fields=fields: _post(app, as_json, fields))
            assert response.status_code in (201, 303, 400, 413, 415, 422), response.text
            event(f"status {response.status_code}")
            if response.status_code in (201, 303):
                accepted += 1
            else:
                reason = response.json()["reason"]
                entries = _quarantine(data)
                if reason == "empty":  # nothing was answered, so nothing is kept (issue 16)
                    assert all(entry["reason"] != "empty" for entry in entries)
                else:
                    assert any(entry["reason"] == reason for entry in entries)
        assert len(stored_rows(data)) == accepted
        load_portfolio(data)


async def _post(app: Any, as_json: bool, fields: list[tuple[str, str]]) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        if as_json:
            body: dict[str, Any] = {}
            for name, value in fields:
                body.setdefault(name, []).append(value)
            payload = {name: values[0] if len(values) == 1 else values for name, values in body.items()}
            return await http.post("/api/responses", json=payload)
        return await http.post("/api/responses", content=urlencode(fields).encode("ascii"),
                               headers={"accept": "application/json", "content-type": "application/x-www-form-urlencoded"})


def _quarantine(data: Path) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for path in sorted((data / "quarantine").glob("*.csv")):
        found += list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))
    return found
