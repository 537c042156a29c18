"""The demo generator: deterministic, valid, big enough, and telling its story."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from generator import demo
from generator.demo import DemoCounts, write_demo
from generator.demo_command import demo as demo_command
from generator.load import load_portfolio
from generator.model import Client, Settings, Survey
from generator.yamlio import read_yaml

AS_OF = dt.date(2026, 11, 30)
LAYOUT = {
    "site.yaml", "clients.yaml", "contacts.csv", "surveys/annual-review.yaml", "surveys/quarterly-pulse.yaml",
    "responses/annual-review.csv", "responses/quarterly-pulse.csv", "pages/index.md", "pages/services.md",
}


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def next_renewal(client: Client, as_of: dt.date) -> dt.date:
    k = 1
    while (renewal := add_months(client.agreement.start, k * client.agreement.term_months)) < as_of:
        k += 1
    return renewal


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoCounts]:
    folder = tmp_path_factory.mktemp("demo") / "data"
    return folder, write_demo(folder)


def test_same_arguments_give_byte_identical_files(sample: tuple[Path, DemoCounts], tmp_path: Path) -> None:
    folder, counts = sample
    again = write_demo(tmp_path / "again")
    assert again == counts
    assert files_of(tmp_path / "again") == files_of(folder)


def test_a_different_seed_gives_different_files(sample: tuple[Path, DemoCounts], tmp_path: Path) -> None:
    folder, _ = sample
    write_demo(tmp_path / "other", seed=8)
    ours, theirs = files_of(folder), files_of(tmp_path / "other")
    assert ours.keys() == theirs.keys()
    assert ours["contacts.csv"] != theirs["contacts.csv"]
    assert ours["clients.yaml"] != theirs["clients.yaml"]
    assert ours["responses/annual-review.csv"] != theirs["responses/annual-review.csv"]


def test_writes_exactly_the_data_layout(sample: tuple[Path, DemoCounts]) -> None:
    folder, _ = sample
    assert set(files_of(folder)) == LAYOUT
    for page in ("index", "services"):
        assert (folder / "pages" / f"{page}.md").read_text(encoding="utf-8").startswith("# ")


def test_counts_meet_the_minimums_and_match_the_files(sample: tuple[Path, DemoCounts]) -> None:
    folder, counts = sample
    assert counts.clients >= 12 and counts.contacts >= 1500 and counts.responses >= 150 and counts.surveys == 2
    assert len(read_yaml(folder / "clients.yaml").data) == counts.clients
    assert len(csv_rows(folder / "contacts.csv")) == counts.contacts
    responses = [csv_rows(folder / "responses" / f"{s}.csv") for s in ("annual-review", "quarterly-pulse")]
    assert sum(map(len, responses)) == counts.responses


def test_every_file_validates_with_the_model_and_the_loader(sample: tuple[Path, DemoCounts]) -> None:
    folder, counts = sample
    settings = Settings.model_validate(read_yaml(folder / "site.yaml").data)
    assert settings.as_of == AS_OF and settings.business.name == "Harbor Point IT"
    assert settings.ideal_client.pcs == (10, 35) and settings.dashboards.publish == "encrypted"
    clients = [Client.model_validate(item) for item in read_yaml(folder / "clients.yaml").data]
    assert len({client.id for client in clients}) == len(clients)
    surveys = {path.stem: Survey.model_validate(read_yaml(path).data) for path in (folder / "surveys").glob("*.yaml")}
    assert {q.type for q in surveys["annual-review"].questions} == {"rating", "nps", "choice", "multi", "text"}
    followup = surveys["annual-review"].question("followup")
    assert followup is not None and followup.show_if is not None and followup.show_if.at_most == 3
    portfolio = load_portfolio(folder)  # raises DataError listing any problem
    assert len(portfolio.contacts) == counts.contacts
    assert sum(len(frame) for frame in portfolio.responses.values()) == counts.responses


def test_ids_and_text_round_trip_as_strings(sample: tuple[Path, DemoCounts]) -> None:
    folder, _ = sample
    plain = yaml.safe_load((folder / "clients.yaml").read_text(encoding="utf-8"))
    ours = read_yaml(folder / "clients.yaml").data
    assert [c["id"] for c in plain] == [c["id"] for c in ours]
    assert all(isinstance(c["id"], str) and isinstance(c["name"], str) for c in plain)
    assert all(isinstance(c["contact"]["phone"], str) for c in plain)
    tricky = {"id": "00123", "name": "NO", "a": "yes", "b": "2024-01-01", "c": "1e3", "d": "null", "e": "~",
              "f": "0x1F", "g": "Müller & Söhne \"Bäckerei\"", "h": "two\nlines", "i": ["007", "on", "3.0"]}
    text = demo._yaml(tricky).decode("utf-8")
    assert yaml.safe_load(text) == tricky
    path = folder.parent / "tricky.yaml"
    path.write_text(text, encoding="utf-8")
    assert read_yaml(path).data == tricky
    for survey in ("annual-review", "quarterly-pulse"):
        frame = pd.read_csv(folder / "responses" / f"{survey}.csv", dtype=str, keep_default_na=False)
        prefix = "ar" if survey == "annual-review" else "qp"
        assert frame["response_id"].str.fullmatch(prefix + r"-\d{6}").all()
        assert frame["response_id"].is_unique


def test_responses_look_real(sample: tuple[Path, DemoCounts]) -> None:
    folder, _ = sample
    annual = csv_rows(folder / "responses" / "annual-review.csv")
    pulse = csv_rows(folder / "responses" / "quarterly-pulse.csv")
    texts = [row["improve"] for row in annual] + [row["followup"] for row in annual] + [row["comment"] for row in pulse]
    assert any("\n" in t for t in texts) and any("," in t for t in texts) and any('"' in t for t in texts)
    assert any(any(ord(ch) > 0x2E80 for ch in t) for t in texts)  # CJK or other non-Latin script
    assert any(row["client"] == "" for row in annual + pulse)  # anonymous
    assert any(";" in row["areas"] for row in annual)
    assert all(row["followup"] == "" or int(row["overall"]) <= 3 for row in annual)  # show_if respected
    for row in annual + pulse:
        assert dt.datetime.fromisoformat(row["submitted_at"].replace("Z", "+00:00")).tzinfo is not None
        assert dt.date.fromisoformat(row["submitted_at"][:10]) <= AS_OF


def test_contacts_look_real(sample: tuple[Path, DemoCounts]) -> None:
    folder, _ = sample
    rows = csv_rows(folder / "contacts.csv")
    assert len({row["staff"] for row in rows}) == 3
    assert {row["kind"] for row in rows} == {"onsite", "remote", "phone", "email"}
    assert all(int(row["minutes"]) > 0 for row in rows)
    later = [row for row in rows if dt.date.fromisoformat(row["date"]) > AS_OF]
    assert later == []  # planned visits belong in the calendar, not the log
    assert "2023-01-01" <= min(row["date"] for row in rows) < "2023-02-01"  # three years and more of history


@pytest.mark.usefixtures("after_the_data")  # a sample around 2027-02-28 is dated after the real today
@pytest.mark.parametrize(("as_of", "clients", "seed"), [
    (AS_OF, 14, 7), (dt.date(2025, 6, 30), 12, 1), (dt.date(2027, 2, 28), 30, 99),
])
def test_the_story_clients_play_their_roles(tmp_path: Path, as_of: dt.date, clients: int, seed: int) -> None:
    write_demo(tmp_path, clients=clients, seed=seed, as_of=as_of)
    portfolio = load_portfolio(tmp_path, as_of)
    client = {c.id: c for c in portfolio.clients}
    scores = portfolio.scores[portfolio.scores["date"] <= pd.Timestamp(as_of)].sort_values("date", kind="stable")
    nps = {cid: frame.loc[frame["type"] == "nps", "score"].astype(int).tolist() for cid, frame in scores.groupby("client")}

    def last_response(cid: str) -> dt.date | None:
        dates = scores.loc[scores["client"] == cid, "date"]
        return dates.max().date() if len(dates) else None

    # 1. visits dropped, then satisfaction: promoters throughout, then only detractors; renews within 90 days
    bayview = nps["bayview-dental"]
    turn = next(i for i, score in enumerate(bayview) if score <= 6)
    assert turn >= 3 and min(bayview[:turn]) >= 9 and max(bayview[turn:]) <= 6
    assert (as_of - last_response("bayview-dental")).days < 365
    assert (next_renewal(client["bayview-dental"], as_of) - as_of).days <= 90
    onsite = portfolio.contacts[(portfolio.contacts["client"] == "bayview-dental") & (portfolio.contacts["kind"] == "onsite")]
    recent = onsite[onsite["date"] > pd.Timestamp(add_months(as_of, -6))]
    earlier = onsite[(onsite["date"] <= pd.Timestamp(add_months(as_of, -6))) & (onsite["date"] > pd.Timestamp(add_months(as_of, -18)))]
    assert len(recent) / 6 < len(earlier) / 12 / 2
    # 2. outside the ideal profile
    assert (client["northgate-logistics"].pcs, client["northgate-logistics"].servers, client["northgate-logistics"].wan) == (60, 4, True)
    # 3. ended about five months ago
    assert 130 <= (as_of - client["cafe-lumiere"].ended).days <= 170
    # 4. new and never surveyed
    assert last_response("kestrel-architecture") is None
    assert 225 <= (as_of - client["kestrel-architecture"].agreement.start).days <= 260
    # 5. renewal survey overdue
    assert 30 <= (next_renewal(client["pemberton-tax"], as_of) - as_of).days <= 50
    assert (as_of - last_response("pemberton-tax")).days > 425
    # 6. detractor with an angry comment
    assert nps["redwood-physio"][-1] == 2
    angry = [r for r in csv_rows(tmp_path / "responses" / "annual-review.csv") if r["client"] == "redwood-physio"][-1]
    assert angry["recommend"] == "2" and "priority" in angry["improve"]
    # 7. names with accents, ampersands and quotes; the overrides
    assert client["mueller-soehne"].name == 'Müller & Söhne "Bäckerei"'
    assert client["obrien-associates"].name == "O'Brien & Associates"
    assert client["obrien-associates"].survey_cadence == "semiannual"
    assert client["cedar-hollow-vet"].onsite_min_per_month == 2


def test_many_clients_get_unique_valid_ids(tmp_path: Path) -> None:
    counts = write_demo(tmp_path, clients=300, seed=3)
    portfolio = load_portfolio(tmp_path)
    assert counts.clients == len(portfolio.clients) == 300
    assert len({c.id for c in portfolio.clients}) == 300
    assert counts.responses > 3000


def test_command_writes_and_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "data"
    result = runner.invoke(demo_command, ["--out", str(out), "--clients", "12", "--seed", "2"])
    assert result.exit_code == 0, result.output
    counts = write_demo(tmp_path / "check", clients=12, seed=2)
    assert result.output == (f"wrote 12 clients, {counts.contacts:,} contacts, 2 surveys, "
                             f"{counts.responses:,} responses to {out} (a sample: it builds with the public sample "
                             "secret, and publish refuses it)\n")
    before = files_of(out)
    refused = runner.invoke(demo_command, ["--out", str(out), "--seed", "5"])
    assert refused.exit_code == 1
    assert "not empty" in refused.output and "--force" in refused.output
    assert files_of(out) == before
    forced = runner.invoke(demo_command, ["--out", str(out), "--seed", "5", "--force", "--as-of", "2026-06-30"])
    assert forced.exit_code == 0, forced.output
    assert files_of(out) != before
    bad = runner.invoke(demo_command, ["--out", str(tmp_path / "x"), "--as-of", "2026-13-01"])
    assert bad.exit_code == 2 and "is not a date" in bad.output
