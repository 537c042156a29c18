"""`validate` fails first (issue #16 item 7): for every corrupted input that makes `build` fail,
`validate` fails too, naming the file and line; neither ever shows a traceback."""

from __future__ import annotations

import copy
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build import build_site
from generator.cli import cli
from generator.errors import RapportError
from tests.conftest import CLIENT, SURVEY, PortfolioWriter

SECRET = "validate-first-secret"
LOCATED = re.compile(r"^\S+:\d+: ", re.M)  # file:line: …
OTHER = {**CLIENT, "id": "bayview-dental", "name": "Bayview Dental Care",
         "contact": {"name": "Kim Osei", "email": "kim@bayview.example", "phone": "+1 538 555 0133"}}
RESPONSES = [{"response_id": "r1", "client": "acme", "submitted_at": "2026-10-01T10:00:00Z", "overall": "4", "recommend": "9",
              "improve": "More visits, please."},
             {"response_id": "r2", "client": "", "submitted_at": "2026-10-02T10:00:00-05:00", "overall": "2", "recommend": "3"}]
CONTACTS = [["2026-11-02", "acme", "onsite", "Sam", "90", "Swapped the firewall"],
            ["2026-11-03", "bayview-dental", "phone", "Sam", "10", ""]]
NASTY = [None, "", "~", "null", "None", "Survey", "index", "question", "function", "x" * 300, "=1+1", "-1", "1e999",
         "0001-01-01", "9999-12-31", "2024-02-30", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59+14:00",
         "2026-13-01T00:00:00Z", "Bayview Dental Care", "Kim Osei", "<script>x</script>", "Ünïcödé Café", "NaN"]
# where a corruption can land: (part, path inside it)
TARGETS = [
    ("client", ("name",)), ("client", ("id",)), ("client", ("pcs",)), ("client", ("servers",)),
    ("client", ("agreement", "start")), ("client", ("agreement", "term_months")), ("client", ("ended",)),
    ("client", ("contact", "name")), ("client", ("contact", "email")), ("client", ("contact", "phone")),
    ("client", ("survey_cadence",)), ("client", ("notes",)),
    ("response", ("submitted_at",)), ("response", ("overall",)), ("response", ("client",)), ("response", ("improve",)),
    ("response", ("response_id",)), ("contact", (0,)), ("contact", (1,)), ("contact", (2,)), ("contact", (4,)),
    ("contact", (5,)), ("page", ()), ("site", ("business", "name")), ("site", ("as_of",)),
]


def corrupted(target: tuple[str, tuple[Any, ...]], value: Any, which: int) -> dict[str, Any]:
    """The small portfolio with one value replaced."""
    parts: dict[str, Any] = {
        "site": {"business": {"name": "Harbor Point IT"}, "as_of": "2026-11-30"},
        "clients": copy.deepcopy([CLIENT, OTHER]), "contacts": copy.deepcopy(CONTACTS),
        "responses": copy.deepcopy(RESPONSES), "pages": {"index": "# Welcome\n\nWe look after small offices.\n"},
    }
    part, path = target
    if part == "page":
        parts["pages"]["index"] += f"\n{value}\n"
        return parts
    record = {"client": lambda: parts["clients"][which % 2], "response": lambda: parts["responses"][which % 2],
              "contact": lambda: parts["contacts"][which % 2], "site": lambda: parts["site"]}[part]()
    for key in path[:-1]:
        record = record.setdefault(key, {}) if isinstance(record, dict) else record[key]
    record[path[-1]] = "" if value is None and part in ("contact", "response") else value
    return parts


def validate(data: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", "--data", str(data)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(TARGETS), value=st.sampled_from(NASTY), which=st.integers(0, 1))
def test_whatever_build_refuses_validate_refuses_first_with_file_and_line(target, value, which) -> None:
    folder = Path(tempfile.mkdtemp(prefix="rapport-corrupt-"))
    try:
        parts = corrupted(target, value, which)
        data = PortfolioWriter(folder / "data").write(
            site=parts["site"], clients=parts["clients"], contacts=parts["contacts"], surveys={"review": SURVEY},
            responses={"review": parts["responses"]}, pages=parts["pages"])
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("RAPPORT_SECRET", SECRET)
            patch.delenv("RAPPORT_DASHBOARD_PASSPHRASE", raising=False)
            try:
                build_site(data, folder / "out")
                built = True
            except RapportError:
                built = False
            code, output = validate(data)
        if not built:
            assert code != 0, f"build failed but validate passed: {target} = {value!r}"
        if code != 0:
            assert LOCATED.search(output), output
        assert "Traceback" not in output
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize(("target", "value", "message"), [
    (("client", ("name",)), None, "clients.yaml:2: clients[0].name: "),
    (("response", ("submitted_at",)), "0001-01-01T00:00:00Z", "responses/review.csv:2: submitted_at: '0001-01-01T00:00:00Z' is out of range"),
    (("response", ("submitted_at",)), "9999-12-31T23:59:59+14:00", "responses/review.csv:2: submitted_at: '9999-12-31T23:59:59+14:00' is out of range"),
    (("client", ("name",)), "Survey", "clients.yaml:2: clients[0].name: the client name is made only of words the site itself publishes"),
    (("page", ()), "Kim Osei", "pages/index.md:5: names a client (contact name of 'bayview-dental')"),
    # found by the property test above: the business named like a client
    (("site", ("business", "name")), "Bayview Dental Care", "site.yaml:2: business.name: names a client (client name"),
])
def test_issue_16_corruptions_fail_validate_at_their_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target, value, message: str) -> None:
    """Issue #16: `name: null` and timestamps in year 0001 or 9999 passed validate."""
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    parts = corrupted(target, value, 0)
    data = PortfolioWriter(tmp_path / "data").write(
        site=parts["site"], clients=parts["clients"], contacts=parts["contacts"], surveys={"review": SURVEY},
        responses={"review": parts["responses"]}, pages=parts["pages"])
    code, output = validate(data)
    assert code == 1 and message in output, output
