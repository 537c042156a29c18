"""`rapport import-contacts` with Harvest, Toggl and Clockify detailed exports: minutes summed per client, day and kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.load import load_portfolio
from tests.contacts_import_support import ACME, BAYVIEW, EXISTING, FIXTURES, SITE, added_lines, run

HARVEST_ROWS = [
    # 1.5 h + 0.75 h of Remote Support; the On-site Support task maps to onsite
    "2026-11-03,acme,onsite,Sam Okafor,120,Harvest: Replaced the reception printer",
    '2026-11-03,acme,remote,Sam Okafor,135,"Harvest: Patched the front-desk PCs; Backup check, restored a deleted file"',
    "2026-11-05,bayview,remote,Lee Chen,30,Harvest: VPN drops for two laptops",
    "2026-11-10,acme,phone,Sam Okafor,15,Harvest: Dana asked about the NAS",
]


@pytest.fixture
def data(make_portfolio) -> Path:
    """Two clients with match: keywords and one contact logged by hand."""
    return make_portfolio(site=SITE, clients=[ACME, BAYVIEW], contacts=EXISTING)


def test_a_harvest_detailed_export_sums_minutes_per_client_day_and_kind(data: Path) -> None:
    before = (data / "contacts.csv").read_bytes()
    result = run(data, FIXTURES / "harvest.csv")
    assert result.exit_code == 1, result.output
    assert f"{FIXTURES / 'harvest.csv'} (Harvest, 2024-03-01 to 2026-11-30): 4 added, 0 updated, 0 removed, 0 unchanged" \
        in result.output
    assert "harvest.csv:6: 'Harbor Point IT / Internal / Admin' matches no client" in result.output
    assert (data / "contacts.csv").read_bytes().startswith(before)
    assert added_lines(data) == HARVEST_ROWS
    assert len(load_portfolio(data).contacts) == 5


def test_reimporting_a_tracker_export_adds_nothing(data: Path) -> None:
    run(data, FIXTURES / "harvest.csv")
    before = (data / "contacts.csv").read_bytes()
    result = run(data, FIXTURES / "harvest.csv")
    assert "0 added, 0 updated, 0 removed, 4 unchanged" in result.output
    assert (data / "contacts.csv").read_bytes() == before


def test_a_toggl_detailed_export_with_its_bom_and_tags(data: Path) -> None:
    result = run(data, FIXTURES / "toggl.csv")
    assert result.exit_code == 1, result.output
    assert "(Toggl, 2024-03-01 to 2026-11-30): 2 added" in result.output
    assert added_lines(data) == [
        "2026-11-10,acme,remote,Sam Okafor,95,Toggl: Patch Tuesday; Patch Tuesday follow-up",
        # the tag "on-site" maps to onsite
        "2026-11-12,bayview,onsite,Sam Okafor,270,Toggl: Cabling the new office",
    ]
    assert "toggl.csv:5: 'Admin' matches no client" in result.output
    assert "0 added, 0 updated, 0 removed, 2 unchanged" in run(data, FIXTURES / "toggl.csv").output


def test_a_clockify_detailed_export_with_us_dates_and_12_hour_times(data: Path) -> None:
    result = run(data, FIXTURES / "clockify.csv")
    assert result.exit_code == 0, result.output
    assert "(Clockify, 2024-03-01 to 2026-11-30): 3 added" in result.output
    assert "skipped: 1 after the report date" in result.output
    assert added_lines(data) == [
        "2026-11-16,acme,remote,Sam Okafor,105,Clockify: Server health check; User onboarding",
        "2026-11-18,bayview,onsite,Sam Okafor,150,Clockify: Firewall firmware",
        # Duration (h) 00:10:00 is exact where Duration (decimal) 0.17 is not
        "2026-11-20,bayview,phone,Jo Lind,10,Clockify: Planning the next visit",
    ]
    assert "3 unchanged" in run(data, FIXTURES / "clockify.csv").output


def test_a_plain_csv_with_a_kind_column_and_client_names(data: Path) -> None:
    assert run(data, FIXTURES / "generic.csv").exit_code == 0
    assert added_lines(data) == [
        "2026-11-04,acme,phone,Lee,30,CSV: Called about the printer; Called back",
        "2026-11-09,bayview,remote,Sam,75,CSV: Remote session: mailbox migration",
    ]


def test_an_overlapping_export_adds_only_the_new_days(data: Path, tmp_path: Path) -> None:
    lines = (FIXTURES / "harvest.csv").read_text(encoding="utf-8").splitlines()
    first_week = tmp_path / "first-week.csv"
    first_week.write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")
    assert "3 added" in run(data, first_week).output
    result = run(data, FIXTURES / "harvest.csv")
    assert "1 added, 0 updated, 0 removed, 3 unchanged" in result.output
    assert added_lines(data) == [HARVEST_ROWS[0], HARVEST_ROWS[1], HARVEST_ROWS[2], HARVEST_ROWS[3]]


def test_an_entry_edited_in_the_tool_updates_its_days_row(data: Path, tmp_path: Path) -> None:
    run(data, FIXTURES / "harvest.csv")
    edited = tmp_path / "edited.csv"
    edited.write_text((FIXTURES / "harvest.csv").read_text(encoding="utf-8").replace(
        "VPN drops for two laptops,0.5,0.5", "VPN drops for two laptops,1:15,1.25"), encoding="utf-8")
    result = run(data, edited)
    assert "0 added, 1 updated, 0 removed, 3 unchanged" in result.output
    assert "updated 2026-11-05 bayview remote 75 min (was minutes 30) [2026-11-05 bayview remote]" in result.output
    assert added_lines(data)[2] == "2026-11-05,bayview,remote,Lee Chen,75,Harvest: VPN drops for two laptops"
    assert len(added_lines(data)) == 4


def _day_first_clockify(tmp_path: Path) -> Path:
    export = tmp_path / "clockify-eu.csv"
    text = (FIXTURES / "clockify.csv").read_text(encoding="utf-8")
    export.write_text(text.replace('"11/16/2026"', '"03/11/2026"').replace('"11/18/2026"', '"05/11/2026"')
                      .replace('"11/20/2026"', '"06/11/2026"').replace('"12/02/2026"', '"09/11/2026"'), encoding="utf-8")
    return export


def test_clockify_dates_that_cannot_tell_their_order_are_read_as_clockify_writes_them_and_said_so(data: Path, tmp_path: Path) -> None:
    export = _day_first_clockify(tmp_path)
    result = run(data, export, "--dry-run")
    assert result.exit_code == 0
    assert (f"note: no date in {export} has a day above 12: read month first, Clockify's default (MM/DD/YYYY); if yours "
            "shows days first, run again with --date-order dmy") in result.output
    assert run(data, export, "--date-order", "dmy").exit_code == 0
    assert [line[:10] for line in added_lines(data)] == ["2026-11-03", "2026-11-05", "2026-11-06", "2026-11-09"]


def test_a_plain_csv_whose_dates_cannot_tell_their_order_stops_and_asks(data: Path, tmp_path: Path) -> None:
    export = tmp_path / "visits.csv"
    export.write_text("date,client,minutes\n03/11/2026,acme,30\n05/11/2026,acme,45\n", encoding="utf-8")
    result = run(data, export)
    assert result.exit_code == 2
    assert (f"error: {export}: a date such as '03/11/2026' can be read day first or month first, and no date in the file "
            "tells which: run again with --date-order dmy (31/12/2026) or --date-order mdy (12/31/2026)") in result.output
    assert not (data / "imported").exists()
    assert run(data, export, "--date-order", "dmy").exit_code == 0
    assert added_lines(data) == ["2026-11-03,acme,remote,,30,CSV", "2026-11-05,acme,remote,,45,CSV"]


def test_a_semicolon_separated_windows_1252_export(data: Path, tmp_path: Path) -> None:
    export = tmp_path / "harvest-eu.csv"
    export.write_bytes("Date;Client;Project;Project Code;Task;Notes;Hours;First Name;Last Name\r\n"
                       "2026-11-03;Acme Dental;Wartung;;Fernwartung;Drucker im Büro;1,5;Jürgen;Roß\r\n".encode("cp1252"))
    assert run(data, export).exit_code == 0
    assert added_lines(data) == ["2026-11-03,acme,remote,Jürgen Roß,90,Harvest: Drucker im Büro"]


@pytest.mark.parametrize(("content", "source", "message"), [
    ("Name,Amount\nx,1\n", "auto", "its header (Name,Amount) is not a Harvest, Toggl or Clockify detailed export, nor a CSV with date,client and "
                                   "minutes (or duration); name the tool with --source"),
    ("Date,Client,Hours\n2026-11-03,Acme,1\n", "harvest", "not a Harvest export: the header lacks first name, last name, "
                                                          "notes, project, task"),
    ("", "auto", "the file is empty (expected a header line and one line per time entry)"),
])
def test_a_file_that_is_no_export_is_a_usage_error(data: Path, tmp_path: Path, content: str, source: str, message: str) -> None:
    export = tmp_path / "export.csv"
    export.write_text(content, encoding="utf-8")
    result = run(data, export, "--source", source)
    assert result.exit_code == 2
    assert f"error: {export}: {message}" in result.output


def test_a_bad_duration_is_left_out_with_its_line(data: Path, tmp_path: Path) -> None:
    export = tmp_path / "toggl.csv"
    export.write_text((FIXTURES / "toggl.csv").read_text(encoding="utf-8-sig").replace("01:15:00", "an hour"), encoding="utf-8")
    result = run(data, export)
    assert result.exit_code == 1
    assert f"{export}:2: 'Acme Dental / Managed services' Duration 'an hour' is not a duration (expected 1:30, 1.5 or " \
           "01:30:00)" in result.output
    assert added_lines(data)[0] == "2026-11-10,acme,remote,Sam Okafor,20,Toggl: Patch Tuesday follow-up"
