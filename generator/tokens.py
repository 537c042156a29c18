"""Survey link tokens: a keyed hash of survey and client, so links cannot be guessed."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

TOKEN_BYTES = 20  # 160 bits, comfortably above the 128-bit floor
# written in decimal digits: letters of a random token would now and then spell a client's
# name ("…kai…") in a public path, which no one scanning the site could tell from a leak
TOKEN_DIGITS = len(str(2 ** (8 * TOKEN_BYTES) - 1))


def survey_token(secret: bytes, survey_id: str, client_id: str) -> str:
    """HMAC-SHA256 of (survey id, client id) under the site secret, as URL-safe digits."""
    # a NUL separator keeps ("a-b", "c") and ("a", "b-c") apart; ids never contain NUL
    message = f"{survey_id}\x00{client_id}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()[:TOKEN_BYTES]
    return str(int.from_bytes(digest, "big")).zfill(TOKEN_DIGITS)


def client_for_token(secret: bytes, survey_id: str, token: str, client_ids: Iterable[str]) -> str | None:
    """The client whose token this is for the survey, compared in constant time; None if none."""
    found = None
    for client_id in client_ids:
        if hmac.compare_digest(survey_token(secret, survey_id, client_id), token):
            found = client_id
    return found
