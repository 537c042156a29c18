"""The leak gate's word matcher: looking needles up finds what the automaton finds, in the same order."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from generator.safety import word_automaton
from generator.safety.word_automaton import WordAutomaton


@dataclass(frozen=True)
class Key:
    words: tuple[str, ...]
    key: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", "".join(self.words))


def hits(automaton: WordAutomaton, words: list[str]) -> list[tuple[int, int, object]]:
    return [(first, after, id(needle)) for first, after, needle in automaton.find(words)]


def test_looking_up_finds_what_the_automaton_finds() -> None:
    chance = random.Random(17)
    letters = "abc"  # few letters: many needles overlap, share heads and run across words
    for _ in range(300):
        needles = [Key(tuple("".join(chance.choice(letters) for _ in range(chance.randint(1, 6)))
                             for _ in range(chance.randint(1, 4)))) for _ in range(chance.randint(1, 40))]
        needles += [Key(("",)), needles[0]]  # an empty needle is never found; one listed twice is found twice
        words = ["".join(chance.choice(letters) for _ in range(chance.randint(0, 5))) for _ in range(chance.randint(0, 60))]
        made = WordAutomaton(needles)
        made.make()
        looked = WordAutomaton(needles)
        assert hits(looked, words) == hits(made, words), (needles, words)
        assert looked._automaton is None or len(words) > len(looked._grouped) * word_automaton.WORDS_PER_NEEDLE


def test_the_automaton_is_made_once_the_lookups_have_read_enough_words() -> None:
    needles = [Key(("bay", "view")), Key(("harbor",))]
    automaton = WordAutomaton(needles)
    text = ["the", "bay", "view", "office"]
    read = 0
    while automaton._automaton is None:
        assert [(first, after) for first, after, _ in automaton.find(text)] == [(1, 3)]
        read += len(text)
    assert read > 2 * word_automaton.WORDS_PER_NEEDLE - len(text)
    assert [(first, after) for first, after, _ in automaton.find(["Bay", "bayview", "harbor"])] == [(1, 2), (2, 3)]
