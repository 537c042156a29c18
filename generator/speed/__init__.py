"""The speed layer: the same site as the plain path, sooner — behind one seam.

A build hands it the plan (generator/render/plan.py) and the files to write; everything that
makes a build fast lives here and nowhere else:

- a memo on disk of what the stages derive from unchanged files (cache.py);
- reuse of the last build's pages whose inputs did not change (fingerprints.py, output.py);
- two processes making pages, each writing its own into the staging folder (workers.py);
- values that need only the portfolio made on the idle core while this one computes the
  metrics (beside.py);
- a write that touches only the files that changed, keeping a manifest (output.py);
- the cycle collector paused while the build makes millions of short-lived objects.

`Speed.off()` runs the plan plainly, one job after the other, and writes every file afresh;
tests/test_speed.py proves both give byte-identical output, cold and after a change.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2

from generator.files import BuiltFile, OutputFile
from generator.memo import NO_MEMO, Memo
from generator.render.plan import ClientInputs, PageJob, Plan, ValueInputs
from generator.speed.beside import Beside, Later
from generator.speed.cache import DiskMemo
from generator.speed.fingerprints import PageInputs, page_inputs
from generator.speed.output import OutputWriter, Previous
from generator.speed.workers import Report, Task, default_workers, run_tasks
from generator.templates import compiled_templates
from generator.write import WriteResult, write_output

__all__ = ["Speed", "SpeedSession"]

# Below this many clients a build takes a fraction of a second and a second process costs more than it saves.
PARALLEL_FROM_CLIENTS = 150
PAGES_PER_TASK = 25  # small pages of one batch are handed to a process this many at a time


@dataclass(frozen=True)
class Speed:
    """How fast to build: `Speed.on()` (the default) or `Speed.off()`, the plain path."""

    enabled: bool = True
    workers: int | None = None  # processes making pages; None: chosen from the cores and the portfolio's size

    @classmethod
    def on(cls, workers: int | None = None) -> Speed:
        """Every speed-up; `workers` processes make the pages (None: as many as pay)."""
        return cls(True, workers)

    @classmethod
    def off(cls) -> Speed:
        """No memo, no reuse, one process, every file written afresh."""
        return cls(False, 1)

    def session(self, data_dir: Path, out_dir: Path) -> SpeedSession:
        """The speed layer of one build of `data_dir` into `out_dir`."""
        return SpeedSession(self, Path(data_dir), Path(out_dir))


@dataclass
class SpeedSession:
    """One build's memo, last output and staging folder; use it as a context manager around the build."""

    speed: Speed
    data_dir: Path
    out_dir: Path
    memo: Memo = field(init=False)
    _disk: DiskMemo | None = field(init=False, default=None)
    _writer: OutputWriter | None = field(init=False, default=None)
    _collecting: bool = field(init=False, default=False)
    _made: set[str] = field(init=False, default_factory=set)
    _beside: list[Beside] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.memo = NO_MEMO
        if self.speed.enabled:
            self._disk = DiskMemo.for_data(self.data_dir)
            self.memo = self._disk

    def __enter__(self) -> SpeedSession:
        if self.speed.enabled:
            # every object the build makes lives until its end: collecting cycles would only walk them
            self._collecting = gc.isenabled()
            gc.disable()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        for beside in self._beside:
            beside.cancel()  # a value nobody asked for (the build failed): not needed
        if error is not None and self._writer is not None:
            self._writer.discard()  # nothing it staged stays; the output is as it was
        if self._collecting:
            gc.enable()

    def beside(self, *functions: Callable[[], Any], clients: int = 0) -> tuple[Later[Any], ...]:
        """Each function's value, made on the idle core meanwhile (speed on, `clients` enough to pay), in order.

        The functions take nothing: what they read is bound as their arguments before the fork.
        Each returned `Later` gives its value when called, made here if the fork did not.
        """
        fork = self.speed.enabled and self._workers(clients) >= 2
        disk = self._disk
        pending = (lambda: disk.pending) if disk else None
        keep = (lambda entries: disk.pending.extend(entries)) if disk else None  # the list is replaced on flush
        beside = Beside(functions, fork, pending, keep)
        self._beside.append(beside)
        return tuple(beside.later(index) for index in range(len(functions)))

    def run(self, plan: Plan, report: Report | None = None) -> list[BuiltFile]:
        """Every file of the plan, sorted by path: made, or (speed on) reused from the last build."""
        if not self.speed.enabled:
            return sorted((item for job in plan.jobs for item in job.make()), key=lambda item: item.path)
        previous = self._previous_output()
        inputs = page_inputs(plan.portfolio, plan.environment)
        self._writer = writer = OutputWriter(self.out_dir, background=True, previous=previous)
        kept: list[tuple[PageJob, str]] = []
        todo: list[tuple[PageJob, str | None]] = []
        for job in plan.jobs:
            if inputs and isinstance(job.inputs, ValueInputs) and job.key_name:
                # a value's digest can cost as much as a small page: taken by the process that takes the job
                todo.append((job, None))
                continue
            key = inputs.of(job.inputs, job.key_name) if inputs and job.inputs and job.key_name else ""
            (kept if key and previous.made_from(job.paths, key) else todo).append((job, key))
        # what changed first, a changed client's page foremost: `rapport serve` shows it while the rest is made
        todo.sort(key=lambda pair: (pair[1] is None, not isinstance(pair[0].inputs, ClientInputs)))
        _compile_templates(plan.environment)  # once, before a worker is forked, rather than in each process
        # the memo's new entries are written by whichever process is free first
        tasks: list[Task] = [_aside(self._disk.writes() if self._disk else [])]
        tasks += [_tagged(chunk, previous, inputs) for chunk in _chunks(todo)]
        results = run_tasks(tasks, self._workers(len(plan.portfolio.clients)), report, finish=writer.stage)
        files = [item for result in results for item in result]
        for job, key in kept:
            found = previous.reuse_all(job.paths, key)
            files += found if found is not None else _tagged([(job, key)])()
        writer.start(files)  # records them, and stages the reused ones, beside the publish checks
        self._made = {item.path for item in files}
        return sorted(files, key=lambda item: item.path)

    def write(self, files: list[BuiltFile]) -> WriteResult:
        """Put the files in place as one change (speed on: touching only what changed)."""
        if self._writer is None:
            return write_output(files, self.out_dir, background=True)
        # what the publish checks added (the encrypted dashboards); the rest was recorded by run()
        written = self._writer.commit(item for item in files if item.path not in self._made)
        if self._disk is not None:
            self._disk.put("output-stamps", self._stamps_key(self._writer.manifest_digest), self._writer.stamps)
            self._disk.flush()
        return written

    def _previous_output(self) -> Previous:
        previous = Previous.read(self.out_dir)
        stamps = self.memo.get("output-stamps", self._stamps_key(previous.digest))
        return previous.with_stamps(stamps)

    def _stamps_key(self, manifest_digest: str) -> list[bytes]:
        return [str(self.out_dir.resolve()).encode(), manifest_digest.encode()]

    def _workers(self, clients: int) -> int:
        if self.speed.workers is not None:
            return self.speed.workers
        return default_workers() if clients >= PARALLEL_FROM_CLIENTS else 1


def _chunks(jobs: list[tuple[PageJob, str | None]]) -> Iterator[list[tuple[PageJob, str | None]]]:
    """The jobs in plan order; consecutive jobs of one batch together, PAGES_PER_TASK at a time."""
    for batch, group in itertools.groupby(jobs, key=lambda pair: pair[0].batch):
        members = list(group)
        size = PAGES_PER_TASK if batch else 1
        for start in range(0, len(members), size):
            yield members[start:start + size]


def _tagged(jobs: Sequence[tuple[PageJob, str | None]], previous: Previous | None = None,
            inputs: PageInputs | None = None) -> Task:
    """A task making the jobs' files, each marked with the digest of its inputs (kept in the manifest).

    A job whose digest is None is digested here, and its files are taken from the last build
    when that build made them from the same inputs.
    """

    def make() -> list[BuiltFile]:
        made: list[BuiltFile] = []
        for job, known in jobs:
            key = known
            if key is None:
                key = inputs.of(job.inputs, job.key_name) if inputs is not None and job.inputs is not None else ""
                found = previous.reuse_all(job.paths, key) if previous is not None and key else None
                if found is not None:
                    made += found
                    continue
            made += [OutputFile(item.path, item.content, key) if key else item for item in job.make()]
        return made

    return make


def _aside(writes: list[Callable[[], None]]) -> Task:
    """A task doing `writes` (no file of the site)."""

    def run() -> list[BuiltFile]:
        for write in writes:
            write()
        return []

    return run



def _compile_templates(environment: jinja2.Environment) -> None:
    """Load every page template once (compiled ones kept per user); one that fails is left to fail where used."""
    if environment.bytecode_cache is None:
        environment.bytecode_cache = compiled_templates()
    for name in environment.list_templates(extensions=["html"]):
        with contextlib.suppress(jinja2.TemplateError):
            environment.get_template(name)
