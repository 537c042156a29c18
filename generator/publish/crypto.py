"""Dashboard encryption: a passphrase-wrapped content key and one AES-256-GCM message per file.

The envelope (DESIGN.md §4):

- a random 64-byte content key: 32 bytes for AES-256-GCM, 32 bytes for deriving nonces and
  opaque file names (HMAC-SHA256), so no key serves two purposes;
- the content key sealed with AES-256-GCM under a key derived from the passphrase by
  PBKDF2-HMAC-SHA256 (a random 16-byte salt, at least 600,000 iterations);
- each file sealed with AES-256-GCM, its published path as associated data, and a nonce
  derived from the path and the plaintext's SHA-256: the same page gives the same ciphertext
  (no churn in gh-pages diffs), and a nonce is never reused for a different plaintext.

site_templates/unlock.js is the browser side of exactly this format.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from generator.errors import RapportError

MIN_ITERATIONS = 600_000  # OWASP's floor for PBKDF2-HMAC-SHA256; unlock.js refuses fewer too
DEFAULT_ITERATIONS = 1_000_000
SALT_BYTES = 16
NONCE_BYTES = 12
KEY_AAD = b"rapport dashboard key v1"  # associated data of the sealed content key


class CryptoError(RapportError):
    """A sealed key or file does not open."""


class WrongPassphrase(CryptoError):
    """The passphrase does not open the sealed content key."""


@dataclass(frozen=True)
class ContentKey:
    """The secret that encrypts every dashboard file of a site."""

    encryption: bytes  # AES-256-GCM key, the only part the browser uses
    derivation: bytes  # HMAC key for nonces and opaque names

    def to_bytes(self) -> bytes:
        """The 64 bytes that get sealed under the passphrase."""
        return self.encryption + self.derivation

    @classmethod
    def from_bytes(cls, raw: bytes) -> "ContentKey":
        """Split the 64 sealed bytes back into their two keys."""
        if len(raw) != 64:
            raise CryptoError(f"a content key has 64 bytes, not {len(raw)}")
        return cls(raw[:32], raw[32:])

    @classmethod
    def generate(cls) -> "ContentKey":
        """A fresh random content key."""
        return cls.from_bytes(os.urandom(64))


@dataclass(frozen=True)
class SealedKey:
    """The content key sealed under the passphrase: what the key file and every page carry."""

    iterations: int
    salt: bytes
    nonce: bytes
    sealed: bytes

    def as_json(self) -> dict[str, object]:
        """JSON-ready fields, bytes as base64."""
        return {"iterations": self.iterations, "salt": b64(self.salt), "nonce": b64(self.nonce), "sealed": b64(self.sealed)}


@dataclass(frozen=True)
class SealedFile:
    """One encrypted file: its nonce and the ciphertext with the GCM tag appended."""

    nonce: bytes
    ciphertext: bytes


def b64(data: bytes) -> str:
    """Standard base64 text (what `atob` reads)."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    """Bytes from standard base64 text; raises CryptoError on anything else."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise CryptoError(f"not base64: {exc}") from None


def normalise_passphrase(passphrase: str) -> bytes:
    """Trimmed, NFC-normalised UTF-8, exactly as unlock.js prepares what is typed."""
    return unicodedata.normalize("NFC", passphrase.strip()).encode("utf-8")


def check_iterations(iterations: int) -> None:
    """Refuse a key derivation below the floor."""
    if not isinstance(iterations, int) or iterations < MIN_ITERATIONS:
        raise CryptoError(
            f"{iterations} PBKDF2 iterations is below the floor of {MIN_ITERATIONS:,}; refusing to use it"
        )


def derive_passphrase_key(passphrase: str, salt: bytes, iterations: int) -> bytes:
    """PBKDF2-HMAC-SHA256 of the passphrase: the 32-byte key that seals the content key."""
    check_iterations(iterations)
    if len(salt) < SALT_BYTES:
        raise CryptoError(f"a salt has at least {SALT_BYTES} bytes, not {len(salt)}")
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return kdf.derive(normalise_passphrase(passphrase))


def seal_key(
    content: ContentKey, passphrase: str, iterations: int = DEFAULT_ITERATIONS,
    salt: bytes | None = None, nonce: bytes | None = None,
) -> SealedKey:
    """Seal the content key under the passphrase (fresh random salt and nonce unless given)."""
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    nonce = os.urandom(NONCE_BYTES) if nonce is None else nonce
    wrapping = derive_passphrase_key(passphrase, salt, iterations)
    return SealedKey(iterations, salt, nonce, AESGCM(wrapping).encrypt(nonce, content.to_bytes(), KEY_AAD))


def open_key(sealed: SealedKey, passphrase: str) -> ContentKey:
    """The content key; WrongPassphrase when the passphrase does not open it."""
    wrapping = derive_passphrase_key(passphrase, sealed.salt, sealed.iterations)
    try:
        raw = AESGCM(wrapping).decrypt(sealed.nonce, sealed.sealed, KEY_AAD)
    except InvalidTag:
        raise WrongPassphrase("wrong passphrase") from None
    return ContentKey.from_bytes(raw)


def file_nonce(content: ContentKey, path: str, plaintext: bytes) -> bytes:
    """HMAC(derivation key, path, SHA-256 of the plaintext), truncated to 12 bytes."""
    message = b"nonce\x00" + path.encode("utf-8") + b"\x00" + hashlib.sha256(plaintext).digest()
    return hmac.new(content.derivation, message, hashlib.sha256).digest()[:NONCE_BYTES]


def seal_file(content: ContentKey, path: str, plaintext: bytes) -> SealedFile:
    """Encrypt one file for its published path (the path is the associated data)."""
    nonce = file_nonce(content, path, plaintext)
    return SealedFile(nonce, AESGCM(content.encryption).encrypt(nonce, plaintext, path.encode("utf-8")))


def open_file(content: ContentKey, path: str, sealed: SealedFile) -> bytes:
    """Decrypt one file; CryptoError when it was changed or moved to another path."""
    try:
        return AESGCM(content.encryption).decrypt(sealed.nonce, sealed.ciphertext, path.encode("utf-8"))
    except InvalidTag:
        raise CryptoError(f"{path}: does not decrypt (changed, or moved from another path)") from None


def opaque_name(content: ContentKey, path: str) -> str:
    """A stable file name that says nothing about the file: 24 base32 characters."""
    digest = hmac.new(content.derivation, b"name\x00" + path.encode("utf-8"), hashlib.sha256).digest()[:15]
    return base64.b32encode(digest).decode("ascii").lower()
