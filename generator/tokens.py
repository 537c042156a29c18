"""Survey link tokens: a keyed hash of survey and client, so links cannot be guessed."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

TOKEN_BYTES = 20  # 160 bits, comfortably above the 128-bit floor
# a letter first and lowercase base32 after it: Sheets and Excel keep such a cell as text, where
# the old all-digit form came back as 6.4E+47 or without its leading zeros
TOKEN_PREFIX = "r"
TOKEN_CHARS = len(TOKEN_PREFIX) + len(base64.b32encode(bytes(TOKEN_BYTES)))  # 33
# the written form before the fragment links (an old invitation still carries it)
OLD_TOKEN_DIGITS = len(str(2 ** (8 * TOKEN_BYTES) - 1))  # 49


def _digest(secret: bytes, survey_id: str, client_id: str) -> bytes:
    # a NUL separator keeps ("a-b", "c") and ("a", "b-c") apart; ids never contain NUL
    message = f"{survey_id}\x00{client_id}".encode()
    return hmac.digest(secret, message, hashlib.sha256)[:TOKEN_BYTES]


def survey_token(secret: bytes, survey_id: str, client_id: str) -> str:
    """HMAC-SHA256 of (survey id, client id) under the site secret: `r` and 32 lowercase base32 characters."""
    return _written(_digest(secret, survey_id, client_id))


def old_survey_token(secret: bytes, survey_id: str, client_id: str) -> str:
    """The same HMAC in the old written form: 49 decimal digits."""
    return _written_old(_digest(secret, survey_id, client_id))


def token_forms(secret: bytes, survey_id: str, client_id: str) -> tuple[str, str]:
    """Both written forms of one token: (new, old)."""
    digest = _digest(secret, survey_id, client_id)
    return _written(digest), _written_old(digest)


def _written(digest: bytes) -> str:
    return TOKEN_PREFIX + base64.b32encode(digest).decode("ascii").lower()


def _written_old(digest: bytes) -> str:
    return str(int.from_bytes(digest, "big")).zfill(OLD_TOKEN_DIGITS)


def normal_token(token: str) -> str:
    """A token as typed or pasted: surrounding spaces, a `#t=` or `t=` and letter case do not matter."""
    text = token.strip()
    for lead in ("#t=", "t="):
        if text.lower().startswith(lead):
            text = text[len(lead):]
    return text.strip().lower()


def client_for_token(secret: bytes, survey_id: str, token: str, client_ids: Iterable[str]) -> str | None:
    """The client whose token (new or old form) this is for the survey, compared in constant time; None if none."""
    text = normal_token(token)
    if not text.isascii():
        return None  # no token has other characters (and compare_digest refuses them)
    make = old_survey_token if text.isdigit() else survey_token
    found = None
    for client_id in client_ids:
        if hmac.compare_digest(make(secret, survey_id, client_id), text):
            found = client_id
    return found
