"""The dashboard envelope: a known-answer vector, tamper and passphrase failures, the iteration floor, keys."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from generator.errors import RapportError
from generator.publish import crypto
from generator.publish.crypto import (
    ContentKey, CryptoError, SealedFile, SealedKey, WrongPassphrase, b64, open_file, open_key, opaque_name,
    seal_file, seal_key, unb64,
)
from generator.publish.passphrase import dashboard_key, dashboard_passphrase, key_file
from tests.test_publish_support import PASSPHRASE

# The known-answer vector; tests/test_publish_browser.py decrypts the same bytes with WebCrypto.
KAT = {
    "passphrase": "correct horse battery staple",
    "iterations": 600_000,
    "salt": bytes(range(16)),
    "content_key": bytes(range(64)),
    "key_nonce": bytes(range(0xA0, 0xAC)),
    "path": "dashboard/c/known-answer.html",
    "plaintext": "<h1>Known answer ✓</h1>".encode(),
    # results
    "passphrase_key": "ef177144eec9420cbc1093d2a8b344a92bc506d0d4ec9c028dd19f8324d8c1e6",
    "sealed_key": "q2+xg38ww+8/Ixi5CJgDvOhP/SbtCZ+iQ8s/8iIrP+By4LINl2QC2GbSJor+WwsH1qamOpnpwuYdvnOQGuw6JWF8jkU8k3iNhcoToPVuWw4=",
    "file_nonce": "nBDRvyVOvLOduaSj",
    "ciphertext": "fz9w7I+2LFZ7mCjdRp8+TWN79PdVTiy82/f0xISaLp8WWdhThYewMkE=",
    "opaque_name": "kalb3ojpgvoxe2l4kej2xt7r",  # of dashboard/clients/acme.html
}


def kat_envelope() -> dict:
    """The vector as an unlock page carries it."""
    return {
        "v": 1, "kind": "page", "kdf": "PBKDF2-SHA256",
        "key": {"iterations": KAT["iterations"], "salt": b64(KAT["salt"]), "nonce": b64(KAT["key_nonce"]), "sealed": KAT["sealed_key"]},
        "nonce": KAT["file_nonce"], "data": KAT["ciphertext"],
    }


def test_known_answer_vector() -> None:
    content = ContentKey.from_bytes(KAT["content_key"])
    derived = crypto.derive_passphrase_key(KAT["passphrase"], KAT["salt"], KAT["iterations"])
    # PBKDF2 itself, checked against the standard library's independent implementation
    assert derived.hex() == KAT["passphrase_key"] == hashlib.pbkdf2_hmac(
        "sha256", KAT["passphrase"].encode(), KAT["salt"], KAT["iterations"]).hex()
    sealed = seal_key(content, KAT["passphrase"], KAT["iterations"], salt=KAT["salt"], nonce=KAT["key_nonce"])
    assert b64(sealed.sealed) == KAT["sealed_key"]
    assert open_key(sealed, KAT["passphrase"]) == content
    file = seal_file(content, KAT["path"], KAT["plaintext"])
    assert (b64(file.nonce), b64(file.ciphertext)) == (KAT["file_nonce"], KAT["ciphertext"])
    assert open_file(content, KAT["path"], file) == KAT["plaintext"]
    assert opaque_name(content, "dashboard/clients/acme.html") == KAT["opaque_name"]


def test_the_passphrase_is_trimmed_and_nfc_normalised_like_in_the_browser() -> None:
    salt = bytes(16)
    composed = crypto.derive_passphrase_key("café crème brûlée", salt, 600_000)
    decomposed = crypto.derive_passphrase_key("  cafe\u0301 cre\u0300me bru\u0302le\u0301e\n", salt, 600_000)
    assert composed == decomposed


def test_wrong_passphrase_flipped_byte_and_moved_path_all_fail() -> None:
    content = ContentKey.from_bytes(KAT["content_key"])
    sealed = SealedKey(KAT["iterations"], KAT["salt"], KAT["key_nonce"], unb64(KAT["sealed_key"]))
    with pytest.raises(WrongPassphrase):
        open_key(sealed, "correct horse battery stapler")
    file = SealedFile(unb64(KAT["file_nonce"]), unb64(KAT["ciphertext"]))
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
    sealed = SealedKey(iterations, KAT["salt"], KAT["key_nonce"], unb64(KAT["sealed_key"]))
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


def test_opaque_names_are_stable_and_say_nothing() -> None:
    content = ContentKey.generate()
    name = opaque_name(content, "dashboard/clients/acme-dental.html")
    assert name == opaque_name(content, "dashboard/clients/acme-dental.html")
    assert name != opaque_name(content, "dashboard/clients/acme-dentals.html")
    assert name.isalnum() and "acme" not in name and len(name) == 24


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
    with pytest.raises(RapportError, match="RAPPORT_DASHBOARD_PASSPHRASE has 5 characters; use at least 12"):
        dashboard_passphrase(data)
