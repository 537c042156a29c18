"""Shared pieces of the publish tests: a canary portfolio, secrets, and a tree digest (no tests here)."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CLIENT, SURVEY

SECRET = "publish-test-secret"
PASSPHRASE = "correct horse battery staple"

# one unique string per kind of private data; each must never be readable under output/public/
CANARIES = {
    "client name": "Zyxclientcanary Dental Group",
    "client id": "zyx-client",
    "contact name": "Qwvcontact Canaryperson",
    "contact e-mail": "zyxcanary.mail@zyxcanary-mail.example",
    "contact phone": "+1 917 555 2468",
    "client notes": "Zyxnotecanary keeps the server closet key at reception.",
    "contact-log note": "Zyxlogcanary swapped the firewall and relabelled the patch panel",
    "free-text answer": "Zyxanswercanary would like a written summary after each visit",
}
# what to look for in published bytes: the distinctive part of each canary
CANARY_MARKS = ["zyxclientcanary", "zyx-client", "qwvcontact", "canaryperson", "zyxcanary.mail", "917 555 2468",
                "9175552468", "zyxnotecanary", "zyxlogcanary", "zyxanswercanary"]


def canary_portfolio(make_portfolio: Callable[..., Path], **site: object) -> Path:
    """A two-client portfolio whose second client carries a canary of every kind."""
    canary = {
        **CLIENT, "id": CANARIES["client id"], "name": CANARIES["client name"],
        "contact": {"name": CANARIES["contact name"], "email": CANARIES["contact e-mail"], "phone": CANARIES["contact phone"]},
        "notes": f"**Closet** — {CANARIES['client notes']}\n\n- Second line of notes, also private.",
    }
    answers = [
        {"response_id": "r1", "client": CANARIES["client id"], "submitted_at": "2026-10-01T10:00:00Z",
         "overall": "5", "recommend": "9", "improve": CANARIES["free-text answer"]},
        {"response_id": "r2", "client": "acme", "submitted_at": "2026-10-02T10:00:00Z", "overall": "4", "improve": "Backups"},
    ]
    contacts = [
        ["2026-11-02", CANARIES["client id"], "onsite", "Sam Whitfield", "90", CANARIES["contact-log note"]],
        ["2026-11-03", "acme", "phone", "Sam Whitfield", "10", "Quick call about the printer"],
    ]
    settings = {"business": {"name": "Test IT"}, "as_of": "2026-11-30", **site}
    return make_portfolio(site=settings, clients=[CLIENT, canary], contacts=contacts, responses={"review": answers},
                          surveys={"review": SURVEY})


def readable(data: bytes) -> str:
    """Bytes as a person (or a search engine) would read them: decoded, unescaped, case-folded."""
    return html.unescape(data.decode("utf-8", errors="replace")).casefold()


def canaries_in(folder: Path) -> list[str]:
    """`path: canary` for every canary readable in a file's content or name under folder."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            text = readable(path.read_bytes()) + "\n" + str(path.relative_to(folder)).casefold()
            found += [f"{path.relative_to(folder)}: {mark}" for mark in CANARY_MARKS if mark in text]
    return found


def tree_digest(folder: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under folder."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The site secret and the dashboard passphrase from the environment."""
    monkeypatch.setenv("RAPPORT_SECRET", SECRET)
    monkeypatch.setenv("RAPPORT_DASHBOARD_PASSPHRASE", PASSPHRASE)
