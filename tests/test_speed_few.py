"""A rebuild after a change to a few clients' data is made in one process (generator/speed/__init__.py).

A fork of a process the size of a build costs it a page fault for every page it writes
afterwards; a rebuild that makes a few dozen pages gains less than that from a second process.
The choice changes where pages are made, never their bytes (tests/test_speed.py).
"""

from __future__ import annotations

from pathlib import Path

from generator.build import build_site
from generator.load import load_portfolio
from generator.speed import FEW_CLIENTS, Speed
from generator.speed.fingerprints import page_digests
from generator.templates import make_environment
from tests.conftest import demo_data_fixture
from tests.test_speed import SECRET, append_row, new_response

data = demo_data_fixture(SECRET, 2 * FEW_CLIENTS + 4, seed=3)


def few_changed(data: Path, out: Path, speed: Speed, shared: bytes | None = None) -> bool:
    """Whether a build of data into out now would be made in one process as a small rebuild (and with `shared`)."""
    session = speed.session(data, out)
    portfolio = load_portfolio(data, None, session.memo)
    if shared is None:
        digests = page_digests(portfolio, make_environment(None))
        assert digests is not None
        shared = digests.shared
    return session._few_changed(portfolio, shared)


def test_only_a_rebuild_after_a_change_to_few_clients_data_and_nothing_shared_is_small(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert not few_changed(data, out, Speed.on()), "a first build: nothing to compare with"
    build_site(data, out)
    assert few_changed(data, out, Speed.on()), "nothing changed"
    new_response(data)
    assert few_changed(data, out, Speed.on()), "one new response: one client's data"
    assert not few_changed(data, out, Speed.on(), shared=b"other templates"), "every page is made again"
    assert not few_changed(data, out, Speed.on(workers=2)), "workers chosen by the caller are used as they are"
    assert not few_changed(data, tmp_path / "elsewhere", Speed.on()), "another output folder: a first build there"
    contacts = data / "contacts.csv"
    ids = sorted({line.split(",")[1] for line in contacts.read_text(encoding="utf-8").splitlines()[1:]})
    for client in ids[:FEW_CLIENTS + 1]:  # an import: a visit for more clients than a small rebuild changes
        append_row(contacts, lambda row, client=client: row.update(client=client))
    assert not few_changed(data, out, Speed.on())


def test_the_sizes_and_times_recorded_after_a_small_rebuild_are_the_files_own(data: Path) -> None:
    from generator.speed.cache import DiskMemo
    from generator.speed.output import Previous

    out = data.parent / "output"
    build_site(data, out)
    new_response(data)
    assert build_site(data, out).written  # a few pages made, the rest taken from the last build unread
    previous = Previous.read(out)
    stamps = DiskMemo.for_data(data).get("output-stamps", [str(out.resolve()).encode(), previous.digest.encode()])
    assert stamps and stamps.keys() == previous.inputs.keys()
    assert stamps == {path: ((out / path).stat().st_size, (out / path).stat().st_mtime_ns) for path in stamps}
