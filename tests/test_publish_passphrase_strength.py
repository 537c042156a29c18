"""The dashboard passphrase is measured with zxcvbn (under 10¹⁰ guesses is refused), and `rapport passphrase new`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.errors import RapportError
from generator.safety.passphrase import dashboard_passphrase
from generator.safety.strength import MIN_GUESSES, new_passphrase, strength, word_list
from tests.conftest import REPO

ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def rapport(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, cwd=REPO,
                          env={**ENV, **(env or {})}, timeout=300, check=False)


@pytest.mark.parametrize("weak", ["password1234", "Password1234!", "qwertyuiopasdf", "aaaaaaaaaaaaaaaaaaaa", "correcthorse"])
def test_a_long_but_guessable_passphrase_is_refused_and_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, weak: str) -> None:
    monkeypatch.setenv("RAPPORT_DASHBOARD_PASSPHRASE", weak)
    with pytest.raises(RapportError) as raised:
        dashboard_passphrase(tmp_path)
    message = str(raised.value)
    assert message.startswith("the dashboard passphrase from RAPPORT_DASHBOARD_PASSPHRASE is too easy to guess")
    assert "guesses would find it, and at least 10,000,000,000 are needed because the encrypted pages stay public" in message
    assert message.endswith("run `rapport passphrase new` for six random words")


def test_password1234_names_zxcvbns_reason() -> None:
    found = strength("password1234")
    assert found.guesses < 10**5 and found.warning == "This is a very common password."


def test_the_passphrase_file_is_measured_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAPPORT_DASHBOARD_PASSPHRASE", raising=False)
    data = tmp_path / "data"
    data.mkdir()
    (tmp_path / ".rapport").mkdir()
    (tmp_path / ".rapport" / "dashboard-passphrase").write_text("letmein12345\n")
    with pytest.raises(RapportError, match=r"passphrase from .*\.rapport/dashboard-passphrase is too easy to guess \(this is similar to a commonly used password\): about 15,000 guesses"):
        dashboard_passphrase(data)


def test_six_random_words_pass() -> None:
    for _ in range(20):
        words = new_passphrase()
        assert len(words.split(" ")) == 6 and all(word in word_list() for word in words.split(" "))
        assert strength(words).guesses >= MIN_GUESSES


def test_the_word_list_is_the_eff_large_list() -> None:
    words = word_list()
    assert len(words) == 7776
    assert words[0] == "abacus" and words[-1] == "zoom" and "zoologist" in words


def test_passphrase_new_prints_six_random_words_and_how_strong_they_are() -> None:
    first, second = rapport("passphrase", "new"), rapport("passphrase", "new")
    assert first.returncode == 0 and second.returncode == 0
    assert first.stdout != second.stdout
    words = first.stdout.strip().split(" ")
    assert len(words) == 6 and set(words) <= set(word_list())
    assert first.stderr.startswith("6 words from a list of 7,776: about 78 bits.")
    assert rapport("passphrase", "new", "--words", "8").stdout.strip().count(" ") == 7
    refused = rapport("passphrase", "new", "--words", "4")
    assert refused.returncode == 2 and "4 is not in the range 6<=x<=20" in refused.stderr


def test_build_refuses_a_weak_passphrase_without_a_traceback(make_portfolio, tmp_path: Path) -> None:
    data = make_portfolio(site={"business": {"name": "Test IT"}, "dashboards": {"publish": "encrypted"}})
    result = rapport("build", "--data", str(data), "--out", str(tmp_path / "output"),
                     env={"RAPPORT_SECRET": "strength-test-secret", "RAPPORT_DASHBOARD_PASSPHRASE": "password1234"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "error: the dashboard passphrase from RAPPORT_DASHBOARD_PASSPHRASE is too easy to guess (this is a very common " \
           "password): about 11,384 guesses would find it" in result.stderr
    assert not (tmp_path / "output" / "public").exists()
