"""Work beside the build (generator/forks.py): values made in a fork, or here, are the same.

Forking is used only from a process with one thread, so the fork cases run in a fresh
interpreter (see tests/test_speed.py, in_fresh_process).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from generator.demo import write_demo
from generator.forks import Beside

REPO = Path(__file__).resolve().parent.parent


def fresh(code: str, *args: str) -> str:
    """Run code in a new interpreter with one thread; its stdout."""
    completed = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                               cwd=REPO, env={**os.environ, "RAPPORT_SECRET": "beside-test"})
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_without_a_fork_each_value_is_made_when_asked_for_and_once() -> None:
    calls: list[str] = []
    beside = Beside([lambda: calls.append("a") or 1, lambda: calls.append("b") or 2], fork=False)
    first, second = beside.later(0), beside.later(1)
    assert calls == [] and first.here and second.here, "made here when asked for"
    assert second() == 2 and first() == 1 and second() == 2
    assert calls == ["b", "a"]


def test_a_fork_sends_each_value_and_the_memo_entries_it_added() -> None:
    out = fresh("""
        import os
        from generator.forks import Beside, can_fork, reap_all
        assert can_fork()
        parent, pending, kept = os.getpid(), [("before", b"k", 0)], []
        def made_in(name):
            pending.append((name, b"key", os.getpid()))  # what a DiskMemo collects while the function runs
            return os.getpid()
        beside = Beside([lambda: made_in("one"), lambda: made_in("two")], fork=True,
                        pending=lambda: pending, keep=kept.extend)
        assert not beside.later(0).here, "the fork makes it"
        one, two = beside.later(0)(), beside.later(1)()
        reap_all()
        print(one != parent, two == one, [name for name, _, _ in kept])
    """)
    assert out.split() == ["True", "True", "['one',", "'two']"]


def test_a_fork_given_a_writer_writes_the_memo_entries_it_added_once_its_values_are_sent(tmp_path: Path) -> None:
    out = fresh("""
        import os, sys
        from pathlib import Path
        from generator.forks import Beside, reap_all
        pending, kept, written = [("before", b"k", 0)], [], Path(sys.argv[1])
        def made_in(name):
            pending.append((name, b"key", os.getpid()))
            return os.getpid()
        def write(entries):  # in the fork, after the last value
            written.write_text(" ".join(name for name, _, _ in entries))
        beside = Beside([lambda: made_in("one"), lambda: made_in("two")], fork=True,
                        pending=lambda: pending, keep=kept.extend, write=write)
        one, two = beside.later(0)(), beside.later(1)()
        reap_all()
        print(one != os.getpid(), kept, written.read_text())
    """, str(tmp_path / "written"))
    assert out.split() == ["True", "[]", "one", "two"]


def test_a_value_the_fork_failed_to_make_is_made_here_with_its_own_error() -> None:
    out = fresh("""
        import os
        from generator.forks import Beside
        parent = os.getpid()
        def fails_in_a_fork():
            if os.getpid() != parent:
                raise RuntimeError("in the fork")
            return "made here"
        def fails_everywhere():
            raise ValueError("no such survey")
        beside = Beside([fails_in_a_fork, fails_everywhere, os.getpid], fork=True)
        print(beside.later(0)())
        try:
            beside.later(1)()
        except ValueError as error:
            print("raised:", error)
        print(beside.later(2)() != parent)
    """)
    assert out.splitlines() == ["made here", "raised: no such survey", "True"]


def test_a_value_is_ready_once_the_fork_has_sent_it_and_asking_never_waits() -> None:
    out = fresh("""
        import os
        from generator.forks import Beside, reap_all
        go_read, go_write = os.pipe()
        def held():  # made once this process lets it
            return os.read(go_read, 1)
        beside = Beside([held, lambda: 2], fork=True)
        first, second = beside.later(0), beside.later(1)
        print(first.ready(), second.ready())
        os.write(go_write, b"!")
        print(first(), first.ready(), second(), second.ready())
        reap_all()
    """)
    assert out.splitlines() == ["False False", "b'!' True 2 True"]
    here = Beside([lambda: 1], fork=False).later(0)
    assert here.ready() and here() == 1


def test_this_process_does_its_work_meanwhile_between_its_tasks_until_it_is_done() -> None:
    out = fresh("""
        from generator.forks import reap_all
        from generator.speed.workers import run_tasks
        calls = []
        def meanwhile():
            calls.append(len(calls))
            return len(calls) == 2
        def task(n):
            return lambda: [sum(range(20_000)) + n]
        results = run_tasks([task(n) for n in range(400)], workers=2, meanwhile=meanwhile)
        reap_all()
        print(results == [[sum(range(20_000)) + n] for n in range(400)], 1 <= len(calls) <= 2)
        alone = []
        run_tasks([task(1), task(2)], workers=1, meanwhile=lambda: alone.append(1) or True)
        print(alone)
    """)
    assert out.splitlines() == ["True True", "[]"]


def test_a_build_keeps_what_its_fork_put_in_the_memo(tmp_path: Path) -> None:
    data = tmp_path / "project" / "data"
    write_demo(data, clients=160, seed=5)  # enough clients for a second process to pay
    fresh("""
        import sys
        from generator.build import build_site
        from generator.speed import Speed
        from generator.forks import reap_all
        build_site(sys.argv[1], sys.argv[2], speed=Speed.on())
        reap_all()
    """, str(data), str(tmp_path / "out"))
    cache = tmp_path / "project" / ".rapport" / "cache"
    kept = sorted(path.name for path in cache.glob("*.pickle"))
    # the earlier quarter ends and the leak gate's common words and note fragments, made in the fork
    assert {"kpi-snapshots.pickle", "common-words.pickle", "needles2-contact-log-note.pickle"} <= set(kept)
