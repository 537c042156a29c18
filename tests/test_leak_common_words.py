"""The leak gate's common words (generator/safety/leak_needles.py): the quick path gives what `words_of` gives."""

from __future__ import annotations

import pytest
from wordfreq import get_frequency_dict

from generator.safety.leak_needles import COMMON_ZIPF, _common_words_of, words_of


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_common_words_are_every_frequent_entry_as_words_of_writes_it(language: str) -> None:
    floor = 10 ** (COMMON_ZIPF - 9)
    expected = frozenset(word for text, frequency in get_frequency_dict(language, wordlist="small").items()
                         if frequency >= floor for word in words_of(text))
    found = _common_words_of(language)
    assert found == expected
    assert {"dental", "harbor"} <= _common_words_of("en") and "lumiere" not in _common_words_of("en")
