"""The leak gate on a rebuild: unchanged public files are read only for the needles added since they passed.

generator/safety/leak_passed.py keeps, in the memo, the public files that passed the last
build's needles; these tests show that a needle gained since is still found in such a file,
that a file changed since is read in full, and that a rebuild reads no more than it must.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from generator.build import build_site
from generator.demo import write_demo
from generator.safety import LeakError, leak_gate
from generator.safety.leak_needles import Needle
from generator.speed import Speed
from tests.conftest import secret_env_fixture
from tests.test_speed import append_row

SECRET = "test-secret-for-the-leak-gate-on-rebuilds"


secret_env = secret_env_fixture(SECRET)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A demo portfolio in tmp_path/project/data."""
    folder = tmp_path / "project" / "data"
    write_demo(folder, clients=12, seed=5)
    return folder


def automatons(monkeypatch: pytest.MonkeyPatch) -> list[list[Needle]]:
    """The needles of every automaton the gate builds from now on (in this process)."""
    built: list[list[Needle]] = []
    original = leak_gate.WordAutomaton

    def recording(needles: list[Needle]) -> leak_gate.WordAutomaton:
        built.append(list(needles))
        return original(needles)

    monkeypatch.setattr(leak_gate, "WordAutomaton", recording)
    return built


def rename_first_client(data: Path, name: str) -> None:
    text = (data / "clients.yaml").read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.startswith("  name: "))
    (data / "clients.yaml").write_text(text.replace(first, f"  name: {name}", 1), encoding="utf-8")


def append_answer(data: Path, text: str) -> None:
    """Append a copy of the last answer to the annual review, with a new id and comment."""
    path = data / "responses" / "annual-review.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    row = dict(zip(rows[0], rows[-1]))
    row.update(response_id="new-1", improve=text)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([row[column] for column in rows[0]])
    path.write_text(path.read_text(encoding="utf-8") + buffer.getvalue(), encoding="utf-8")


def files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_client_renamed_to_words_of_an_unchanged_public_page_stops_the_rebuild(
    data: Path, tmp_path: Path, workers: int,
) -> None:
    out = data.parent / "output"
    build_site(data, out, speed=Speed.on(workers))
    before = files(out)
    assert "Managed support agreement" in (out / "public" / "services" / "index.html").read_text(encoding="utf-8")
    # the public pages do not change with a client's name: they are the last build's, which passed
    rename_first_client(data, "Managed Support Agreement")
    with pytest.raises(LeakError) as raised:
        build_site(data, out, speed=Speed.on(workers))
    assert "  public/services/index.html: client name (made from pages/services.md)" in str(raised.value).splitlines()
    assert files(out) == before  # nothing written
    plain = tmp_path / "plain"
    with pytest.raises(LeakError) as plainly:
        build_site(data, plain, speed=Speed.off())
    assert str(plainly.value) == str(raised.value)
    # and the gate stays shut on the next try, though the memo knows those files passed once
    with pytest.raises(LeakError):
        build_site(data, out, speed=Speed.on(workers))


def test_a_rebuild_reads_unchanged_public_files_for_the_new_needles_only(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = data.parent / "output"
    build_site(data, out, speed=Speed.on(1))
    built = automatons(monkeypatch)
    build_site(data, out, speed=Speed.on(1))  # nothing new (the output is rebuilt, not skipped: build_site is called)
    assert built == []
    append_answer(data, "The quillon brackwater invoices arrived late.")
    build_site(data, out, speed=Speed.on(1))
    # one automaton, of the needles the new answer brings (and none of the others)
    assert [[(needle.kind, " ".join(needle.words)) for needle in needles] for needles in built] == [
        [("free-text answer", "the quillon brackwater invoices arrived late")]]


def test_a_changed_public_page_is_read_for_every_needle(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = data.parent / "output"
    build_site(data, out, speed=Speed.on(1))
    built = automatons(monkeypatch)
    page = data / "pages" / "services.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    build_site(data, out, speed=Speed.on(1))
    assert len(built) == 1 and len(built[0]) > 100  # every needle of twelve clients
    # a client's name written into the page is found there
    first_name = next(line for line in (data / "clients.yaml").read_text(encoding="utf-8").splitlines()
                      if line.startswith("  name: "))[len("  name: "):].strip().strip("'\"")
    page.write_text(page.read_text(encoding="utf-8") + f"\nAsk {first_name}.\n", encoding="utf-8")
    with pytest.raises(LeakError) as raised:
        build_site(data, out, speed=Speed.on(1))
    assert "  public/services/index.html: client name (made from pages/services.md)" in str(raised.value).splitlines()


def test_the_needles_kept_in_the_memo_are_the_ones_made_afresh(data: Path) -> None:
    # the client records' needles and the business's own words are kept between builds; what a rebuild
    # takes from the memo after a change must be exactly what a build without one makes
    from generator.keys import site_secret
    from generator.load import load_portfolio
    from generator.memo import NO_MEMO
    from generator.safety.leak_needles import make_needles, words_of
    from generator.speed.cache import DiskMemo

    def needles(memo: DiskMemo | None) -> list[tuple[str, str, str]]:
        portfolio = load_portfolio(data, memo=memo or NO_MEMO)
        made = make_needles(portfolio, site_secret(data), memo or NO_MEMO)
        if memo is not None:
            memo.flush()
        return [(needle.kind, " ".join(needle.words), needle.owner) for needle in made]

    memo = DiskMemo.for_data(data)
    assert needles(memo) == needles(None)
    rename_first_client(data, "Quillon Brackwater Partners")
    # a sentence of the business's own survey (not looked for), and one of the client's own
    survey = (data / "surveys" / "annual-review.yaml").read_text(encoding="utf-8")
    label = next(line for line in survey.splitlines() if line.strip().startswith("label: "))
    own = label.split("label: ", 1)[1].strip().strip("'\"")
    append_answer(data, f"{own}\nThe quillon invoices arrived late.")
    again = needles(memo)
    assert again == needles(None)
    found = {(kind, words) for kind, words, _ in again}
    assert ("client name", "quillon brackwater partners") in found
    assert ("free-text answer", "the quillon invoices arrived late") in found
    assert len(own) >= 12 and ("free-text answer", " ".join(words_of(own))) not in found


def test_the_needles_held_between_builds_are_the_ones_made_afresh(data: Path) -> None:
    # `rapport serve`'s builder holds the last build's needles while their inputs are the same: a response without a new
    # text gives the very list again; a new text, note, name or page gives the needles a build without a memo makes
    from generator.keys import site_secret
    from generator.load import load_portfolio
    from generator.memo import NO_MEMO
    from generator.safety.leak_gate import LeakGate
    from generator.safety.leak_needles import make_needles
    from generator.speed.cache import Kept

    out, kept = data.parent / "output", Kept()

    def held() -> list[Needle]:
        values: list[object] = []
        build_site(data, out, speed=Speed.on(1, kept=kept), keep=values)
        return next(value for value in values if isinstance(value, LeakGate)).private

    def fresh() -> set[Needle]:
        return set(make_needles(load_portfolio(data), site_secret(data), NO_MEMO))

    answers = data / "responses" / "annual-review.csv"
    first = held()
    append_row(answers, lambda row: row.update(response_id="same-text"))  # a response with a text given before
    assert held() is first
    append_row(answers, lambda row: row.update(response_id="new-text", improve="The quillon invoices arrived late."))
    assert set(again := held()) == fresh() and again is not first
    assert ("free-text answer", ("the", "quillon", "invoices", "arrived", "late")) in {(n.kind, n.words) for n in again}
    append_row(data / "contacts.csv", lambda row: row.update(note="Rewired the brackwater server closet."))
    assert set(held()) == fresh()
    rename_first_client(data, "Quillon Brackwater Partners")
    assert set(held()) == fresh()
    page = data / "pages" / "services.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nThe quillon brackwater invoices arrived late.\n", encoding="utf-8")
    assert set(held()) == fresh()


def test_a_rebuild_holding_its_needles_still_stops_a_leak(data: Path, tmp_path: Path) -> None:
    from generator.speed.cache import Kept

    out, kept = data.parent / "output", Kept()
    build_site(data, out, speed=Speed.on(1, kept=kept))
    append_row(data / "responses" / "annual-review.csv", lambda row: row.update(response_id="same-text"))
    build_site(data, out, speed=Speed.on(1, kept=kept))  # the needles held, the public files read for none
    rename_first_client(data, "Managed Support Agreement")
    with pytest.raises(LeakError) as raised:
        build_site(data, out, speed=Speed.on(1, kept=kept))
    assert "  public/services/index.html: client name (made from pages/services.md)" in str(raised.value).splitlines()
    with pytest.raises(LeakError):
        build_site(data, out, speed=Speed.on(1, kept=kept))
