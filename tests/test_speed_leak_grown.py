"""The leak gate in `rapport serve` after responses with new texts: the held needles grow by the new texts' needles.

generator/safety/leak_grown.py extends the last build's needles, and leak_passed.py their hashes, rather than
making them again; these tests show that the grown needles and hashes are exactly those a clean computation
makes, whatever the new texts are, and that a new answer found in a public page stops the rebuild as a
clean build is stopped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from generator.build import build_site
from generator.keys import site_secret
from generator.load import load_portfolio
from generator.memo import NO_MEMO
from generator.safety import LeakError, leak_needles, leak_passed
from generator.safety.leak_gate import LeakGate
from generator.speed import Speed
from generator.speed.cache import DiskMemo, Kept
from generator.templates import BUILTIN_TEMPLATES
from tests.test_speed import append_row
from tests.test_speed_leak_gate import data, files, secret_env  # noqa: F401 - fixtures

ANSWERS = "responses/annual-review.csv"


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many times the needles were made from all their texts (not grown) since the test began."""
    calls = [0]
    original = leak_needles._needles_of

    def counted(*args: object, **kwargs: object) -> object:
        calls[0] += 1
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(leak_needles, "_needles_of", counted)
    yield calls


def answer(data: Path, number: int, text: str) -> None:
    """A new response to the annual review, its comment `text`."""
    append_row(data / ANSWERS, lambda row: row.update(response_id=f"grown-{number}", improve=text))


def described(needles: list[leak_needles.Needle]) -> list[tuple[str, tuple[str, ...], str]]:
    """The needles as what makes them up, sorted: equal lists of equal needles, repeats counted."""
    return sorted((needle.kind, needle.words, needle.owner) for needle in needles)


def test_grown_needles_and_hashes_are_the_ones_made_afresh(data: Path, made: list[int]) -> None:
    out, kept = data.parent / "output", Kept()

    remade: list[int] = []  # per warm build: whether its needles were made again (not held or grown)

    def warm() -> LeakGate:
        values: list[object] = []
        before = made[0]
        build_site(data, out, speed=Speed.on(1, kept=kept), keep=values)
        remade.append(made[0] - before)
        return next(value for value in values if isinstance(value, LeakGate))

    def check(gate: LeakGate) -> None:
        fresh = leak_needles.make_needles(load_portfolio(data), site_secret(data), NO_MEMO)
        assert described(gate.private) == described(fresh)
        # the hashes held for the next build are those of the needles; sorted and distinct, a clean gate's
        memo = DiskMemo.for_data(data, kept)
        assert memo.held(leak_passed.HASHES, [])[0] is gate.private
        own = leak_passed._held_hashes(memo, gate.private).own
        assert np.array_equal(own, leak_passed._hashes(gate.private))
        assert np.array_equal(gate.passed.hashes, np.unique(leak_passed._hashes(fresh)))

    first = warm()
    answer(data, 1, "The quillon invoices arrived late. Brackwater fixed the printer on Tuesday.")
    grown = warm()
    assert remade[-1] == 0 and len(grown.private) == len(first.private) + 3  # the text and its two sentences
    check(grown)
    assert {" ".join(needle.words) for needle in grown.passed.added} == {
        "the quillon invoices arrived late brackwater fixed the printer on tuesday",
        "the quillon invoices arrived late", "brackwater fixed the printer on tuesday"}
    # a sentence given before, with a new one: only the new one is added
    answer(data, 2, "The quillon invoices arrived late.\nWe would like a second visit each month.")
    check(warm())
    assert remade[-1] == 0
    # a sentence of the business's own survey is no needle, grown or not
    survey = (data / "surveys" / "annual-review.yaml").read_text(encoding="utf-8")
    label = next(line for line in survey.splitlines() if line.strip().startswith("label: "))
    own = label.split("label: ", 1)[1].strip().strip("'\"")
    answer(data, 3, f"{own}\nThe brackwater router blinks amber.")
    gate = warm()
    check(gate)
    assert remade[-1] == 0 and " ".join(leak_needles.words_of(own)) not in {" ".join(n.words) for n in gate.private}
    # a contact note's words in a new answer would make that needle a free-text answer's: made again
    with (data / "contacts.csv").open(encoding="utf-8", newline="") as contacts:
        note = next(row["note"] for row in csv.DictReader(contacts) if len(row["note"]) >= 20)
    answer(data, 4, note)
    check(warm())
    assert remade[-1] == 1
    # an answer's words in a new contact note stay the answer's: grown, with nothing added
    append_row(data / "contacts.csv", lambda row: row.update(note="The quillon invoices arrived late."))
    check(warm())
    assert remade[-1] == 0
    # a response taken away: made again
    (data / ANSWERS).write_text("".join((data / ANSWERS).read_text(encoding="utf-8").splitlines(keepends=True)[:-1]),
                                encoding="utf-8")
    check(warm())
    assert remade[-1] == 1


@pytest.mark.parametrize("when", ["page changed after", "answer after"])
def test_a_new_answer_in_a_public_page_stops_the_warm_rebuild_as_a_clean_build(
    data: Path, tmp_path: Path, made: list[int], when: str,
) -> None:
    # a template of the business's own (not the built-in ones, whose texts are never looked for) shows a phrase that
    # a new answer then gives, or that the page is made to show once the answer was held: either way a leak
    out, kept = data.parent / "output", Kept()
    templates = tmp_path / "templates"
    templates.mkdir()
    thanks = (BUILTIN_TEMPLATES / "thanks.html").read_text(encoding="utf-8")
    phrase = "Like the quillon brackwater invoices, you can close this page."
    leaking = thanks.replace('{{ t("thanks.close") }}', phrase)
    (templates / "thanks.html").write_text(leaking if when == "answer after" else thanks, encoding="utf-8")

    def warm() -> None:
        build_site(data, out, templates_dir=templates, speed=Speed.on(1, kept=kept))

    warm()
    answer(data, 1, "The printer by reception jams every morning.")
    warm()  # grown: the public files read again for the new needles only
    before = files(out)
    made[0] = 0
    answer(data, 2, "Quillon brackwater invoices!")
    if when == "page changed after":
        warm()  # the needle is held, the page does not show it yet
        before = files(out)
        (templates / "thanks.html").write_text(leaking, encoding="utf-8")
    with pytest.raises(LeakError) as raised:
        warm()
    assert made[0] == 0  # the needles were grown, not made again
    assert "  public/thanks/index.html: free-text answer" in str(raised.value).splitlines()
    assert files(out) == before  # nothing written
    with pytest.raises(LeakError) as clean:
        build_site(data, tmp_path / "clean", templates_dir=templates, speed=Speed.off())
    assert str(clean.value) == str(raised.value)
    with pytest.raises(LeakError):  # and the gate stays shut on the next try
        warm()

