"""The dashboard envelope: a known-answer vector, tamper and passphrase failures, the iteration floor, keys, the alphabet."""

from __future__ import annotations

import hashlib
import json
import os
import re
import zlib
from pathlib import Path

import pytest

from generator.errors import RapportError
from generator.keys import key_file
from generator.safety import crypto
from generator.safety.crypto import (
    SYMBOLS,
    ContentKey,
    CryptoError,
    SealedFile,
    SealedKey,
    WrongPassphrase,
    compress,
    decode,
    encode,
    opaque_name,
    open_file,
    open_key,
    seal_file,
    seal_key,
    unb64,
)
from generator.safety.passphrase import dashboard_key, dashboard_passphrase
from tests.test_publish_support import PASSPHRASE

# The known-answer vector; tests/test_publish_browser.py decrypts the same bytes with WebCrypto.
KAT = {
    "passphrase": "correct horse battery staple",
    "iterations": 600_000,
    "salt": bytes(range(16)),
    "content_key": bytes(range(64)),
    "key_nonce": bytes(range(0xA0, 0xAC)),
    "path": "dashboard/c/known-answer.html",
    "plaintext": "<h1>Known answer ✓</h1>".encode() * 3,
    # results, bytes in the published alphabet
    "passphrase_key": "ef177144eec9420cbc1093d2a8b344a92bc506d0d4ec9c028dd19f8324d8c1e6",
    "sealed_key": ":;+^;#-(,^(!=(@^(^$(#-;.!-.-!(;=@-)^^?$+@?!..^:$)(=;(^^$$$$;(^@!,$@!;$!?.,+)!$?-++?$$+-:^@*;!;!,?+:+:+(:..@.=$@+#?;@,(.!#:@=(:$*+#,=-@)*(=.(,--?-*=:#(:!^*+@*;!@",
    "compressed": "789cb3c930b4f3cecb2fcf5348cc2b2e4f2d52783467b28d3e50d08664090017d21bca",  # hex: zlib, level 6
    "file_nonce": "*.+?(,,^#);.?..(@$.(*-*;",
    # the compressed bytes framed and padded to the smallest bucket (2,048 bytes), then sealed: 2,064 bytes
    "ciphertext_sha256": "bac1cb4ed1b5ba749faf9ac9b0f726f972d469f8a032a0b20c651ede195b6373",
    "opaque_name": "5379916898132549289829724625",  # of dashboard/clients/acme.html
}
LETTER = re.compile(r"[^\x00-\x7f]|[A-Za-z]")


def kat_envelope() -> dict:
    """The vector as an unlock page carries it (its ciphertext is checked against the digest above)."""
    sealed = seal_file(ContentKey.from_bytes(KAT["content_key"]), KAT["path"], KAT["plaintext"])
    return {
        "v": 3, "kind": "page", "kdf": "PBKDF2-SHA256", "zip": "deflate", "pad": "length-bucket",
        "key": {"iterations": KAT["iterations"], "salt": encode(KAT["salt"]), "nonce": encode(KAT["key_nonce"]),
                "sealed": KAT["sealed_key"]},
        "nonce": KAT["file_nonce"], "data": encode(sealed.ciphertext),
    }


def test_known_answer_vector() -> None:
    content = ContentKey.from_bytes(KAT["content_key"])
    derived = crypto.derive_passphrase_key(KAT["passphrase"], KAT["salt"], KAT["iterations"])
    # PBKDF2 itself, checked against the standard library's independent implementation
    assert derived.hex() == KAT["passphrase_key"] == hashlib.pbkdf2_hmac(
        "sha256", KAT["passphrase"].encode(), KAT["salt"], KAT["iterations"]).hex()
    sealed = seal_key(content, KAT["passphrase"], KAT["iterations"], salt=KAT["salt"], nonce=KAT["key_nonce"])
    assert encode(sealed.sealed) == KAT["sealed_key"]
    assert open_key(sealed, KAT["passphrase"]) == content
    # compressed first (deterministically), then encrypted with the compressed bytes' nonce
    assert compress(KAT["plaintext"]).hex() == KAT["compressed"]
    assert zlib.decompress(bytes.fromhex(KAT["compressed"])) == KAT["plaintext"]
    file = seal_file(content, KAT["path"], KAT["plaintext"])
    assert (encode(file.nonce), hashlib.sha256(file.ciphertext).hexdigest()) == (KAT["file_nonce"], KAT["ciphertext_sha256"])
    assert len(file.ciphertext) == 2048 + 16
    assert open_file(content, KAT["path"], file) == KAT["plaintext"]
    assert opaque_name(content, "dashboard/clients/acme.html") == KAT["opaque_name"]


def test_the_passphrase_is_trimmed_and_nfc_normalised_like_in_the_browser() -> None:
    salt = bytes(16)
    composed = crypto.derive_passphrase_key("café crème brûlée", salt, 600_000)
    decomposed = crypto.derive_passphrase_key("  cafe\u0301 cre\u0300me bru\u0302le\u0301e\n", salt, 600_000)
    assert composed == decomposed


def test_wrong_passphrase_flipped_byte_and_moved_path_all_fail() -> None:
    content = ContentKey.from_bytes(KAT["content_key"])
    sealed = SealedKey(KAT["iterations"], KAT["salt"], KAT["key_nonce"], decode(KAT["sealed_key"]))
    with pytest.raises(WrongPassphrase):
        open_key(sealed, "correct horse battery stapler")
    file = SealedFile(decode(KAT["file_nonce"]), decode(kat_envelope()["data"]))
    for index in (0, len(file.ciphertext) // 2, len(file.ciphertext) - 1):  # body and tag
        flipped = bytearray(file.ciphertext)
        flipped[index] ^= 0x01
        with pytest.raises(CryptoError, match="does not decrypt"):
            open_file(content, KAT["path"], SealedFile(file.nonce, bytes(flipped)))
    with pytest.raises(CryptoError, match="moved"):
        open_file(content, "dashboard/c/another-page.html", file)
    flipped_key = bytearray(sealed.sealed)
    flipped_key[3] ^= 0x80
    with pytest.raises(WrongPassphrase):
        open_key(SealedKey(sealed.iterations, sealed.salt, sealed.nonce, bytes(flipped_key)), KAT["passphrase"])


@pytest.mark.parametrize("iterations", [1, 1000, 599_999])
def test_fewer_than_600000_iterations_are_refused(iterations: int) -> None:
    with pytest.raises(CryptoError, match="below the floor of 600,000"):
        seal_key(ContentKey.generate(), PASSPHRASE, iterations)
    sealed = SealedKey(iterations, KAT["salt"], KAT["key_nonce"], decode(KAT["sealed_key"]))
    with pytest.raises(CryptoError, match="below the floor"):
        open_key(sealed, KAT["passphrase"])


def test_nonces_are_deterministic_per_plaintext_and_never_shared_between_plaintexts() -> None:
    content = ContentKey.generate()
    one = seal_file(content, "dashboard/index.html", b"<p>one</p>")
    assert seal_file(content, "dashboard/index.html", b"<p>one</p>") == one  # no churn on rebuild
    two = seal_file(content, "dashboard/index.html", b"<p>two</p>")
    elsewhere = seal_file(content, "dashboard/c/x.html", b"<p>one</p>")
    assert len({one.nonce, two.nonce, elsewhere.nonce}) == 3
    assert len(one.nonce) == 12
    # the nonce is of the bytes encrypted: another zlib's output of the same page gets another nonce
    framed = crypto.pad(compress(b"<p>one</p>"))
    generation = crypto.generation_of({"dashboard/index.html": framed})
    assert one.nonce == crypto.file_nonce(content, "dashboard/index.html", framed, generation)
    other = crypto.pad(zlib.compress(b"<p>one</p>", 1))
    assert one.nonce != crypto.file_nonce(content, "dashboard/index.html", other, crypto.generation_of({"dashboard/index.html": other}))


def test_opaque_names_are_stable_and_say_nothing() -> None:
    content = ContentKey.generate()
    name = opaque_name(content, "dashboard/clients/acme-dental.html")
    assert name == opaque_name(content, "dashboard/clients/acme-dental.html")
    assert name != opaque_name(content, "dashboard/clients/acme-dentals.html")
    # digits only: a keyed hash written in letters would now and then spell a name
    names = [opaque_name(content, f"dashboard/clients/{number}.html") for number in range(2000)]
    assert all(re.fullmatch(r"[0-9]{28}", each) for each in [name, *names])
    assert len(set(names)) == len(names)


def test_the_published_alphabet_has_no_letter_or_digit_and_is_inert_in_html_and_json() -> None:
    assert len(SYMBOLS) == len(set(SYMBOLS)) == 16
    assert not any(symbol.isalnum() or symbol.isspace() for symbol in SYMBOLS)
    assert not set(SYMBOLS) & set("<>&\"'\\%`/")  # markup, entities, quotes, escapes, %-escapes, comments
    data = os.urandom(4096) + bytes(range(256))
    text = encode(data)
    assert len(text) == 2 * len(data) and set(text) == set(SYMBOLS) and not LETTER.search(text)
    assert json.dumps(text) == f'"{text}"'  # nothing to escape in JSON
    assert decode(text) == data


@pytest.mark.parametrize("text", ["0a", "!", "!# ", " !#", "!#\n", "AB", "!\u00e9", "!#$"])
def test_decoding_refuses_anything_outside_the_alphabet(text: str) -> None:
    with pytest.raises(CryptoError, match="not in the payload alphabet"):
        decode(text)


# ---------------------------------------------------------------- passphrase and key file


def test_the_key_file_is_reused_while_the_passphrase_stays_and_rotated_when_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    first, content = dashboard_key(data, PASSPHRASE)
    path = key_file(data)
    assert path == tmp_path / ".rapport" / "dashboard-key.json"
    assert (tmp_path / ".rapport" / ".gitignore").read_text() == "*\n"
    record = json.loads(path.read_text())
    assert record["iterations"] >= 600_000 and len(unb64(record["salt"])) == 16
    assert PASSPHRASE not in path.read_text()
    again, same = dashboard_key(data, PASSPHRASE)
    assert (again, same) == (first, content)
    rotated, new_content = dashboard_key(data, "a completely different passphrase")
    assert rotated.salt != first.salt and new_content != content
    with pytest.raises(WrongPassphrase):
        open_key(rotated, PASSPHRASE)


def test_a_key_file_below_the_iteration_floor_stops_the_build(make_portfolio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.build import build_site

    monkeypatch.setenv("RAPPORT_SECRET", "s")
    monkeypatch.setenv("RAPPORT_DASHBOARD_PASSPHRASE", PASSPHRASE)
    data = make_portfolio()
    dashboard_key(data, PASSPHRASE)
    record = json.loads(key_file(data).read_text())
    record["iterations"] = 100_000
    key_file(data).write_text(json.dumps(record))
    with pytest.raises(RapportError, match=r"dashboard-key.json: 100000 PBKDF2 iterations is below the floor of 600,000"):
        build_site(data, tmp_path / "output")
    assert not (tmp_path / "output").exists()


def test_passphrase_comes_from_the_environment_then_the_ignored_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.delenv("RAPPORT_DASHBOARD_PASSPHRASE", raising=False)
    assert dashboard_passphrase(data) is None
    (tmp_path / ".rapport").mkdir()
    (tmp_path / ".rapport" / "dashboard-passphrase").write_text("from the file, long enough\n")
    assert dashboard_passphrase(data) == "from the file, long enough"
    monkeypatch.setenv("RAPPORT_DASHBOARD_PASSPHRASE", "  from the environment  ")
    assert dashboard_passphrase(data) == "from the environment"
    monkeypatch.setenv("RAPPORT_DASHBOARD_PASSPHRASE", "short")
    with pytest.raises(RapportError, match="passphrase from RAPPORT_DASHBOARD_PASSPHRASE is too easy to guess"):
        dashboard_passphrase(data)
