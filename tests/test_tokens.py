"""Survey tokens: a written form spreadsheets keep as text; the old 49-digit form still accepted."""

from __future__ import annotations

import csv
import io
import re

from generator.tokens import client_for_token, old_survey_token, survey_token

SECRET = b"token-test-secret"
CLIENTS = ["acme", "bayview", "harbor-cafe"]


def test_the_written_form_is_a_letter_and_lowercase_base32_of_160_bits() -> None:
    token = survey_token(SECRET, "review", "acme")
    assert re.fullmatch(r"r[a-z2-7]{32}", token)
    assert token == survey_token(SECRET, "review", "acme")
    assert token != survey_token(SECRET, "review", "bayview") != survey_token(SECRET, "pulse", "bayview")


def test_no_token_reads_as_a_number_in_a_spreadsheet() -> None:
    """Issue #15: the old all-digit tokens came back from Sheets and Excel as 6.4E+47."""
    for client in (f"client-{n}" for n in range(500)):
        token = survey_token(SECRET, "review", client)
        assert not token[0].isdigit()
        try:
            float(token)
        except ValueError:
            pass
        else:
            raise AssertionError(f"{token} reads as a number")
    assert float(old_survey_token(SECRET, "review", "acme")) > 1e40  # what the old form suffered


def test_both_forms_find_their_client_however_they_were_pasted() -> None:
    new, old = survey_token(SECRET, "review", "bayview"), old_survey_token(SECRET, "review", "bayview")
    for pasted in (new, new.upper(), f"  {new}\n", f"#t={new}", f"t={new}", old, f" {old} "):
        assert client_for_token(SECRET, "review", pasted, CLIENTS) == "bayview", pasted
    assert client_for_token(SECRET, "pulse", new, CLIENTS) is None  # another survey's token
    assert client_for_token(SECRET, "review", new[:-1], CLIENTS) is None
    assert client_for_token(SECRET, "review", old.lstrip("0")[:-1], CLIENTS) is None
    assert client_for_token(SECRET, "review", "r\u00e9sum\u00e9", CLIENTS) is None  # non-ASCII: no error, no client


def test_a_token_survives_a_round_trip_through_a_csv_file() -> None:
    token = survey_token(SECRET, "review", "acme")
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["token", token])
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ["token", token]
