"""Reading ahead (generator/load/ahead.py): contacts.csv, read by a fork while `rapport build` imports its
stages, gives the load stage what it reads itself; a problem in it or clients.yaml, the usual message and exit status.

Forking is used only from a process with one thread, so the fork cases run in a fresh interpreter.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator.demo import write_demo
from generator.errors import DataError
from generator.load import load_portfolio
from generator.load.ahead import READ_AHEAD_FROM, READ_AHEAD_UP_TO, record_start
from tests.conftest import secret_env_fixture

REPO = Path(__file__).resolve().parent.parent
SECRET = "read-ahead-test-secret"
secret_env = secret_env_fixture(SECRET)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A portfolio whose contacts.csv is large enough to be read ahead (written once for the module)."""
    data = tmp_path_factory.mktemp("ahead") / "data"
    write_demo(data, clients=90, seed=3)
    assert (data / "contacts.csv").stat().st_size >= READ_AHEAD_FROM
    return data


@pytest.fixture
def data(demo: Path, tmp_path: Path) -> Path:
    """A copy of the demo portfolio, in a project folder of its own (no memo beside it yet)."""
    copy = tmp_path / "project" / "data"
    shutil.copytree(demo, copy)
    return copy


def fresh(code: str, *args: str) -> str:
    """Run code in a new interpreter with one thread; its stdout."""
    completed = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                               cwd=REPO, env={**os.environ, "RAPPORT_SECRET": SECRET}, timeout=300)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def build(data: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """`python -m generator build` of `data` into `out`, as a consultant runs it."""
    return subprocess.run([sys.executable, "-m", "generator", "build", "--data", str(data), "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, encoding="utf-8", timeout=300,
                          env={**os.environ, "RAPPORT_SECRET": SECRET})


def test_what_a_fork_read_ahead_is_what_the_load_stage_reads(data: Path) -> None:
    out = fresh("""
        import sys
        from pathlib import Path
        from generator.cli import import_stages
        data = Path(sys.argv[1])
        ahead = import_stages(data)
        print("forked:", ahead is not None)
        rows = len(ahead.contacts()[0])  # waits for the fork's contacts
        # gone from the disk now: whatever the load stage finds of it, the fork read
        moved = data / "contacts.csv"
        moved.rename(data.parent / "contacts.csv")
        from generator.load import load_portfolio
        read_ahead = load_portfolio(data, ahead=ahead)
        (data.parent / "contacts.csv").rename(moved)
        plain = load_portfolio(data)
        print("rows:", rows == len(plain.contacts) > 0)
        print("contacts:", read_ahead.contacts.equals(plain.contacts))
        print("row hashes:", all((read_ahead.row_hashes[name] == plain.row_hashes[name]).all() for name in plain.row_hashes))
    """, str(data))
    assert out.splitlines() == ["forked: True", "rows: True", "contacts: True", "row hashes: True"]


def test_the_no_change_key_digested_on_a_thread_meanwhile_is_the_key_and_the_read_ahead_still_forks(data: Path) -> None:
    out = fresh("""
        import sys
        from pathlib import Path
        from generator import unchanged
        from generator.cli import import_stages
        data, out = Path(sys.argv[1]), Path(sys.argv[2])
        key = unchanged.build_key_meanwhile(data, out, None, None, b"secret")
        print("on a thread:", (data / "contacts.csv").stat().st_size >= unchanged.DIGEST_ASIDE_FROM)
        ahead = import_stages(data, key)  # waits for the thread before it forks
        print("forked:", ahead is not None)
        ahead.cancel()
        unchanged.DIGEST_ASIDE_FROM = 10**12  # every file digested in this thread, one after the other
        print("same key:", key() == unchanged.build_key(data, out, None, None, b"secret"))
        with (data / "contacts.csv").open("a") as contacts:
            contacts.write("2024-01-02,nobody,email,Dana,5,\\n")
        print("another key:", unchanged.build_key_meanwhile(data, out, None, None, b"secret")() != key())
    """, str(data), str(data.parent / "output"))
    assert out.splitlines() == ["on a thread: True", "forked: True", "same key: True", "another key: True"]


def test_the_fork_is_made_before_the_schema_and_the_yaml_reader_are_imported() -> None:
    # what the fork needs is imported before it is made; the rest of the imports are made beside it
    out = fresh("""
        import sys
        import generator.cli
        import generator.load.ahead
        print(sorted(name for name in ("pydantic", "yaml", "generator.model", "babel", "jinja2", "generator.load.stage")
                     if name in sys.modules))
        from generator.load import load_portfolio
        print(load_portfolio.__module__)
    """)
    assert out.splitlines() == ["[]", "generator.load.stage"]


def test_nothing_is_read_ahead_for_a_rebuild_or_a_small_or_very_large_portfolio(data: Path, tmp_path: Path) -> None:
    small = tmp_path / "small" / "data"
    write_demo(small, clients=3)
    large = tmp_path / "large" / "data"
    shutil.copytree(data, large)
    os.truncate(large / "contacts.csv", READ_AHEAD_UP_TO + 1)  # only its size is looked at
    (data.parent / ".rapport" / "cache").mkdir(parents=True)  # the memo of an earlier build
    out = fresh("""
        import sys
        from pathlib import Path
        from generator.load.ahead import read_ahead
        print([read_ahead(Path(folder)) for folder in sys.argv[1:]])
    """, str(data), str(small), str(large))
    assert out.split() == ["[None,", "None,", "None]"]


def test_a_bad_contact_read_ahead_gives_the_usual_message_and_exit_status(data: Path, tmp_path: Path) -> None:
    lines = (data / "contacts.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[4000] = "2026-02-30" + lines[4000][10:]
    (data / "contacts.csv").write_text("".join(lines), encoding="utf-8")
    problem = f"{data}/contacts.csv:4001: date: '2026-02-30' is not a real date (expected YYYY-MM-DD)"
    assert [str(item) for item in load_errors(data)] == [problem]
    built = build(data, tmp_path / "out")
    assert (built.returncode, built.stderr.splitlines()) == (1, [problem, "error: 1 problem in the data; nothing was built"])
    assert not (tmp_path / "out").exists()


def test_a_contact_of_an_unknown_client_read_ahead_gives_the_usual_message_and_exit_status(data: Path, tmp_path: Path) -> None:
    # the fork reads contacts.csv without the client ids: only the load stage can see this problem
    lines = (data / "contacts.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    date, client, rest = lines[2500].split(",", 2)
    lines[2500] = f"{date},{client}x,{rest}"
    (data / "contacts.csv").write_text("".join(lines), encoding="utf-8")
    problems = [str(item) for item in load_errors(data)]
    assert len(problems) == 1 and problems[0].startswith(f"{data}/contacts.csv:2501: client: '{client}x' is not a client id")
    built = build(data, tmp_path / "out")
    assert (built.returncode, built.stderr.splitlines()) == (1, [*problems, "error: 1 problem in the data; nothing was built"])
    assert not (tmp_path / "out").exists()


def test_a_bad_client_read_ahead_gives_the_usual_message_and_exit_status(data: Path, tmp_path: Path) -> None:
    text = (data / "clients.yaml").read_text(encoding="utf-8")
    (data / "clients.yaml").write_text(text.replace("pcs: ", "pcs: many", 1), encoding="utf-8")
    problems = [str(item) for item in load_errors(data)]
    assert len(problems) == 1 and problems[0].startswith(f"{data}/clients.yaml:") and ".pcs: " in problems[0]
    built = build(data, tmp_path / "out")
    assert (built.returncode, built.stderr.splitlines()) == (1, [*problems, "error: 1 problem in the data; nothing was built"])
    assert not (tmp_path / "out").exists()


def load_errors(data: Path) -> list[object]:
    """The problems the load stage finds in `data`, read here without a fork."""
    with pytest.raises(DataError) as raised:
        load_portfolio(data)
    return list(raised.value.problems)


SPLIT = """
    import sys
    from pathlib import Path
    from generator.errors import DataError
    from generator.load import load_portfolio
    from generator.load.ahead import read_ahead
    data = Path(sys.argv[1])
    ahead = read_ahead(data, share=int(sys.argv[2]))
    try:
        split = load_portfolio(data, ahead=ahead)
    except DataError as error:
        print("problems:", [str(problem) for problem in error.problems])
        raise SystemExit(0)
    plain = load_portfolio(data)
    print("cut:", ahead.contacts()[2] > 0)
    print("contacts:", split.contacts.equals(plain.contacts) and list(split.contacts.dtypes) == list(plain.contacts.dtypes))
    print("row hashes:", all((split.row_hashes[name] == plain.row_hashes[name]).all() for name in plain.row_hashes))
"""


def note_across_lines(data: Path, share: int) -> None:
    """Give the contact about where the fork cuts a note written over two lines, quoted."""
    raw = (data / "contacts.csv").read_bytes()
    at = raw.rfind(b"\n", 0, len(raw) - share - 5) + 1
    line_end = raw.index(b"\n", at)
    record = raw[at:line_end].decode()
    date, client, kind, staff, minutes, _ = record.split(",", 5)
    fixed = f'{date},{client},{kind},{staff},{minutes},"Rebooted the ""main""\nserver, twice"'.encode()
    (data / "contacts.csv").write_bytes(raw[:at] + fixed + raw[line_end:])


def test_the_first_records_read_here_and_the_last_ones_by_the_fork_are_what_the_load_stage_reads(data: Path) -> None:
    share = (data / "contacts.csv").stat().st_size // 2
    note_across_lines(data, share)
    assert fresh(SPLIT, str(data), str(share)).splitlines() == ["cut: True", "contacts: True", "row hashes: True"]


@pytest.mark.parametrize("part", ["first", "last"])
def test_a_bad_contact_in_either_part_gives_the_usual_message(data: Path, part: str) -> None:
    share = (data / "contacts.csv").stat().st_size // 2
    lines = (data / "contacts.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    number = 100 if part == "first" else len(lines) - 100
    lines[number] = "2026-02-30" + lines[number][10:]
    (data / "contacts.csv").write_text("".join(lines), encoding="utf-8")
    problems = [str(item) for item in load_errors(data)]
    assert problems == [f"{data}/contacts.csv:{number + 1}: date: '2026-02-30' is not a real date (expected YYYY-MM-DD)"]
    assert fresh(SPLIT, str(data), str(share)).splitlines() == [f"problems: {problems}"]


def test_a_cut_is_made_only_between_two_records() -> None:
    header = b"date,client,kind,staff,minutes,note\n"
    first = b'2026-01-05,acme,phone,Sam,10,"Asked about ""backups""\nand the NAS"\n'
    second = b"2026-01-06,acme,phone,Sam,10,Plain note\n"
    data = header + first + second
    inside = len(header) + first.index(b"and the")  # a line start inside the quoted note
    assert record_start(data, inside) == len(header) + len(first)
    assert record_start(data, len(header) + 1) == len(header) + len(first)
    assert record_start(data, len(header) + len(first) + 1) is None  # no record starts after it
    assert record_start(data.replace(b"\n", b"\r\n"), inside) is None  # carriage returns: read whole
    assert record_start(header + b'2026-01-05,acme,phone,Sam,10,a "quoted" word\n' + second, len(header) + 5) is None
