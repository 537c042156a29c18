"""Dashboard encryption: a passphrase-wrapped content key and one AES-256-GCM message per file.

The envelope (docs/privacy.md, "Encrypted dashboards"):

- a random 64-byte content key: 32 bytes for AES-256-GCM, 32 bytes for deriving nonces and
  opaque file names (HMAC-SHA256), so no key serves two purposes;
- the content key sealed with AES-256-GCM under a key derived from the passphrase by
  PBKDF2-HMAC-SHA256 (a random 16-byte salt, at least 600,000 iterations);
- each file compressed (zlib format, fixed settings: pages and exports shrink 5-10x), framed
  as a 4-byte big-endian length, the compressed bytes and zero padding up to a size bucket
  (a power of two, at least 2 KiB), so that a file's size says little about its content;
- all files of a build sealed together (`seal_files`) with AES-256-GCM, each with its published
  path as associated data and a nonce derived from the path, its framed bytes and the build's
  *generation*, a digest of every file's content: when any one dashboard changes, every
  ciphertext changes, so the public history cannot tell which client's page changed; when none
  changes, the build is byte-identical (no churn in gh-pages diffs). A nonce never serves two
  different messages: a different message means a different digest.

What is published is written without letters, so that no name can be read in it by chance,
however much of it there is:

- binary values (ciphertext, nonces, salt, sealed key) in `SYMBOLS`, hexadecimal whose sixteen
  digits are punctuation marks: no letter and no digit of any script, so the payload holds no
  word at all: no name, and no phone number either. Every symbol is ASCII and inert in HTML
  text, attribute values, `<script>` data and JSON strings (no `<`, `>`, `&`, quotes,
  backslash or `%`);
- opaque file names in decimal digits: a file name needs characters that are safe in a path.

site_templates/unlock.js is the browser side of exactly this format.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata
import zlib
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
# sixteen symbols for the hex digits 0-f, in order; unlock.js has the same string
SYMBOLS = "!#$()*+,-.:;=?@^"
_TO_SYMBOLS = bytes.maketrans(b"0123456789abcdef", SYMBOLS.encode("ascii"))
# every other byte becomes "~", which bytes.fromhex refuses (it would skip whitespace)
_FROM_SYMBOLS = bytes(b"0123456789abcdef"[SYMBOLS.index(chr(byte))] if chr(byte) in SYMBOLS else ord("~") for byte in range(256))
# zlib format (DecompressionStream("deflate") in the browser), fixed level, window and memory: deterministic
COMPRESS_LEVEL = 6
PAD_MIN = 2048  # the smallest size bucket, in bytes (before the 16-byte GCM tag)
LENGTH_BYTES = 4
NAME_DIGITS = 28  # about 93 bits


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
    def from_bytes(cls, raw: bytes) -> ContentKey:
        """Split the 64 sealed bytes back into their two keys."""
        if len(raw) != 64:
            raise CryptoError(f"a content key has 64 bytes, not {len(raw)}")
        return cls(raw[:32], raw[32:])

    @classmethod
    def generate(cls) -> ContentKey:
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
        """JSON-ready fields for the private key file, bytes as base64."""
        return {"iterations": self.iterations, "salt": b64(self.salt), "nonce": b64(self.nonce), "sealed": b64(self.sealed)}

    def as_published(self) -> dict[str, object]:
        """JSON-ready fields for a published page, bytes in `SYMBOLS` (no letters)."""
        return {"iterations": self.iterations, "salt": encode(self.salt), "nonce": encode(self.nonce),
                "sealed": encode(self.sealed)}


@dataclass(frozen=True)
class SealedFile:
    """One encrypted file: its nonce and the compressed, encrypted bytes with the GCM tag appended."""

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


def encode(data: bytes) -> str:
    """Bytes as hexadecimal written in `SYMBOLS`: two punctuation marks per byte, no letter, no digit."""
    return data.hex().encode("ascii").translate(_TO_SYMBOLS).decode("ascii")


def decode(text: str) -> bytes:
    """Bytes from `encode` text; raises CryptoError on anything else (hex digits and spaces included)."""
    try:
        return bytes.fromhex(text.encode("ascii").translate(_FROM_SYMBOLS).decode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise CryptoError(f"not in the payload alphabet: {exc}") from None


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


def file_nonce(content: ContentKey, path: str, message: bytes, generation: bytes = b"") -> bytes:
    """HMAC(derivation key, generation, path, SHA-256 of the bytes encrypted), truncated to 12 bytes."""
    data = b"nonce\x00" + generation + b"\x00" + path.encode("utf-8") + b"\x00" + hashlib.sha256(message).digest()
    return hmac.new(content.derivation, data, hashlib.sha256).digest()[:NONCE_BYTES]


def bucket(size: int) -> int:
    """The padded size for `size` bytes: the next power of two, at least PAD_MIN."""
    return max(PAD_MIN, 1 << max(size - 1, 0).bit_length())


def pad(compressed: bytes) -> bytes:
    """Length, bytes, zeros: the frame that is encrypted, its size a bucket."""
    frame = len(compressed).to_bytes(LENGTH_BYTES, "big") + compressed
    return frame + bytes(bucket(len(frame)) - len(frame))


def unpad(frame: bytes) -> bytes:
    """The compressed bytes inside a frame; CryptoError when the length does not fit."""
    length = int.from_bytes(frame[:LENGTH_BYTES], "big")
    if len(frame) < LENGTH_BYTES or length > len(frame) - LENGTH_BYTES:
        raise CryptoError("the decrypted frame is shorter than its length says")
    return frame[LENGTH_BYTES:LENGTH_BYTES + length]


def generation_of(framed: dict[str, bytes]) -> bytes:
    """A digest of every file of a build (path and framed bytes): it changes when any one does."""
    digest = hashlib.sha256(b"generation\x00")
    for path in sorted(framed):
        digest.update(hashlib.sha256(path.encode("utf-8") + b"\x00" + framed[path]).digest())
    return digest.digest()


def compress(plaintext: bytes) -> bytes:
    """zlib format, level 6, 32 KiB window: the same bytes for the same file with the same zlib."""
    packer = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, 15, 8, zlib.Z_DEFAULT_STRATEGY)
    return packer.compress(plaintext) + packer.flush()


def seal_files(content: ContentKey, files: dict[str, bytes]) -> dict[str, SealedFile]:
    """Compress, pad and encrypt every file of a build together, each for its published path.

    The nonce comes from the framed compressed bytes, not the plaintext: were another zlib to
    compress the same page differently, the two messages still get different nonces.
    """
    framed = {path: pad(compress(plaintext)) for path, plaintext in files.items()}
    generation = generation_of(framed)
    sealed = {}
    for path, message in framed.items():
        nonce = file_nonce(content, path, message, generation)
        sealed[path] = SealedFile(nonce, AESGCM(content.encryption).encrypt(nonce, message, path.encode("utf-8")))
    return sealed


def seal_file(content: ContentKey, path: str, plaintext: bytes) -> SealedFile:
    """One file sealed as the only file of its build."""
    return seal_files(content, {path: plaintext})[path]


def open_file(content: ContentKey, path: str, sealed: SealedFile) -> bytes:
    """Decrypt, unpad and decompress one file; CryptoError when it was changed or moved to another path."""
    try:
        message = AESGCM(content.encryption).decrypt(sealed.nonce, sealed.ciphertext, path.encode("utf-8"))
    except InvalidTag:
        raise CryptoError(f"{path}: does not decrypt (changed, or moved from another path)") from None
    try:
        return zlib.decompress(unpad(message))
    except zlib.error as exc:
        raise CryptoError(f"{path}: decrypts but does not decompress ({exc})") from None


def opaque_name(content: ContentKey, path: str) -> str:
    """A stable file name that says nothing about the file: 28 decimal digits, no letter to spell with."""
    digest = hmac.new(content.derivation, b"name\x00" + path.encode("utf-8"), hashlib.sha256).digest()
    return str(int.from_bytes(digest[:16], "big") % 10**NAME_DIGITS).zfill(NAME_DIGITS)
