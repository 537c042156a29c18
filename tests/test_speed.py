"""The speed layer: the same bytes as the plain path, cold and after every kind of change.

A plain build (`Speed.off()`) makes every page in one process and writes every file afresh.
A clean build is a build of a copy of the data in a new project folder with speed on: no
previous output and no memo. Every kind of change a consultant makes is applied to a built
portfolio, the portfolio is rebuilt over its output, and the trees are compared byte for byte:
with the plain build (the site), and with a clean build (the manifest included).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from generator.build import build_site
from generator.demo import write_demo
from generator.files import BuiltFile, KeptFile, OutputFile, StagedFile
from generator.load import load_portfolio
from generator.speed import Speed
from generator.speed.cache import DiskMemo
from generator.speed.output import MANIFEST, OutputWriter, Previous
from generator.write import WriteResult
from tests.conftest import secret_env_fixture

REPO = Path(__file__).resolve().parent.parent
SECRET = "test-secret-for-incremental-builds"
CLIENTS = 24


secret_env = secret_env_fixture(SECRET)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A demo portfolio in tmp_path/project/data."""
    folder = tmp_path / "project" / "data"
    write_demo(folder, clients=CLIENTS, seed=11)
    return folder


def tree(folder: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under folder, the manifest included."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def site(folder: Path) -> dict[str, str]:
    """The tree without the speed layer's manifest."""
    return {path: digest for path, digest in tree(folder).items() if path != MANIFEST}


def plain_build(data: Path, tmp_path: Path, **options) -> dict[str, str]:
    """The site the plain path makes of the same data: no memo, no reuse, one process."""
    out = tmp_path / "plain"
    shutil.rmtree(out, ignore_errors=True)
    build_site(data, out, speed=Speed.off(), **options)
    return tree(out)


def write_output(files: list[BuiltFile], out: Path) -> WriteResult:
    """Write files as a sped-up build does: only what changed, with a manifest."""
    writer = OutputWriter(out)
    writer.add(files)
    return writer.commit()


def stamps(folder: Path) -> dict[str, int]:
    return {path.relative_to(folder).as_posix(): path.stat().st_mtime_ns
            for path in folder.rglob("*") if path.is_file() and path.name != MANIFEST}


def clean_build(data: Path, tmp_path: Path, **options) -> dict[str, str]:
    """The tree a first build of the same data makes: a copy in a new project, no output, no cache."""
    copy = tmp_path / "clean" / "data"
    shutil.rmtree(copy.parent, ignore_errors=True)
    shutil.copytree(data, copy)
    build_site(copy, copy.parent / "output", **options)
    return tree(copy.parent / "output")


def append_row(path: Path, change: Callable[[dict[str, str]], None]) -> None:
    """Append a copy of the file's last row, changed."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    row = dict(zip(rows[0], rows[-1]))
    change(row)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([row[column] for column in rows[0]])
    path.write_text(path.read_text(encoding="utf-8") + buffer.getvalue(), encoding="utf-8")


def new_response(data: Path) -> None:
    append_row(data / "responses" / "annual-review.csv", lambda row: row.update(
        response_id="new-1", submitted_at="2026-11-30T09:00:00+00:00", improve="A brand new comment about the printer."))


def new_contact(data: Path) -> None:
    append_row(data / "contacts.csv", lambda row: row.update(date="2026-11-29", kind="onsite", note="Fixed the router"))


def renamed_client(data: Path) -> None:
    text = (data / "clients.yaml").read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.startswith("  name: "))
    (data / "clients.yaml").write_text(text.replace(first, "  name: Renamed & Sons", 1), encoding="utf-8")


def ended_client(data: Path) -> None:
    text = (data / "clients.yaml").read_text(encoding="utf-8")
    # the first record that has no end date yet: its survey pages go, and their folders
    records = text.split("\n- ")
    index = next(k for k, record in enumerate(records) if "ended:" not in record and k > 0)
    records[index] = records[index].rstrip("\n") + "\n  ended: 2026-01-31\n"
    (data / "clients.yaml").write_text("\n- ".join(records), encoding="utf-8")


def relabelled_question(data: Path) -> None:
    path = data / "surveys" / "annual-review.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("label: Overall, how satisfied", "label: All in all, how satisfied", 1), encoding="utf-8")


def edited_page(data: Path) -> None:
    path = data / "pages" / "services.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")


def new_target(data: Path) -> None:
    path = data / "site.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("onsite_min_per_month: 1", "onsite_min_per_month: 2"),
                    encoding="utf-8")


CHANGES = {
    "a new response": new_response, "a new contact": new_contact, "a client renamed": renamed_client,
    "a client ended": ended_client, "a survey question relabelled": relabelled_question,
    "a page edited": edited_page, "a target changed": new_target,
}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_rebuild_after_a_new_response_rewrites_few_files_and_equals_a_clean_build(
    data: Path, tmp_path: Path, workers: int,
) -> None:
    out = data.parent / "output"
    first = build_site(data, out, speed=Speed.on(workers))
    assert first.written == first.files
    before = stamps(out)
    new_response(data)
    answered = list(csv.DictReader(io.StringIO((data / "responses" / "annual-review.csv").read_text(encoding="utf-8"))))[-1]
    again = build_site(data, out, speed=Speed.on(workers))
    after = stamps(out)
    unchanged = [path for path in before if after.get(path) == before[path]]
    assert len(unchanged) == again.files - again.written  # only the rewritten files have a new time
    changed = sorted(path for path in after if after[path] != before.get(path))
    assert 0 < again.written == len(changed)
    # the public site shows no response; of the client pages, only the one who answered changed
    assert not [path for path in changed if path.startswith("public/")]
    assert [path for path in changed if path.startswith("dashboard/clients/") and path != "dashboard/clients/index.html"] == [
        f"dashboard/clients/{answered['client']}.html"]
    assert "public/404.html" in unchanged and "dashboard/assets/plotly.min.js" in unchanged
    assert tree(out) == clean_build(data, tmp_path, speed=Speed.on(workers))
    assert site(out) == plain_build(data, tmp_path)


def test_speed_on_and_off_give_the_same_bytes_cold(data: Path, tmp_path: Path) -> None:
    out = data.parent / "output"
    build_site(data, out, speed=Speed.on(2))
    assert (out / MANIFEST).is_file() and (data.parent / ".rapport" / "cache").is_dir()
    plain = plain_build(data, tmp_path)
    assert MANIFEST not in plain, "the plain path keeps no manifest"
    assert site(out) == plain and len(plain) > CLIENTS


@pytest.mark.parametrize("change", CHANGES)
def test_every_kind_of_change_rebuilds_to_exactly_a_clean_and_a_plain_build(data: Path, tmp_path: Path, change: str) -> None:
    out = data.parent / "output"
    build_site(data, out)
    CHANGES[change](data)
    build_site(data, out)
    assert tree(out) == clean_build(data, tmp_path)
    assert site(out) == plain_build(data, tmp_path)


def test_a_new_report_date_and_new_templates_rebuild_every_page_they_touch(data: Path, tmp_path: Path) -> None:
    import datetime as dt

    out = data.parent / "output"
    build_site(data, out)
    build_site(data, out, as_of=dt.date(2026, 12, 15))
    assert tree(out) == clean_build(data, tmp_path, as_of=dt.date(2026, 12, 15))
    mine = tmp_path / "templates"
    mine.mkdir()
    base = Path(__file__).resolve().parent.parent / "site_templates" / "_base_dashboard.html"
    (mine / "_base_dashboard.html").write_text(base.read_text(encoding="utf-8").replace("· Rapport", "· Mine"), encoding="utf-8")
    result = build_site(data, out, templates_dir=mine)
    assert result.written > CLIENTS  # every client page changed with its layout
    assert tree(out) == clean_build(data, tmp_path, templates_dir=mine)


def pages_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The dashboard pages made from now on (their paths, in order): every page goes through DashboardSite.page."""
    from generator.render import dashboard_common

    made: list[str] = []
    original = dashboard_common.DashboardSite.page

    def counting(self, template, path, current, **context):
        made.append(path)
        return original(self, template, path, current, **context)

    monkeypatch.setattr(dashboard_common.DashboardSite, "page", counting)
    return made


def test_unchanged_client_pages_are_reused_not_made_again(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = data.parent / "output"
    build_site(data, out, speed=Speed.on(1))
    made = pages_made(monkeypatch)
    new_response(data)
    build_site(data, out, speed=Speed.on(1))
    # of the client pages, one is made (the client index's pages: test_list_pages_whose_rows_did_not_change_are_reused)
    client_pages = [path for path in made if path.startswith("clients/") and not re.fullmatch(r"clients/(index|page-\d+)\.html", path)]
    assert len(client_pages) == 1  # the client who answered


def test_list_pages_whose_rows_did_not_change_are_reused(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site_yaml = data / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace("dashboards:\n", "dashboards:\n  page_size: 5\n"),
                         encoding="utf-8")
    out = data.parent / "output"
    build_site(data, out, speed=Speed.on(1))
    index_pages = sorted(path.name for path in (out / "dashboard" / "clients").glob("*.html")
                         if re.fullmatch(r"index|page-\d+", path.stem))
    assert len(index_pages) == 5  # 24 clients, 5 a page
    made = pages_made(monkeypatch)
    new_response(data)
    answered = list(csv.DictReader(io.StringIO((data / "responses" / "annual-review.csv").read_text(encoding="utf-8"))))[-1]
    build_site(data, out, speed=Speed.on(1))
    # of the client index, only the page listing the client who answered is made again
    holding = [name for name in index_pages
               if f'clients/{answered["client"]}.html"' in (out / "dashboard" / "clients" / name).read_text(encoding="utf-8")]
    assert [path for path in made if re.fullmatch(r"clients/(index|page-\d+)\.html", path)] == [f"clients/{name}" for name in holding]
    assert len(holding) == 1
    assert tree(out) == clean_build(data, tmp_path, speed=Speed.on(1))
    assert site(out) == plain_build(data, tmp_path)


def test_the_calendar_is_reused_while_its_events_stay_the_same(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = data.parent / "output"
    build_site(data, out, speed=Speed.on(1))
    calendar = sorted(path for path in tree(out) if path.startswith("dashboard/calendar"))
    assert "dashboard/calendar.ics" in calendar and "dashboard/calendar.html" in calendar
    made = pages_made(monkeypatch)
    before = stamps(out)
    # an e-mail moves no date of the calendar (surveys, renewals, on-site visits): its files stay as they were
    append_row(data / "contacts.csv", lambda row: row.update(date="2026-11-29", kind="email", note="Sent the report"))
    build_site(data, out, speed=Speed.on(1))
    assert made and not [path for path in made if path.startswith("calendar")]
    assert {path: stamps(out)[path] for path in calendar} == {path: before[path] for path in calendar}
    assert tree(out) == clean_build(data, tmp_path, speed=Speed.on(1))
    # a renamed client is in the calendar's events: it is made again
    renamed_client(data)
    build_site(data, out, speed=Speed.on(1))
    assert "calendar.html" in made
    assert "Renamed &amp; Sons" in "".join((out / path).read_text(encoding="utf-8") for path in calendar if path.endswith(".html"))
    assert tree(out) == clean_build(data, tmp_path, speed=Speed.on(1))
    assert site(out) == plain_build(data, tmp_path)


def test_a_file_edited_by_hand_is_made_again(data: Path, tmp_path: Path) -> None:
    out = data.parent / "output"
    build_site(data, out)
    page = next((out / "dashboard" / "clients").iterdir())
    page.write_bytes(page.read_bytes().replace(b"<h1>", b"<h1>edited "))
    build_site(data, out)
    assert tree(out) == clean_build(data, tmp_path)


def test_an_untouched_page_is_reused_unread_and_a_touched_one_is_checked_first(data: Path) -> None:
    out = data.parent / "output"
    build_site(data, out)
    previous = Previous.read(out)
    stamps = DiskMemo.for_data(data).get("output-stamps", [str(out.resolve()).encode(), previous.digest.encode()])
    previous = previous.with_stamps(stamps)
    pages = sorted(path for path in previous.inputs if path.startswith("dashboard/clients/"))
    assert len(stamps) == len(previous.inputs) and pages
    untouched, touched, edited = pages[:3]
    kept = previous.reuse(untouched, previous.inputs[untouched])
    assert isinstance(kept, KeptFile) and kept.content == (out / untouched).read_bytes()
    os.utime(out / touched, ns=(1, 1))  # the same bytes, another time: read and checked against the manifest
    checked = previous.reuse(touched, previous.inputs[touched])
    assert isinstance(checked, OutputFile) and checked.sha256 == previous.files[touched]
    text = (out / edited).read_bytes()
    (out / edited).write_bytes(text.replace(b"<h1>", b"<h2>", 1))  # the same size, other bytes: made again
    os.utime(out / edited, ns=(2, 2))  # saved by an editor later (a clock tick may be coarser than this test)
    assert previous.reuse(edited, previous.inputs[edited]) is None


def test_a_file_that_is_not_the_builds_is_removed(data: Path, tmp_path: Path) -> None:
    out = data.parent / "output"
    build_site(data, out)
    (out / "public" / "stray.html").write_text("not ours", encoding="utf-8")
    build_site(data, out)
    assert tree(out) == clean_build(data, tmp_path)


def test_a_build_that_died_while_moving_files_in_is_followed_by_a_full_write(data: Path, tmp_path: Path) -> None:
    out = data.parent / "output"
    build_site(data, out)
    (out / MANIFEST).unlink()  # what a build leaves when it dies half way through its last step
    page = next((out / "dashboard" / "clients").iterdir())
    page.write_bytes(b"half written")
    result = build_site(data, out)
    assert result.written == result.files
    assert tree(out) == clean_build(data, tmp_path)


def in_fresh_process(code: str, *args: str) -> None:
    """Run code in a new interpreter, where no other thread runs, so that forking is used for certain."""
    completed = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                               cwd=REPO, env={**os.environ, "RAPPORT_SECRET": SECRET})
    assert completed.returncode == 0, completed.stderr


def test_parallel_and_single_core_builds_are_identical(data: Path, tmp_path: Path) -> None:
    in_fresh_process("""
        import sys
        from pathlib import Path
        import generator.forks
        from generator.build import build_site
        from generator.speed import Speed
        assert generator.forks.can_fork()
        build_site(sys.argv[1], sys.argv[2], speed=Speed.on(2))
    """, str(data), str(tmp_path / "two"))
    shutil.rmtree(data.parent / ".rapport", ignore_errors=True)
    build_site(data, tmp_path / "one", speed=Speed.on(1))
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_a_template_error_in_the_second_process_fails_the_build_here(data: Path, tmp_path: Path) -> None:
    out = data.parent / "output"
    build_site(data, out, speed=Speed.on(2))
    before = tree(out)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "dashboard_client.html").write_text("{{ no_such_variable }}", encoding="utf-8")
    in_fresh_process("""
        import sys
        from pathlib import Path
        from generator.build import build_site
        from generator.speed import Speed
        try:
            build_site(sys.argv[1], sys.argv[2], templates_dir=Path(sys.argv[3]), speed=Speed.on(2))
        except Exception as error:
            assert "no_such_variable" in str(error), error
        else:
            raise AssertionError("the build did not fail")
    """, str(data), str(out), str(broken))
    assert tree(out) == before
    assert sorted(p.name for p in data.parent.iterdir()) == [".rapport", "data", "output"]


def memo_load(data: Path):
    """A load with the memo on disk, its new entries written."""
    memo = DiskMemo.for_data(data)
    portfolio = load_portfolio(data, memo=memo)
    memo.flush()
    return portfolio


def test_the_memo_gives_the_same_portfolio_and_ignores_a_broken_entry(data: Path) -> None:
    fresh = memo_load(data)
    cached = memo_load(data)  # the first load wrote the memo
    cache = data.parent / ".rapport" / "cache"
    assert sorted(path.name for path in cache.glob("*.pickle")) == [
        "clients.pickle", "contacts.pickle", "responses-annual-review.pickle", "responses-quarterly-pulse.pickle",
        "rows-contacts.pickle", "rows-responses-annual-review.pickle", "rows-responses-quarterly-pulse.pickle"]
    assert load_portfolio(data).row_hashes["contacts"].tolist() == cached.row_hashes["contacts"].tolist()
    pd.testing.assert_frame_equal(fresh.contacts, cached.contacts, check_exact=True)
    for survey_id, frame in fresh.responses.items():
        pd.testing.assert_frame_equal(frame, cached.responses[survey_id], check_exact=True)
    assert fresh.clients == cached.clients
    (cache / "contacts.pickle").write_bytes(b"not a pickle")
    pd.testing.assert_frame_equal(fresh.contacts, memo_load(data).contacts, check_exact=True)


def test_the_memo_keeps_only_files_without_problems(data: Path) -> None:
    from generator.errors import DataError

    with (data / "contacts.csv").open("a", encoding="utf-8") as handle:
        handle.write("2026-13-01,nobody,onsite,Sam,5,\n")
    with pytest.raises(DataError) as failure:
        memo_load(data)
    assert not (data.parent / ".rapport" / "cache" / "contacts.pickle").exists()
    with pytest.raises(DataError) as again:  # the same messages, from the checks themselves
        memo_load(data)
    assert [str(p) for p in again.value.problems] == [str(p) for p in failure.value.problems]


def test_a_manifest_of_the_first_format_is_still_read(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_output([OutputFile("a.txt", b"same"), OutputFile("b.txt", b"old")], out)
    digests = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    (out / MANIFEST).write_text(json.dumps(digests), encoding="utf-8")  # path → sha256, as before
    stamp = (out / "a.txt").stat().st_mtime_ns
    result = write_output([OutputFile("a.txt", b"same"), OutputFile("b.txt", b"new")], out)
    assert (result.files, result.written) == (2, 1)
    assert (out / "a.txt").stat().st_mtime_ns == stamp
    assert Previous.read(out).files == {"a.txt": hashlib.sha256(b"same").hexdigest(), "b.txt": hashlib.sha256(b"new").hexdigest()}


def test_files_are_moved_in_when_few_changed_and_the_tree_is_swapped_when_many_did(tmp_path: Path) -> None:
    out = tmp_path / "output"
    files = [OutputFile(f"pages/{k}/index.html", f"page {k}".encode()) for k in range(40)]
    write_output(files, out)
    inode = os.stat(out).st_ino
    write_output(files[:-1] + [OutputFile("pages/new/index.html", b"new")], out)  # one new, one gone: moved in
    assert os.stat(out).st_ino == inode
    assert not (out / "pages" / "39").exists() and (out / "pages" / "new" / "index.html").read_bytes() == b"new"
    write_output([OutputFile(f"pages/{k}/index.html", b"all new") for k in range(40)], out)  # all changed: swapped
    assert os.stat(out).st_ino != inode
    assert tree(out) == {**{f"pages/{k}/index.html": hashlib.sha256(b"all new").hexdigest() for k in range(40)},
                         MANIFEST: hashlib.sha256((out / MANIFEST).read_bytes()).hexdigest()}
    assert [p.name for p in tmp_path.iterdir()] == ["output"]


def test_staging_left_by_a_killed_build_is_removed_and_a_running_ones_is_not(tmp_path: Path) -> None:
    out = tmp_path / "output"
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    killed = tmp_path / f".output.new-{finished.stdout.strip()}-abc123"  # its process is gone
    running = tmp_path / f".output.new-{os.getpid()}-def456"             # this one is still at work
    for folder in (killed, running):
        (folder / "public").mkdir(parents=True)
        (folder / "public" / "index.html").write_bytes(b"half written")
    write_output([OutputFile("a.txt", b"new")], out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [running.name, "output"]


def test_a_writer_that_fails_leaves_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_output([OutputFile("a.txt", b"old")], out)
    writer = OutputWriter(out)
    writer.start(OutputFile(f"{k}.txt", b"x") for k in range(3))
    writer.discard()
    assert tree(out) == {"a.txt": hashlib.sha256(b"old").hexdigest(),
                         MANIFEST: hashlib.sha256((out / MANIFEST).read_bytes()).hexdigest()}
    assert [p.name for p in tmp_path.iterdir()] == ["output"]
    assert pickle.loads(pickle.dumps(OutputFile("x.html", b"y", "key"))) == OutputFile("x.html", b"y", "key")


def test_files_staged_by_their_maker_commit_like_files_written_by_the_writer(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_output([OutputFile("same.txt", b"same"), OutputFile("gone.txt", b"gone")], out)
    stamp = (out / "same.txt").stat().st_mtime_ns
    writer = OutputWriter(out, previous=Previous.read(out))
    staged = writer.stage([OutputFile("same.txt", b"same"), OutputFile("pages/new.html", b"new", "inputs")])
    assert type(staged[0]) is OutputFile, "an unchanged file is left for the writer to link"
    assert isinstance(staged[1], StagedFile) and staged[1].content == b"new" and staged[1].inputs == "inputs"
    assert (writer.staging / "pages" / "new.html").read_bytes() == b"new", "written at once, by this process"
    assert not (out / "pages").exists(), "nothing in the output is touched before the commit"
    writer.add(staged)
    assert writer.commit().written == 1
    assert tree(out) == {"pages/new.html": hashlib.sha256(b"new").hexdigest(), "same.txt": hashlib.sha256(b"same").hexdigest(),
                         MANIFEST: hashlib.sha256((out / MANIFEST).read_bytes()).hexdigest()}
    assert (out / "same.txt").stat().st_mtime_ns == stamp
    assert Previous.read(out).inputs == {"pages/new.html": "inputs"}
    assert [p.name for p in tmp_path.iterdir()] == ["output"]


def test_a_worker_stages_its_own_pages_and_is_collected_once_done() -> None:
    in_fresh_process("""
        import multiprocessing, os, tempfile
        from pathlib import Path
        from generator.files import OutputFile, StagedFile
        from generator.speed.output import OutputWriter
        from generator.forks import reap_all
        from generator.speed.workers import run_tasks
        out = Path(tempfile.mkdtemp()) / "output"
        writer = OutputWriter(out)
        # whoever takes one of the first two tasks waits there for the other process to take the other
        both = multiprocessing.get_context("fork").Barrier(2, timeout=60)

        def task(number):
            if number < 2:
                both.wait()
            return [OutputFile(f"pages/{number}.html", f"{number} by {os.getpid()}".encode())]

        results = run_tasks([lambda n=n: task(n) for n in range(12)], workers=2, finish=writer.stage)
        files = [item for result in results for item in result]
        assert all(isinstance(item, StagedFile) for item in files)
        makers = {item.content.decode().split(" by ")[1] for item in files}
        assert len(makers) == 2 and str(os.getpid()) in makers, makers
        writer.add(files)
        writer.commit()
        assert sorted(p.name for p in (out / "pages").iterdir()) == sorted(f"{n}.html" for n in range(12))
        reap_all()
        try:
            os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            pass  # no child left, not even a zombie
        else:
            raise AssertionError("a worker was left behind")
    """)


def test_two_processes_share_the_tasks_and_return_them_in_order() -> None:
    in_fresh_process("""
        import multiprocessing, os
        from generator.files import OutputFile
        from generator.speed.workers import run_tasks
        # whoever takes one of the first two tasks waits there for the other process to take the other
        both = multiprocessing.get_context("fork").Barrier(2, timeout=60)

        def task(number):
            if number < 2:
                both.wait()
            return [OutputFile(f"{number}.txt", str(os.getpid()).encode())]

        results = run_tasks([lambda n=n: task(n) for n in range(20)], workers=2)
        assert [files[0].path for files in results] == [f"{n}.txt" for n in range(20)]
        assert len({files[0].content for files in results}) == 2, "both processes took some"
    """)


def test_a_task_that_fails_in_the_worker_is_run_again_here_and_raises_here() -> None:
    in_fresh_process("""
        import os
        from generator.files import OutputFile
        from generator.speed.workers import run_tasks
        parent = os.getpid()

        def fails_in_the_worker():
            if os.getpid() != parent:
                raise RuntimeError("worker only")
            return [OutputFile("done.txt", b"here")]

        assert [files[0].content for files in run_tasks([fails_in_the_worker] * 6, workers=2)] == [b"here"] * 6

        def always_fails():
            raise ValueError(f"failed in {os.getpid()}")

        try:
            run_tasks([always_fails] * 4, workers=2)
        except ValueError as error:
            assert str(error) == f"failed in {parent}", error
        else:
            raise AssertionError("no error")
    """)
