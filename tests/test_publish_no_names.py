"""Short client and contact names appear nowhere in the published site, not even by chance.

Ciphertext written in letters (base64) spells every short string now and then: in the few
hundred kilobytes of a small portfolio's dashboards a three-letter name turns up dozens of
times, case-insensitively. Whoever searches the published site for a client's name (an
auditor, a client) cannot tell such a hit from a leak, so nothing derived from the data may
be written in letters: the payload is in crypto.SYMBOLS, the file names are digits.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.build import build_site
from tests.conftest import CLIENT
from tests.test_publish_encrypt import envelope_of
from tests.test_publish_support import secrets_env  # noqa: F401 - secrets_env is a fixture

# short common names that the public templates, scripts and plotly.js do not contain
CLIENT_NAMES = ["Acme", "Ezra", "Yuki", "Jovi", "Aziz", "Quix"]
CONTACT_NAMES = ["Bo Li", "Ivy", "Kai", "Jon", "Pam", "Wes"]
PAYLOAD = re.compile(r"[!#$()*+,\-.:;=?@^]+")


@pytest.fixture
def short_names_site(make_portfolio, tmp_path: Path, secrets_env: None) -> Path:
    clients = [
        {**CLIENT, "id": f"client-{number}", "name": name,
         "contact": {"name": contact, "email": f"office{number}@example.org", "phone": f"+1 212 555 01{number:02d}"},
         "notes": f"{contact} prefers mornings. Account of {name}."}
        for number, (name, contact) in enumerate(zip(CLIENT_NAMES, CONTACT_NAMES, strict=True))
    ]
    contacts = [[f"2026-{1 + day % 11:02d}-{1 + day % 27:02d}", f"client-{day % 6}", "onsite", "Sam Whitfield", "30",
                 f"Met {CONTACT_NAMES[day % 6]} about the {CLIENT_NAMES[day % 6]} network, visit {day}"] for day in range(800)]
    answers = [{"response_id": f"r{number}", "client": f"client-{number % 6}", "submitted_at": f"2026-{1 + number % 11:02d}-03T10:00:00Z",
                "overall": str(1 + number % 5), "recommend": str(number % 11), "improve": f"Ask {CONTACT_NAMES[number % 6]} first"}
               for number in range(120)]
    data = make_portfolio(site={"business": {"name": "Test IT"}, "as_of": "2026-11-30"}, clients=clients, contacts=contacts,
                          responses={"review": answers})
    build_site(data, tmp_path / "output")
    return tmp_path / "output"


def test_no_short_name_in_any_published_byte_or_file_name(short_names_site: Path) -> None:
    public, private = short_names_site / "public", short_names_site / "dashboard"
    names = [name.casefold() for name in CLIENT_NAMES + CONTACT_NAMES]
    # the names are real: the private dashboards show every one of them
    plain = "".join(path.read_text(errors="replace") for path in private.rglob("*.html")).casefold()
    assert all(name in plain for name in names)
    shells = sorted((public / "dashboard").glob("*.html")) + sorted((public / "dashboard" / "c").glob("*.html"))
    assert len(shells) > 10
    sealed, blanked = 0, set()
    for shell in shells:
        assert re.fullmatch(r"index|[0-9]{28}", shell.stem), shell.name
        text = shell.read_text()
        envelope = envelope_of(text)
        payload = [envelope["data"], envelope["nonce"], *(envelope["key"][field] for field in ("salt", "nonce", "sealed"))]
        assert all(PAYLOAD.fullmatch(value) for value in payload)  # no ASCII letter, no digit, nothing non-ASCII
        sealed += len(envelope["data"])
        for value in payload:
            text = text.replace(f'"{value}"', '"…"')
        blanked.add(text)
    # nothing else in an unlock page comes from the data: the overview, the other pages, the exports
    assert len(blanked) == 3
    # enough data that base64 of it would spell each three-letter name a dozen times (≈ n / 32³)
    assert sum(path.stat().st_size for path in private.rglob("*") if "assets" not in path.parts) > 300_000
    assert 0 < sealed < 300_000  # compressed first
    found = []
    for path in sorted(public.rglob("*")):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace").casefold()
            relative = path.relative_to(public).as_posix().casefold()
            found += [f"{relative}: {name}" for name in names if name in text or name in relative]
    assert found == []
