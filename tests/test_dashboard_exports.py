"""CSV exports: formula-like text defused, numbers kept numbers, UTF-8 with BOM, exact round trips."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from generator.build import build_site
from generator.cli import cli
from generator.csv_text import spreadsheet_text, spreadsheet_texts
from generator.render.exports import cell, csv_bytes
from tests.conftest import CLIENT, SAMPLE_DATA

FORMULAS = ["=1+1", "+1 555 0100", "-2", "@SUM(A1)", "\tTab", "\rCR", "=HYPERLINK(\"http://x\")"]


def read(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def undo(text: str) -> str:
    """What the consultant typed: the export's guard quote removed."""
    return text[1:] if text.startswith("'") else text


def test_formula_like_text_is_prefixed_and_numbers_stay_numbers() -> None:
    rows = read(csv_bytes(["text", "number"], [[text, -50.0] for text in FORMULAS] + [["Café Lumière", 3]]))
    assert rows[0] == ["text", "number"]
    assert [row[0] for row in rows[1:-1]] == ["'" + text for text in FORMULAS]
    assert all(row[1] == "-50.0" for row in rows[1:-1])
    assert rows[-1] == ["Café Lumière", "3"]


def test_cells_of_every_kind() -> None:
    import datetime as dt

    assert cell(None) == "" and cell(float("nan")) == ""
    assert cell(True) == "true" and cell(False) == "false"
    assert cell(-6) == -6 and cell(-12.5) == -12.5
    assert cell(dt.date(2026, 11, 30)) == "2026-11-30"
    assert cell(["a", "=b"]) == "a; =b"
    assert cell(["=b", "a"]) == "'=b; a"
    assert cell("-") == "'-" and cell("a=b") == "a=b"
    assert cell("'=b") == "''=b" and cell("'quoted'") == "''quoted'"  # a leading quote is kept on a round trip


@given(st.lists(st.lists(st.one_of(st.text(), st.sampled_from(["'=x", "''", "'", "=", "\r\n", "\r"]),
                                   st.integers(-10**6, 10**6)), min_size=3, max_size=3), max_size=20))
def test_any_rows_read_back_exactly(rows: list[list[object]]) -> None:
    back = read(csv_bytes(["a", "b", "c"], rows))
    assert back[0] == ["a", "b", "c"]
    assert [[undo(value) for value in row] for row in back[1:]] == [[str(value) for value in row] for row in rows]


VALUES = st.one_of(st.text(), st.sampled_from(["'=x", "=", "a,b", 'say "hi"', "\r", "\n", "-", "", "2026-11"]),
                   st.integers(-10**6, 10**6), st.floats(allow_nan=True), st.booleans(), st.none(), st.dates(),
                   st.lists(st.text(max_size=3), max_size=2))


@given(st.integers(1, 4).flatmap(lambda width: st.lists(st.lists(VALUES, min_size=width, max_size=width), max_size=12)))
def test_exports_are_what_the_csv_module_writes(rows: list[list[object]]) -> None:
    # the exports write their fields themselves, a column at a time: the bytes must be the csv module's
    width = len(rows[0]) if rows else 2
    header = [f"h{i}" for i in range(width)]
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    assert csv_bytes(header, rows) == ("\ufeff" + expected.getvalue()).encode("utf-8")


# columns of a few kinds, as the metrics table has them: each kind a column can take is written its own way
NARROW_COLUMNS = st.sampled_from([
    st.one_of(st.floats(allow_nan=True), st.none()),  # a figure or none; 0.0 and -0.0 apart
    st.one_of(st.integers(-2, 2), st.booleans(), st.none()),  # 1 and True are equal, but write apart
    st.one_of(st.dates(), st.none()),
    st.lists(st.one_of(st.sampled_from(["=x", "a,b", "low NPS", ""]), st.integers(0, 1), st.booleans()), max_size=2),
])


@given(NARROW_COLUMNS.flatmap(lambda kind: st.lists(kind, max_size=30)))
def test_a_column_of_few_kinds_is_what_the_csv_module_writes(column: list[object]) -> None:
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\r\n").writerows([["h"], *([cell(value)] for value in column)])
    assert csv_bytes(["h"], [[value] for value in column]) == ("\ufeff" + expected.getvalue()).encode("utf-8")


@given(st.lists(st.one_of(st.text(), st.sampled_from(FORMULAS + ["'", "''x", ""]))))
def test_a_column_is_guarded_as_each_of_its_cells(texts: list[str]) -> None:
    assert spreadsheet_texts(texts) == [spreadsheet_text(text) for text in texts]


@pytest.fixture(scope="module")
def tricky_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import PortfolioWriter

    root = tmp_path_factory.mktemp("exports")
    clients = [
        {**CLIENT, "name": "=cmd|' /C calc'!A0", "contact": {"name": "@Dana", "email": "dana@acme.example", "phone": "+1 555 0101"}},
        {**CLIENT, "id": "cafe", "name": "Café Lumière — Noël", "contact": {"name": "Noémie"}},
    ]
    responses = [
        {"response_id": "r1", "client": "acme", "submitted_at": "2026-10-01T10:00:00Z", "overall": "2", "recommend": "0",
         "areas": "Helpdesk;Backups", "improve": "-1 for the invoices\nand =2 for\rthe rest"},
        {"response_id": "r2", "client": "cafe", "submitted_at": "2026-10-02T10:00:00Z", "overall": "5", "recommend": "10",
         "improve": "Très bien, merci"},
        {"response_id": "r3", "client": "", "submitted_at": "2026-10-03T10:00:00Z", "overall": "4", "improve": "+ more visits"},
    ]
    contacts = [["2026-10-05", "acme", "onsite", "bo", "60", ""], ["2026-11-05", "cafe", "phone", "bo", "10", ""]]
    data = PortfolioWriter(root / "data").write(
        site={"business": {"name": "Test IT"}, "as_of": "2026-11-30"}, clients=clients, contacts=contacts,
        responses={"review": responses})
    out = root / "output"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAPPORT_SECRET", "export-secret")
        build_site(data, out)
    return out / "dashboard" / "exports"


def records(path: Path) -> list[dict[str, str]]:
    rows = read(path.read_bytes())
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_responses_export_round_trips_and_defuses(tricky_site: Path) -> None:
    rows = {r["response_id"]: r for r in records(tricky_site / "responses-review.csv")}
    assert list(rows) == ["r1", "r2", "r3"]  # oldest first
    assert list(rows["r1"]) == ["response_id", "client", "client_name", "submitted_at", "date",
                                "overall", "recommend", "visits", "areas", "improve"]
    assert (rows["r1"]["overall"], rows["r1"]["recommend"], rows["r1"]["visits"]) == ("2", "0", "")
    assert rows["r1"]["areas"] == "Helpdesk;Backups"
    assert rows["r1"]["improve"] == "'-1 for the invoices\nand =2 for\rthe rest"
    assert undo(rows["r1"]["improve"]) == "-1 for the invoices\nand =2 for\rthe rest"
    assert rows["r2"]["improve"] == "Très bien, merci"
    assert rows["r3"]["improve"] == "'+ more visits" and rows["r3"]["recommend"] == ""
    assert {r: rows[r]["client_name"] for r in rows} == {"r1": "'=cmd|' /C calc'!A0", "r2": "Café Lumière — Noël", "r3": ""}
    assert rows["r1"]["date"] == "2026-10-01" and rows["r1"]["submitted_at"] == "2026-10-01T10:00:00Z"


def test_clients_export_matches_report_json(tricky_site: Path) -> None:
    rows = {r["id"]: r for r in records(tricky_site / "clients.csv")}
    assert rows["acme"]["name"] == "'=cmd|' /C calc'!A0"
    assert rows["acme"]["contact_name"] == "'@Dana" and rows["acme"]["contact_phone"] == "'+1 555 0101"
    assert rows["cafe"]["name"] == "Café Lumière — Noël"
    data = tricky_site.parent.parent.parent / "data"
    report = json.loads(CliRunner().invoke(cli, ["report", "--json", "--data", str(data)]).stdout)
    for client in report["clients"]:
        row = rows[client["id"]]
        assert "risk_figures" not in rows[client["id"]]  # the reasons in words are; their figures are in the JSON
        for key, value in client.items():
            if key == "risk_figures":
                continue
            if isinstance(value, bool):
                assert row[key] == str(value).lower(), key
            elif isinstance(value, list):
                assert row[key] == "; ".join(value), key
            elif value is None:
                assert row[key] == "", key
            elif isinstance(value, float):
                assert float(row[key]) == value, key
            else:
                assert row[key] == str(value), key


def test_contacts_per_month_export(tricky_site: Path) -> None:
    rows = records(tricky_site / "contacts-per-month.csv")
    october = next(r for r in rows if r["client"] == "acme" and r["month"] == "2026-10")
    assert (october["onsite"], october["total"], october["onsite_min"], october["below_min"]) == ("1", "1", "1", "false")
    assert october["client_name"] == "'=cmd|' /C calc'!A0"


def test_the_sample_exports_are_linked_from_every_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", "export-secret")
    build_site(SAMPLE_DATA, tmp_path / "out")
    dashboard = tmp_path / "out" / "dashboard"
    for page in dashboard.rglob("*.html"):
        source = page.read_text(encoding="utf-8")
        prefix = "../" * (len(page.relative_to(dashboard).parts) - 1)
        for name in ("clients.csv", "contacts-per-month.csv", "responses-annual-review.csv", "responses-quarterly-pulse.csv"):
            assert f'href="{prefix}exports/{name}"' in source
    assert len(records(dashboard / "exports" / "clients.csv")) == 14


def test_sample_responses_export_matches_the_data_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", "export-secret")
    build_site(SAMPLE_DATA, tmp_path / "out")
    for source in sorted((SAMPLE_DATA / "responses").glob("*.csv")):
        with source.open(encoding="utf-8", newline="") as handle:
            original = {row["response_id"]: row for row in csv.DictReader(handle) if row["submitted_at"][:10] <= "2026-11-30"}
        exported = records(tmp_path / "out" / "dashboard" / "exports" / f"responses-{source.stem}.csv")
        assert sorted(r["response_id"] for r in exported) == sorted(original)
        for row in exported:
            for column, value in original[row["response_id"]].items():
                assert undo(row[column]) == value, (source.name, row["response_id"], column)
