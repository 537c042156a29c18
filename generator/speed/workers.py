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
import ctypes
import functools
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

from generator.files import BuiltFile

Task = Callable[[], list[BuiltFile]]
Report = Callable[[int, int], None]  # (tasks taken so far, tasks in all), for a progress bar
Finish = Callable[[list[BuiltFile]], list[BuiltFile]]  # what the process that ran a task does with its files
_EXITING: list[int] = []  # workers done with their work, not yet collected (see reap_later)
_PEAKS: list[int] = []  # the peak memory (KiB) of each worker collected, for a benchmark's figures (reaped_peaks)


def can_fork() -> bool:
    """Forking is safe here: Linux (macOS forks badly with its system frameworks) and one Python thread."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


def give_back_memory() -> None:
    """Return the C heap's free pages to the system (glibc `malloc_trim`); nothing elsewhere.

    Called before a fork: the metrics' temporary arrays leave hundreds of megabytes free but
    held in the heap (200 MB at 10,000 clients), and a fork starts with every page its parent
    holds resident counted in its own memory.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim` (the C library is loaded in this process already), or None where it has none."""
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
        return trim
    except (OSError, AttributeError):
        return None


def default_workers() -> int:
    """Processes to render with: the cores this process may use, two at most (what pays)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(2, cores))


def run_tasks(
    tasks: Sequence[Task], workers: int = 1, report: Report | None = None, finish: Finish | None = None,
) -> list[list[BuiltFile]]:
    """Each task's files, in task order; with workers=2, two processes share the tasks.

    `finish`, when given, is applied to each task's files by the process that ran the task (a
    build writes them into its staging folder so: on the core that made them, and without their
    bytes crossing a pipe); its results are what is returned.
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
        done = _take_tasks(tasks, counter, stop_on_error=False, report=report)
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


def reap_later(pid: int) -> None:
    """Collect a worker that has delivered its result, without waiting for it to be gone.

    A forked worker shares hundreds of megabytes with this process; the kernel takes a tenth of
    a second or more to take them apart when it exits. Its result is in hand, so nothing needs
    to wait for that: it is collected whenever it is gone (checked again at each later call).
    """
    _EXITING.append(pid)
    for waiting in list(_EXITING):
        with contextlib.suppress(ChildProcessError):
            if not _collect(waiting, os.WNOHANG):
                continue
        _EXITING.remove(waiting)


def reap_all() -> None:
    """Wait for every worker left to `reap_later` (for a figure that counts them, like their peak memory)."""
    while _EXITING:
        with contextlib.suppress(ChildProcessError):
            _collect(_EXITING[0], 0)
        _EXITING.pop(0)


def reaped_peaks() -> list[int]:
    """The peak resident memory (KiB) of each worker collected so far in this process."""
    return list(_PEAKS)


def _collect(pid: int, options: int) -> bool:
    """Collect the worker if it is gone (True), noting its peak memory."""
    found, _, usage = os.wait4(pid, options)
    if found == 0:
        return False
    _PEAKS.append(usage.ru_maxrss)
    return True


def _finished(task: Task, finish: Finish) -> Task:
    return lambda: finish(task())


def _take_tasks(
    tasks: Sequence[Task], counter: Any, stop_on_error: bool = True, report: Report | None = None,
) -> dict[int, list[BuiltFile]]:
    """Run the next untaken task until none is left; the worker stops at its first error."""
    done: dict[int, list[BuiltFile]] = {}
    while True:
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
