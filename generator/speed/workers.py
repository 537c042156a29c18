"""Work on both cores: a forked worker and this process take tasks from one shared counter.

A task is a function that returns some files. The worker is a fork of this process, so it
already holds the plan (the portfolio, the reports, the charts and how to make each page):
nothing is sent to it, and only its pages come back (one pickled list through a pipe) — in a build, not even their bytes: each
process writes the pages it makes into the staging folder and sends their digests. Taking
tasks in turn from a counter keeps both cores busy to the end whatever each task costs.

Whatever the worker does not report back — it failed, or was killed — this process renders
itself, so an error in a template is raised here, with its usual traceback, exactly as in a
build on one core. Forking is used only where it is safe and pays: on Linux, from a process
with no other Python thread (the preview server builds in a thread: it renders on one core).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any

from generator.files import BuiltFile
from generator.forks import can_fork, give_back_memory, reap_later

# the fork primitives are the foundation's (generator/forks.py); named here too, where the workers use them
__all__ = ["Report", "Task", "default_workers", "run_tasks"]

Task = Callable[[], list[BuiltFile]]
Report = Callable[[int, int], None]  # (tasks taken so far, tasks in all), for a progress bar
Finish = Callable[[list[BuiltFile]], list[BuiltFile]]  # what the process that ran a task does with its files


def default_workers() -> int:
    """Processes to render with: the cores this process may use, two at most (what pays)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(2, cores))


def run_tasks(
    tasks: Sequence[Task], workers: int = 1, report: Report | None = None, finish: Finish | None = None,
    meanwhile: Callable[[], bool] | None = None,
) -> list[list[BuiltFile]]:
    """Each task's files, in task order; with workers=2, two processes share the tasks.

    `finish`, when given, is applied to each task's files by the process that ran the task (a
    build writes them into its staging folder so: on the core that made them, and without their
    bytes crossing a pipe); its results are what is returned. `meanwhile`, when given, is work
    for this process while the worker is on the tasks: called before each task this process
    takes, until it says it is done (True); with no worker, it is not called.
    """
    report = report or (lambda done, total: None)
    if finish is not None:
        tasks = [_finished(task, finish) for task in tasks]
    if workers < 2 or len(tasks) < 2 or not can_fork():
        results = []
        for index, task in enumerate(tasks):
            results.append(task())
            report(index + 1, len(tasks))
        return results
    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0)
    receiver, sender = context.Pipe(duplex=False)
    sys.stdout.flush()
    sys.stderr.flush()
    give_back_memory()
    pid = os.fork()
    if pid == 0:  # the worker: render, send, and leave without running any of the parent's exit handlers
        status = 1
        try:
            receiver.close()
            sender.send_bytes(pickle.dumps(_take_tasks(tasks, counter), protocol=pickle.HIGHEST_PROTOCOL))
            status = 0
        finally:
            os._exit(status)
    sender.close()
    try:
        done = _take_tasks(tasks, counter, stop_on_error=False, report=report, meanwhile=meanwhile)
        with contextlib.suppress(EOFError, OSError, pickle.UnpicklingError):
            done.update(pickle.loads(receiver.recv_bytes()))
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)  # this process failed first: the worker's pages are not needed
        os.waitpid(pid, 0)  # gone for sure before the caller cleans up after it
        raise
    finally:
        receiver.close()
    reap_later(pid)
    return [done[index] if index in done else tasks[index]() for index in range(len(tasks))]


def _finished(task: Task, finish: Finish) -> Task:
    return lambda: finish(task())


def _take_tasks(
    tasks: Sequence[Task], counter: Any, stop_on_error: bool = True, report: Report | None = None,
    meanwhile: Callable[[], bool] | None = None,
) -> dict[int, list[BuiltFile]]:
    """Run the next untaken task until none is left; the worker stops at its first error."""
    done: dict[int, list[BuiltFile]] = {}
    while True:
        if meanwhile is not None and meanwhile():
            meanwhile = None
        with counter.get_lock():
            index = counter.value
            counter.value += 1
        if index >= len(tasks):
            return done
        if not stop_on_error:
            done[index] = tasks[index]()
            if report is not None:
                report(min(counter.value, len(tasks)), len(tasks))
            continue
        try:
            done[index] = tasks[index]()
        except Exception:
            return done
        for item in done[index]:
            item.sha256  # noqa: B018 - hashed here, on this core, rather than by the parent's writer
