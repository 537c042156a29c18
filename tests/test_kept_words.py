"""The leak gate's common words, kept per user between builds (generator/safety/kept_words.py)."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pytest

from generator.safety.kept_words import HEADER, kept_words
from generator.safety.leak_needles import _common_words_of, _wordfreq_words

WORDFREQ = version("wordfreq")


@pytest.fixture(scope="module")
def english() -> frozenset[str]:
    """The common English words as wordfreq gives them (made without the kept file)."""
    return _wordfreq_words("en")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user cache folder of the test's own; the words file of English in it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _common_words_of.cache_clear()  # the process keeps the words too: ask the file each time
    return tmp_path / "cache" / "rapport" / "common-words" / f"en-wordfreq-{WORDFREQ}.txt"


def _never() -> frozenset[str]:
    raise AssertionError("wordfreq was asked although the words are kept")


def test_the_kept_words_are_wordfreq_words(cache: Path, english: frozenset[str]) -> None:
    assert not cache.exists()
    assert _common_words_of("en") == english
    assert cache.read_bytes().startswith(HEADER)
    assert "dental" in english and "harbor" in english  # words a client name may hold, common enough to skip
    assert kept_words("en", WORDFREQ, _never) == english  # read back from the file, not from wordfreq
    _common_words_of.cache_clear()
    assert _common_words_of("en") == english


def test_another_wordfreq_version_is_another_file(cache: Path, english: frozenset[str]) -> None:
    _common_words_of("en")
    assert kept_words("en", WORDFREQ + ".post1", lambda: frozenset({"other"})) == frozenset({"other"})
    assert kept_words("en", WORDFREQ, _never) == english
    assert sorted(path.name for path in cache.parent.iterdir()) == [f"en-wordfreq-{WORDFREQ}.post1.txt",
                                                                    f"en-wordfreq-{WORDFREQ}.txt"]


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "cut short": lambda raw: raw[: len(raw) // 2],
    "a word altered": lambda raw: raw[:-3] + b"zzz",
    "emptied": lambda raw: b"",
    "header only": lambda raw: HEADER,
    "not text": lambda raw: b"\xff\xfe\x00garbage" * 100,
    "an older format": lambda raw: raw.replace(b"words 1", b"words 0", 1),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_file_falls_back_to_wordfreq_silently_and_is_written_again(
        damage: str, cache: Path, english: frozenset[str], capsys: pytest.CaptureFixture[str]) -> None:
    _common_words_of("en")
    cache.write_bytes(DAMAGE[damage](cache.read_bytes()))
    _common_words_of.cache_clear()
    assert _common_words_of("en") == english
    assert capsys.readouterr() == ("", "")
    assert kept_words("en", WORDFREQ, _never) == english  # the file is whole again


def test_an_unreadable_file_falls_back_to_wordfreq_silently(
        cache: Path, english: frozenset[str], capsys: pytest.CaptureFixture[str]) -> None:
    cache.mkdir(parents=True)  # a folder where the file should be: reading and replacing it both fail
    assert _common_words_of("en") == english
    assert capsys.readouterr() == ("", "")
    assert cache.is_dir()


def test_a_cache_folder_open_to_others_is_not_used(cache: Path, english: frozenset[str]) -> None:
    cache.parent.mkdir(parents=True)
    cache.parent.chmod(0o777)  # another user could write words that would hide a client's name
    cache.write_bytes(HEADER)
    assert _common_words_of("en") == english
    assert cache.read_bytes() == HEADER  # neither read nor written


def test_a_language_that_is_no_file_name_is_not_kept(cache: Path) -> None:
    assert kept_words("../en", WORDFREQ, lambda: frozenset({"harbor"})) == frozenset({"harbor"})
    assert list(cache.parent.parent.parent.rglob("*")) == []  # nothing written, not even the folder
