"""The inbox and the survey answers as archives: one new answer changes the newest page and the
newest archive page, and a response keeps its anchor on its client page (issues #17 and #19).

docs/metrics.md ("How much a dashboard page shows") and docs/site-map.md give the rule: the newest
`page_size` answers on `inbox.html` (`answers.html`), the older ones in blocks of `page_size`
counted from the oldest, one archive page per block (`inbox-archive-<k>.html`).
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
from pathlib import Path

import pytest
import yaml

from generator.build import build_site
from generator.demo import write_demo
from generator.metrics.paging import archived
from generator.render.paging import archive_pages
from generator.speed import Speed
from generator.speed.output import MANIFEST
from tests.test_speed import pages_made

P = 4
PAGE_SIZE = 7  # small, so that a demo of 24 clients fills many archive pages and leaves the newest partial
ITEM = re.compile(r'<li class="inbox-item".*?</li>', re.S)
LINK = re.compile(r'<a href="([^"]+)" rel="(first|prev|next|last)">')
ANCHOR_ID = re.compile(r'<article class="response" id="([^"]*)"')
NEW_TEXT = "A brand new comment about the printer."
# the pages and exports that show a client's figures, besides its own page
FIGURES = re.compile(r"\.manifest\.json|dashboard/(index\.html|calendar(-\d+)?\.html|calendar\.ics|links\.csv|exports/[a-z0-9-]+\.csv"
                     r"|lists/[a-z-]+(-\d+)?\.html|clients/(index|page-\d+)\.html|surveys/annual-review\.html)")


def numbered(total: int) -> list[int]:
    """Entries 1 (oldest) … total, newest first, as the lists hold them."""
    return list(range(total, 0, -1))


@pytest.mark.parametrize(("total", "newest", "blocks"), [
    (0, [], []),
    (1, [1], []),
    (P, [4, 3, 2, 1], []),
    (P + 1, [5, 4, 3, 2], [[1]]),
    (2 * P + 3, [11, 10, 9, 8], [[4, 3, 2, 1], [7, 6, 5]]),
])
def test_the_newest_page_holds_the_newest_and_blocks_count_from_the_oldest(total: int, newest: list[int],
                                                                          blocks: list[list[int]]) -> None:
    cut = archived(numbered(total), P)
    assert cut.newest == newest
    assert cut.blocks == blocks
    assert cut.total == total


@pytest.mark.parametrize("size", [1, 3, 5])
def test_a_new_entry_changes_only_the_newest_block_and_every_entry_is_in_one_place(size: int) -> None:
    for total in range(4 * size + 2):
        before, after = archived(numbered(total), size), archived(numbered(total + 1), size)
        placed = before.newest + [entry for block in before.blocks for entry in block]
        assert sorted(placed) == list(range(1, total + 1))
        assert 1 + len(before.blocks) == max(1, -(-total // size))  # ceil(N / P) pages, at least one
        # every block but the newest keeps its members; the newest only grows, or a new one begins
        assert after.blocks[:max(0, len(before.blocks) - 1)] == before.blocks[:-1]
        if before.blocks:
            grown = after.blocks[len(before.blocks) - 1]
            assert grown[-len(before.blocks[-1]):] == before.blocks[-1]


def test_the_pager_links_newest_newer_older_oldest_by_fixed_names() -> None:
    made = archive_pages(numbered(2 * P + 3), P, "surveys/review/answers.html")
    assert [(pager.path, pager.block, chunk) for pager, chunk in made] == [
        ("surveys/review/answers.html", 0, [11, 10, 9, 8]),
        ("surveys/review/answers-archive-1.html", 1, [4, 3, 2, 1]),
        ("surveys/review/answers-archive-2.html", 2, [7, 6, 5]),
    ]
    links = {pager.block: pager.links for pager, _ in made}
    assert links[0] == (("Older page", "answers-archive-2.html", "next"), ("Oldest page", "answers-archive-1.html", "last"))
    assert links[2] == (("Newest page", "answers.html", "first"), ("Newer page", "answers.html", "prev"),
                        ("Older page", "answers-archive-1.html", "next"), ("Oldest page", "answers-archive-1.html", "last"))
    assert links[1] == (("Newest page", "answers.html", "first"), ("Newer page", "answers-archive-2.html", "prev"))
    oldest = made[1][0].html("Written answers", " (below the list)")
    assert oldest == (
        '<nav class="pager" aria-label="Written answers: pages (below the list)">\n'
        "<p>Archive page 1, counted from the oldest</p>\n"
        '<ul><li><a href="answers.html" rel="first">Newest page</a></li>'
        '<li><a href="answers-archive-2.html" rel="prev">Newer page</a></li></ul>\n</nav>\n')
    # one page: no pager at all
    assert str(archive_pages(numbered(P), P, "inbox.html")[0][0].html("Feedback inbox")) == ""


# ---------------------------------------------------------------- a built demo


def demo_data(folder: Path, page_size: int) -> Path:
    """A 24-client demo portfolio whose paged lists hold `page_size` entries a page."""
    write_demo(folder, clients=24, seed=11)
    settings = yaml.safe_load((folder / "site.yaml").read_text(encoding="utf-8"))
    settings["dashboards"] = {**settings.get("dashboards", {}), "page_size": page_size}
    (folder / "site.yaml").write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_SECRET", "archive-test-secret")
    monkeypatch.delenv("RAPPORT_DASHBOARD_PASSPHRASE", raising=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built with small pages; returns its dashboard folder."""
    root = tmp_path_factory.mktemp("archive")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAPPORT_SECRET", "archive-test-secret")
        patch.delenv("RAPPORT_DASHBOARD_PASSPHRASE", raising=False)
        build_site(demo_data(root / "project" / "data", PAGE_SIZE), root / "project" / "output")
    return root / "project" / "output" / "dashboard"


def walk(first: Path, rel: str) -> list[Path]:
    """The pages met by following the pager's `rel` link from `first` until there is none."""
    met = [first]
    while True:
        links = {kind: href for href, kind in LINK.findall(met[-1].read_text(encoding="utf-8"))}
        if rel not in links:
            return met
        following = met[-1].parent / links[rel]
        assert following not in met, f"{following.name} met twice"
        met.append(following)


def items(page: Path) -> list[str]:
    return ITEM.findall(page.read_text(encoding="utf-8"))


@pytest.mark.parametrize("newest", ["inbox.html", "surveys/annual-review/answers.html"])
def test_following_the_pager_meets_every_answer_once_in_order(built: Path, newest: str, tmp_path: Path) -> None:
    older = walk(built / newest, "next")
    stem = newest.removesuffix(".html")
    on_disk = {built / newest, *built.glob(f"{stem}-archive-*.html")}
    assert set(older) == on_disk and len(on_disk) > 3
    # the archive pages from the newest down, and back up again by the "newer" links
    assert [page.name for page in older[1:]] == [f"{Path(stem).name}-archive-{k}.html" for k in range(len(older) - 1, 0, -1)]
    assert walk(older[-1], "prev") == older[::-1]
    assert all(len(items(page)) == PAGE_SIZE for page in older[:1] + older[2:])  # only the newest block is partial
    # every answer once, in the order of the same list built on one page
    one_page = tmp_path / "one-page"
    build_site(demo_data(one_page / "data", 1000), one_page / "output")
    whole = items(one_page / "output" / "dashboard" / newest)
    assert [item for page in older for item in items(page)] == whole
    assert f"{len(whole)} " in (built / newest).read_text(encoding="utf-8")  # the newest page gives the total


def test_an_archive_page_says_nothing_that_the_next_answer_changes(built: Path) -> None:
    page = (built / "inbox-archive-2.html").read_text(encoding="utf-8")
    dates = [re.search(r'<time datetime="(\d{4}-\d\d-\d\d)">', item).group(1) for item in ITEM.findall(page)]
    span = f"{min(dates)} to {max(dates)}"
    assert f"<h1>Feedback inbox: {span}</h1>" in page
    assert f"<title>Feedback inbox: {span} (archive page 2) · " in page
    total = re.search(r"(\d+) answers: the newest", (built / "inbox.html").read_text(encoding="utf-8"))
    assert total and f"{total.group(1)} " not in page and "Page " not in page
    # the filters still come with each page, offering what the page holds
    assert '<form class="filters" id="inbox-filters"' in page and "assets/inbox.js" in page


def new_answer(data: Path) -> dict[str, str]:
    """Append a response with a written answer to the annual review, dated the report date; returns it."""
    path = data / "responses" / "annual-review.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    row = dict(zip(rows[0], rows[-1]))
    row.update(response_id="new-1", submitted_at="2026-11-30T09:00:00+00:00", improve=NEW_TEXT)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([row[column] for column in rows[0]])
    path.write_text(path.read_text(encoding="utf-8") + buffer.getvalue(), encoding="utf-8")
    return row


def digests(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def newest_archive(dashboard: Path, stem: str) -> str:
    """The path of the newest archive page of the list whose newest page is `<stem>.html`."""
    numbers = [int(p.stem.rsplit("-", 1)[1]) for p in dashboard.glob(f"{stem}-archive-*.html")]
    return f"dashboard/{stem}-archive-{max(numbers)}.html"


def anchors(page: Path) -> dict[str, str]:
    """Each response's anchor on a client page → its `<article>`."""
    source = page.read_text(encoding="utf-8")
    return {anchor: source[source.index(f'id="{anchor}"'):].split("</article>", 1)[0] for anchor in ANCHOR_ID.findall(source)}


def test_one_new_answer_rewrites_a_handful_of_named_files(tmp_path: Path) -> None:
    data = demo_data(tmp_path / "project" / "data", PAGE_SIZE)
    out = tmp_path / "project" / "output"
    build_site(data, out)
    before = digests(out)
    dashboard = out / "dashboard"
    archives_before = {newest_archive(dashboard, "inbox"), newest_archive(dashboard, "surveys/annual-review/answers")}
    client = new_answer(data)["client"]
    anchors_before = anchors(dashboard / "clients" / f"{client}.html")
    build_site(data, out)
    after = digests(out)
    changed = sorted(path for path in after.keys() | before.keys() if after.get(path) != before.get(path))
    archives_after = {newest_archive(dashboard, "inbox"), newest_archive(dashboard, "surveys/annual-review/answers")}
    # of the answer lists: the newest pages, and the newest archive page of each (and the one before it,
    # whose "newer" link moved, when the new answer began a block)
    listed = {"dashboard/inbox.html", "dashboard/surveys/annual-review/answers.html", *archives_before, *archives_after}
    assert {path for path in changed if re.search(r"/(inbox|answers)[-.]", path)} == listed
    assert [path for path in changed if re.fullmatch(r"dashboard/clients/(?!index|page-\d)[a-z0-9-]+\.html", path)] == [
        f"dashboard/clients/{client}.html"]
    assert not [path for path in changed if path.startswith("public/")]
    assert {"dashboard/surveys/annual-review.html", "dashboard/index.html"} <= set(changed)
    # the rest show the client's new figures (its survey is no longer due, its CSAT moved): one page of a list each
    others = [path for path in changed if path not in listed and path != f"dashboard/clients/{client}.html"]
    assert [path for path in others if not FIGURES.fullmatch(path)] == []
    assert len({re.sub(r"-\d+\.html$", ".html", path) for path in others}) == len(others)
    # the client's earlier responses keep their anchors, and the new one has its own
    anchors_after = anchors(dashboard / "clients" / f"{client}.html")
    assert anchors_after.items() >= anchors_before.items()
    assert len(anchors_after) == len(anchors_before) + 1
    assert NEW_TEXT in (dashboard / "inbox.html").read_text(encoding="utf-8")


def test_every_link_to_a_response_finds_it_and_anchors_are_unique(built: Path) -> None:
    ids: dict[str, set[str]] = {}
    for page in (built / "clients").glob("*.html"):
        found = ANCHOR_ID.findall(page.read_text(encoding="utf-8"))
        assert len(found) == len(set(found)), page.name
        assert all(re.fullmatch(r"response-[0-9a-f]{12}", anchor) for anchor in found)
        ids[page.stem] = set(found)
    linked = 0
    for page in [built / "inbox.html", *built.glob("inbox-archive-*.html"), *built.glob("surveys/**/*.html")]:
        for client, anchor in re.findall(r'href="(?:\.\./)*clients/([a-z0-9-]+)\.html#([^"]+)"', page.read_text(encoding="utf-8")):
            assert anchor in ids[client], (page.name, client, anchor)
            linked += 1
    assert linked > 100


def test_a_hostile_response_id_cannot_break_the_anchor(make_portfolio, tmp_path: Path) -> None:
    from tests.conftest import CLIENT

    hostile = '"><img src=x onerror=alert(1)> #top'
    data = make_portfolio(responses={"review": [
        {"response_id": hostile, "client": CLIENT["id"], "submitted_at": "2026-10-01T10:00:00+00:00", "overall": "2",
         "improve": "Answer the phone"},
        {"response_id": "plain-2", "client": CLIENT["id"], "submitted_at": "2026-10-02T10:00:00+00:00", "overall": "5"},
    ]})
    build_site(data, tmp_path / "output")
    dashboard = tmp_path / "output" / "dashboard"
    client_page = (dashboard / "clients" / f"{CLIENT['id']}.html").read_text(encoding="utf-8")
    found = ANCHOR_ID.findall(client_page)
    assert len(found) == 2 and all(re.fullmatch(r"response-[0-9a-f]{12}", anchor) for anchor in found)
    assert "<img" not in client_page
    inbox = (dashboard / "inbox.html").read_text(encoding="utf-8")
    fragment = re.search(rf'href="clients/{CLIENT["id"]}\.html#([^"]+)">', inbox)
    assert fragment and fragment.group(1) in found
    assert html.escape(hostile) not in inbox and hostile not in inbox


def test_the_filters_work_on_an_archive_page_and_a_response_link_lands_on_it(page, built: Path) -> None:
    from tests.conftest import serve_folder

    with serve_folder(built) as base:
        page.goto(base + "inbox-archive-2.html")
        page.wait_for_selector("#filter-client:enabled")
        total = page.locator("li.inbox-item").count()
        assert total == PAGE_SIZE
        client = page.locator("li.inbox-item").first.get_attribute("data-client")
        page.select_option("#filter-client", client)
        visible = page.locator("li.inbox-item:visible")
        assert 0 < visible.count() <= total
        assert all(item.get_attribute("data-client") == client for item in visible.all())
        assert page.locator("#inbox-count").inner_text() in (f"{total} answers", f"{visible.count()} of {total} answers match the filters")
        # the client link goes to that response on the client page
        link = visible.first.locator("a").first
        fragment = link.get_attribute("href").split("#", 1)[1]
        link.click()
        page.wait_for_url(f"**/clients/{client}.html#{fragment}")
        assert page.locator(f"article#{fragment}").count() == 1
        # and the pager leads back to the newest answers
        page.go_back()
        page.get_by_role("navigation", name="Feedback inbox: pages", exact=True).get_by_role("link", name="Newest page").click()
        page.wait_for_url("**/inbox.html")
    assert page.console_errors == []


def test_an_edited_old_answer_remakes_its_archive_pages_and_only_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = demo_data(tmp_path / "project" / "data", PAGE_SIZE)
    out = tmp_path / "project" / "output"
    build_site(data, out, speed=Speed.on(1))
    made = pages_made(monkeypatch)
    build_site(data, out, speed=Speed.on(1))
    assert not [path for path in made if "-archive-" in path]  # nothing changed: every archive page is reused
    # the oldest written answer of the annual review, edited in place: it lies in the oldest archive blocks
    path = data / "responses" / "annual-review.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    oldest = min((row for row in rows if row["improve"]), key=lambda row: row["submitted_at"])
    oldest["improve"] = "Edited later: the printer & the <b>router</b>."
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    build_site(data, out, speed=Speed.on(1))
    shown = "Edited later: the printer &amp; the &lt;b&gt;router&lt;/b&gt;."
    holding = sorted(page.relative_to(out / "dashboard").as_posix() for page in (out / "dashboard").rglob("*-archive-*.html")
                     if shown in page.read_text(encoding="utf-8"))
    assert [re.sub(r"-\d+\.html$", "", page) for page in holding] == ["inbox-archive", "surveys/annual-review/answers-archive"]
    assert sorted(path for path in made if "-archive-" in path) == holding
    plain = tmp_path / "plain"
    build_site(data, plain, speed=Speed.off())
    assert {name: digest for name, digest in digests(out).items() if name != MANIFEST} == digests(plain)
