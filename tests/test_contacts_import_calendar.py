"""`rapport import-contacts FILE.ics`: Google and Outlook exports become visits, once, on the right days."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.load import load_portfolio
from tests.contacts_import_support import ACME, BAYVIEW, EXISTING, FIXTURES, HEADER, SITE, added_lines, run

GOOGLE_ROWS = [
    "2026-10-06,acme,onsite,,120,On-site visit – Acme",
    "2026-10-13,acme,onsite,,120,On-site visit – Acme",
    "2026-10-20,acme,onsite,,120,On-site visit – Acme",
    # 27 October is an EXDATE; the 10 November visit moved to the 12th; 17 November is cancelled
    "2026-11-03,acme,onsite,,120,On-site visit – Acme",
    "2026-11-12,acme,onsite,,90,On-site visit – Acme",
    # 15:00 UTC is 10:00 in the calendar's X-WR-TIMEZONE; "Google Meet" maps to remote
    "2026-11-19,bayview,remote,,30,BAYVIEW LAW – Google Meet check-in",
    "2026-11-24,acme,onsite,,120,On-site visit – Acme",
]


@pytest.fixture
def data(make_portfolio) -> Path:
    """Two clients with match: keywords and one contact logged by hand."""
    return make_portfolio(site=SITE, clients=[ACME, BAYVIEW], contacts=EXISTING)


def test_a_google_calendar_export_adds_each_visit_on_its_day_and_lists_the_unknown_event(data: Path) -> None:
    before = (data / "contacts.csv").read_bytes()
    result = run(data, FIXTURES / "google-calendar.ics")
    assert result.exit_code == 1, result.output
    assert f"{FIXTURES / 'google-calendar.ics'} (calendar, 2024-03-01 to 2026-11-30): 7 added, 0 updated, 0 removed, " \
           "0 unchanged" in result.output
    assert "google-calendar.ics: 2026-11-20 12:00 'Intro meeting – Northwind': matches no client" in result.output
    assert "skipped: 1 all-day (no time: not a visit), 1 cancelled" in result.output
    assert (data / "contacts.csv").read_bytes().startswith(before)
    assert added_lines(data) == GOOGLE_ROWS
    contacts = load_portfolio(data).contacts
    assert len(contacts) == 8
    assert sorted(contacts[contacts["client"] == "acme"]["date"].dt.strftime("%m-%d")) == \
        ["10-06", "10-13", "10-20", "11-02", "11-03", "11-12", "11-24"]


def test_reimporting_the_same_calendar_adds_nothing_and_writes_nothing(data: Path) -> None:
    run(data, FIXTURES / "google-calendar.ics")
    contacts, ledger = (data / "contacts.csv").read_bytes(), (data / "imported" / "contacts.csv").read_bytes()
    result = run(data, FIXTURES / "google-calendar.ics")
    assert "0 added, 0 updated, 0 removed, 7 unchanged" in result.output
    assert (data / "contacts.csv").read_bytes() == contacts
    assert (data / "imported" / "contacts.csv").read_bytes() == ledger


def test_the_sidecar_keeps_each_key_uid_and_occurrence(data: Path) -> None:
    run(data, FIXTURES / "google-calendar.ics")
    lines = (data / "imported" / "contacts.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "source,key,date,client,kind,staff,minutes,note,action,imported_at"
    # the moved occurrence keeps the key of the day it was moved from (its RECURRENCE-ID)
    assert lines[5].startswith("ics,3q9v1m7k2c8d4f6h0j5n@google.com#20261110T140000Z,2026-11-12,acme,onsite,,90,"
                               "On-site visit – Acme,added,")
    assert lines[6].startswith("ics,7hc2t0bq5u3l1r9e8s6w4y2x0z@google.com,2026-11-19,bayview,remote,,30,")


def test_an_outlook_export_with_windows_time_zones(data: Path) -> None:
    result = run(data, FIXTURES / "outlook.ics")
    assert result.exit_code == 1, result.output
    assert "4 added, 0 updated, 0 removed, 0 unchanged" in result.output
    assert added_lines(data) == [
        "2026-10-08,bayview,remote,,90,Bayview Law fortnightly review",
        # the 5 November occurrence was moved from 10:00 to 15:00 (RECURRENCE-ID); 22 October is an EXDATE
        "2026-11-05,bayview,remote,,90,Bayview Law fortnightly review",
        # CATEGORIES:Phone maps to phone; "(Acme)" names the client
        "2026-11-12,acme,phone,,15,Call Dana (Acme) about the NAS",
        "2026-11-19,bayview,remote,,90,Bayview Law fortnightly review",
    ]
    assert "outlook.ics: 2026-11-18 11:00 'Dentist appointment': matches no client" in result.output
    assert "skipped: 1 cancelled" in result.output
    assert run(data, FIXTURES / "outlook.ics").output.startswith(f"{FIXTURES / 'outlook.ics'} (calendar, 2024-03-01 to "
                                                                  "2026-11-30): 0 added, 0 updated, 0 removed, 4 unchanged")


def _edited(tmp_path: Path) -> Path:
    """The Google export after the Meet call grew to an hour and the 13 October visit was deleted."""
    text = (FIXTURES / "google-calendar.ics").read_text(encoding="utf-8")
    text = text.replace("DTEND:20261119T153000Z", "DTEND:20261119T160000Z")
    text = text.replace("EXDATE;TZID=America/New_York:20261027T090000",
                        "EXDATE;TZID=America/New_York:20261013T090000,20261027T090000")
    path = tmp_path / "edited.ics"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_edited_event_updates_its_row_and_a_deleted_occurrence_removes_its_row(data: Path, tmp_path: Path) -> None:
    run(data, FIXTURES / "google-calendar.ics")
    result = run(data, _edited(tmp_path))
    assert "0 added, 1 updated, 1 removed, 5 unchanged" in result.output
    assert "updated 2026-11-19 bayview remote 60 min (was minutes 30) [7hc2t0bq5u3l1r9e8s6w4y2x0z@google.com]" in result.output
    assert "removed 2026-10-13 acme onsite 120 min" in result.output
    expected = [row for row in GOOGLE_ROWS if not row.startswith("2026-10-13")]
    expected[-2] = "2026-11-19,bayview,remote,,60,BAYVIEW LAW – Google Meet check-in"
    assert added_lines(data) == expected
    assert (data / "contacts.csv").read_text(encoding="utf-8").splitlines()[:2] == [HEADER, "2026-11-02,acme,onsite,Lee,90,Quarterly check"]
    history = (data / "imported" / "contacts.csv").read_text(encoding="utf-8").splitlines()
    meet = [line for line in history if line.startswith("ics,7hc2t0bq5u3l1r9e8s6w4y2x0z@google.com,")]
    assert [line.split(",")[6:9] for line in meet] == [["30", "BAYVIEW LAW – Google Meet check-in", "added"],
                                                       ["60", "BAYVIEW LAW – Google Meet check-in", "updated"]]
    assert "0 added, 0 updated, 0 removed, 6 unchanged" in run(data, _edited(tmp_path)).output


def test_a_dry_run_prints_the_plan_and_writes_nothing(data: Path) -> None:
    before = (data / "contacts.csv").read_bytes()
    result = run(data, FIXTURES / "google-calendar.ics", "--dry-run")
    assert result.exit_code == 1
    assert "7 would be added" in result.output
    assert "  would add 2026-11-12 acme onsite 90 min [3q9v1m7k2c8d4f6h0j5n@google.com#20261110T140000Z]" in result.output
    assert result.output.rstrip().endswith("dry run: nothing was written")
    assert (data / "contacts.csv").read_bytes() == before
    assert not (data / "imported").exists()


def test_an_event_naming_two_clients_is_listed_not_guessed(make_portfolio, tmp_path: Path) -> None:
    data = make_portfolio(site=SITE, clients=[ACME, BAYVIEW], contacts=[])
    path = tmp_path / "both.ics"
    path.write_text(_calendar("DTSTART:20261103T090000\r\nDTEND:20261103T100000\r\nSUMMARY:Acme and Bayview joint audit"))
    result = run(data, path)
    assert result.exit_code == 1
    assert "both.ics: 2026-11-03 09:00 'Acme and Bayview joint audit': matches 2 clients (acme, bayview)" in result.output
    assert (data / "contacts.csv").read_text(encoding="utf-8") == HEADER + "\n"


def test_matching_ignores_case_and_accents_but_not_parts_of_words(make_portfolio, tmp_path: Path) -> None:
    lumiere = {**ACME, "id": "lumiere", "name": "Café Lumière", "match": ["Cafe Lumiere"]}
    data = make_portfolio(site=SITE, clients=[lumiere, BAYVIEW], contacts=[])
    path = tmp_path / "accents.ics"
    path.write_text(_calendar("DTSTART:20261103T090000\r\nDTEND:20261103T094500\r\nSUMMARY:Network check\r\n"
                              "LOCATION:CAFÉ LUMIÈRE\\, 3 Rue Haute",
                              "DTSTART:20261104T090000\r\nDTEND:20261104T094500\r\nSUMMARY:Bayviewing party"))
    result = run(data, path)
    lines = (data / "contacts.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1:] == ["2026-11-03,lumiere,onsite,,45,Network check"]
    assert "'Bayviewing party': matches no client" in result.output


def test_floating_and_utc_times_take_the_day_they_happened(make_portfolio, tmp_path: Path) -> None:
    data = make_portfolio(site=SITE, clients=[ACME], contacts=[])
    path = tmp_path / "apple.ics"
    # 02:30 UTC on the 20th is the evening of the 19th in Los Angeles; a floating time is taken as written
    path.write_text(_calendar("DTSTART:20261120T023000Z\r\nDTEND:20261120T033000Z\r\nSUMMARY:Acme server patching",
                              "DTSTART:20261110T233000\r\nDTEND:20261111T003000\r\nSUMMARY:Acme late-night migration"))
    assert run(data, path, "--timezone", "America/Los_Angeles").exit_code == 0
    assert (data / "contacts.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        "2026-11-10,acme,onsite,,60,Acme late-night migration",
        "2026-11-19,acme,onsite,,60,Acme server patching",
    ]


def test_only_the_tracked_range_is_imported(make_portfolio, tmp_path: Path) -> None:
    late = {**ACME, "agreement": {"start": "2026-11-01"}}
    data = make_portfolio(site=SITE, clients=[late, BAYVIEW], contacts=[])
    result = run(data, FIXTURES / "google-calendar.ics", "--as-of", "2026-11-15")
    assert "(calendar, 2024-03-01 to 2026-11-15): 2 added" in result.output
    assert result.output.splitlines()[1] == "skipped: 3 before the client's agreement or tracking start"
    assert [line[:10] for line in (data / "contacts.csv").read_text(encoding="utf-8").splitlines()[1:]] == ["2026-11-03", "2026-11-12"]


@pytest.mark.parametrize(("content", "message"), [
    ("not a calendar\n", "error: {path}: not an iCalendar file (expected BEGIN:VCALENDAR on its first line)"),
    (b"BEGIN:VCALENDAR\r\nSUMMARY:caf\xe9\r\n", "error: {path}: not UTF-8 text (invalid continuation byte at byte 28)"),
])
def test_a_broken_file_is_a_usage_error_and_nothing_is_written(data: Path, tmp_path: Path, content: str | bytes, message: str) -> None:
    path = tmp_path / "broken.ics"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = (data / "contacts.csv").read_bytes()
    result = run(data, path)
    assert result.exit_code == 2
    assert message.format(path=path) in result.output
    assert "Traceback" not in result.output
    assert (data / "contacts.csv").read_bytes() == before


def test_a_missing_file_exits_2(data: Path, tmp_path: Path) -> None:
    result = run(data, tmp_path / "nowhere.ics")
    assert result.exit_code == 2
    assert f"error: {tmp_path / 'nowhere.ics'}: no such file" in result.output


def test_a_bad_match_list_is_a_located_data_problem(make_portfolio) -> None:
    data = make_portfolio(site=SITE, clients=[{**ACME, "match": ["Acme", "ACME"]}], contacts=[])
    result = run(data, FIXTURES / "google-calendar.ics")
    assert result.exit_code == 2
    assert "clients.yaml:" in result.output and "clients[0].match[1]: 'ACME' is listed twice (first as [0])" in result.output


def test_the_fixture_is_left_unchanged(data: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.ics"
    shutil.copy(FIXTURES / "google-calendar.ics", copy)
    run(data, copy)
    assert copy.read_bytes() == (FIXTURES / "google-calendar.ics").read_bytes()


def _calendar(*events: str) -> str:
    body = "".join(f"BEGIN:VEVENT\r\nUID:test-{index}@example\r\nDTSTAMP:20261201T000000Z\r\n{event}\r\nEND:VEVENT\r\n"
                   for index, event in enumerate(events))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//macOS 15.1//EN\r\n{body}END:VCALENDAR\r\n"


def test_a_series_repeating_every_second_is_skipped_not_expanded(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "flood.ics"
    path.write_text(_calendar("DTSTART:20250101T000000Z\r\nDTEND:20250101T000001Z\r\nRRULE:FREQ=SECONDLY\r\nSUMMARY:Acme ping",
                              "DTSTART:20261103T090000\r\nDTEND:20261103T100000\r\nSUMMARY:Acme visit"))
    result = run(data, path)
    assert result.exit_code == 0
    assert "skipped: 1 series repeating more often than daily" in result.output
    assert added_lines(data) == ["2026-11-03,acme,onsite,,60,Acme visit"]


def test_an_event_whose_start_cannot_be_read_is_listed_and_the_others_imported(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "broken-event.ics"
    path.write_text(_calendar("DTSTART:notadate\r\nSUMMARY:Acme visit",
                              "DTSTART:20261103T090000\r\nRRULE:FREQ=WEEKLY;UNTIL=garbage\r\nSUMMARY:Acme weekly",
                              "DTSTART:20261104T090000\r\nDTEND:20261104T100000\r\nSUMMARY:Acme visit"))
    result = run(data, path)
    assert result.exit_code == 1
    assert f"{path}: event 'Acme visit' (UID test-0@example): DTSTART cannot be read (" in result.output
    assert f"{path}: event 'Acme weekly' (UID test-1@example): RRULE cannot be read (" in result.output
    assert added_lines(data) == ["2026-11-04,acme,onsite,,60,Acme visit"]


def test_titles_become_one_line_notes_that_read_back_as_written(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "odd-title.ics"
    path.write_text(_calendar('DTSTART:20261103T090000\r\nDTEND:20261103T100000\r\nSUMMARY:=HYPERLINK("x")\\, Acme\\nsecond line'))
    assert run(data, path).exit_code == 0
    contacts = load_portfolio(data).contacts
    assert contacts.iloc[-1]["note"] == '=HYPERLINK("x"), Acme second line'


def test_a_row_changed_by_hand_is_kept_and_the_update_added_with_a_note(data: Path, tmp_path: Path) -> None:
    run(data, FIXTURES / "google-calendar.ics")
    path = data / "contacts.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("30,BAYVIEW LAW – Google Meet check-in", "30,Meet: VPN questions"),
                    encoding="utf-8")
    result = run(data, _edited(tmp_path))
    assert (f"note: {data}/contacts.csv: the row for 7hc2t0bq5u3l1r9e8s6w4y2x0z@google.com (2026-11-19, bayview) was no "
            "longer there (changed by hand?); its new row is added") in result.output
    lines = path.read_text(encoding="utf-8").splitlines()
    assert "2026-11-19,bayview,remote,,30,Meet: VPN questions" in lines
    assert lines[-1] == "2026-11-19,bayview,remote,,60,BAYVIEW LAW – Google Meet check-in"


def test_an_unreadable_sidecar_stops_the_import_before_anything_is_written(data: Path) -> None:
    (data / "imported").mkdir()
    (data / "imported" / "contacts.csv").write_text("what,is,this\n1,2,3\n", encoding="utf-8")
    before = (data / "contacts.csv").read_bytes()
    result = run(data, FIXTURES / "google-calendar.ics")
    assert result.exit_code == 2
    assert (f"error: {data / 'imported' / 'contacts.csv'}: header is not source,key,date,client,kind,staff,minutes,note,"
            "action,imported_at; nothing was written") in result.output
    assert (data / "contacts.csv").read_bytes() == before


def test_a_kind_map_with_an_unknown_kind_is_a_located_problem(make_portfolio) -> None:
    site = {**SITE, "contacts_import": {"kinds": {"Zoom": "video"}}}
    data = make_portfolio(site=site, clients=[ACME], contacts=[])
    result = run(data, FIXTURES / "google-calendar.ics")
    assert result.exit_code == 2
    assert "site.yaml:" in result.output and "contacts_import.kinds.Zoom: 'video' is not one of onsite, remote, phone, email" \
        in result.output


def test_a_kind_keyword_in_the_description_sets_the_kind(make_portfolio, tmp_path: Path) -> None:
    data = make_portfolio(site=SITE, clients=[ACME], contacts=[])
    path = tmp_path / "zoom.ics"
    path.write_text(_calendar("DTSTART:20261103T090000\r\nDTEND:20261103T093000\r\nSUMMARY:Acme check-in\r\n"
                              "DESCRIPTION:Join Zoom Meeting\\nhttps://us02web.zoom.us/j/81234567890",
                              "DTSTART:20261104T090000\r\nDTEND:20261104T110000\r\nSUMMARY:Acme check-in"))
    assert run(data, path).exit_code == 0
    assert (data / "contacts.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        "2026-11-03,acme,remote,,30,Acme check-in",
        "2026-11-04,acme,onsite,,120,Acme check-in",
    ]


def test_a_single_match_word_needs_no_list(make_portfolio, tmp_path: Path) -> None:
    data = make_portfolio(site=SITE, clients=[{**ACME, "id": "dental-group", "name": "Dental Group", "match": "Acme"}], contacts=[])
    path = tmp_path / "one.ics"
    path.write_text(_calendar("DTSTART:20261103T090000\r\nDTEND:20261103T100000\r\nSUMMARY:Acme visit"))
    assert run(data, path).exit_code == 0
    assert (data / "contacts.csv").read_text(encoding="utf-8").splitlines()[1:] == ["2026-11-03,dental-group,onsite,,60,Acme visit"]
