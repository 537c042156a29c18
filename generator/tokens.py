"""Survey link tokens: a keyed hash of survey and client, so links cannot be guessed."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

TOKEN_BYTES = 24  # 192 bits, comfortably above the 128-bit floor


def survey_token(secret: bytes, survey_id: str, client_id: str) -> str:
    """URL-safe HMAC-SHA256 of (survey id, client id) under the site secret."""
    # a NUL separator keeps ("a-b", "c") and ("a", "b-c") apart; ids never contain NUL
    message = f"{survey_id}\x00{client_id}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def client_for_token(secret: bytes, survey_id: str, token: str, client_ids: Iterable[str]) -> str | None:
    """The client whose token this is for the survey, compared in constant time; None if none."""
    found = None
    for client_id in client_ids:
        if hmac.compare_digest(survey_token(secret, survey_id, client_id), token):
            found = client_id
    return found
