"""The speed layer: the same site as the plain path, sooner — behind one seam.

A build hands it the plan (generator/render/plan.py) and the files to write; everything that
makes a build fast lives here and nowhere else:

- a memo on disk of what the stages derive from unchanged files (cache.py);
- reuse of the last build's pages whose inputs did not change (fingerprints.py, output.py);
- two processes making pages, each writing its own into the staging folder (workers.py);
- values that need only the portfolio made on the idle core while this one computes the
  metrics (generator/forks.py) — neither fork for a rebuild after a change to a few clients' data;
- a write that touches only the files that changed, keeping a manifest (output.py);
- the cycle collector paused while the build makes millions of objects, and turned back on
  without a pass over all of them.

`Speed.off()` runs the plan plainly, one job after the other, and writes every file afresh;
tests/test_speed.py proves both give byte-identical output, cold and after a change.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2

from generator.files import BuiltFile, OutputFile
from generator.forks import Beside, Later
from generator.memo import NO_MEMO, Memo
from generator.portfolio import Portfolio
from generator.render.plan import ClientInputs, PageJob, Plan, ValueInputs
from generator.speed.cache import DiskMemo, Kept
from generator.speed.fingerprints import DataDigests, PageInputs, data_digests, page_digests, templates_digest
from generator.speed.output import OutputWriter, Previous
from generator.speed.workers import Report, Task, default_workers, run_tasks
from generator.templates import compiled_templates
from generator.write import WriteResult, write_output

__all__ = ["Speed", "SpeedSession", "changed_clients", "last_client_digests"]

# Below this many clients a build takes a fraction of a second and a second process costs more than it saves.
PARALLEL_FROM_CLIENTS = 150
PAGES_PER_TASK = 25  # small pages of one batch are handed to a process this many at a time
CLIENT_DIGESTS = "client-digests"  # the memo's entry of the last build's per-client data digests
CHANGED_FIRST_AT_MOST = 25  # client pages made before the rest when their client's data changed (a save, a response)
SHARED_DIGEST = "page-shared"  # the memo's entry of what every page of the last build shared (fingerprints.py)
FEW_CLIENTS = 10  # a rebuild after a change to no more clients' data than this is made in one process
ENVIRONMENT = "environment"  # the memo's held template environment (`SpeedSession.environment`)
EXACT_VALUES = "exact-values"  # the memo's held digests of exact page values (fingerprints.py `PageInputs.exact`)


@dataclass(frozen=True)
class Speed:
    """How fast to build: `Speed.on()` (the default) or `Speed.off()`, the plain path."""

    enabled: bool = True
    workers: int | None = None  # processes making pages; None: chosen from the cores and the portfolio's size
    kept: Kept | None = field(default=None, compare=False)  # the memo's entries in memory between builds (rapport serve)

    @classmethod
    def on(cls, workers: int | None = None, kept: Kept | None = None) -> Speed:
        """Every speed-up; `workers` processes make the pages (None: as many as pay); `kept`: the memo in memory too."""
        return cls(True, workers, kept)

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
    _data: tuple[Portfolio, DataDigests] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.memo = NO_MEMO
        if self.speed.enabled:
            self._disk = DiskMemo.for_data(self.data_dir, self.speed.kept)
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
            # the build's objects are all still in the youngest generation: the first collection after
            # this would walk every one of them (a tenth of a second at 1,000 clients). Moved to the
            # oldest instead, they are left to the collector's rare full passes, like any long-lived object.
            gc.freeze()
            gc.unfreeze()
            gc.enable()

    def beside(self, *functions: Callable[[], Any], portfolio: Portfolio) -> tuple[Later[Any], ...]:
        """Each function's value, made on the idle core meanwhile when that pays, in order: speed on, enough
        clients, and more than a rebuild after a change to a few clients' data (`_few_changed`).

        The functions take nothing: what they read is bound as their arguments before the fork.
        Each returned `Later` gives its value when called, made here if the fork did not.
        """
        fork = self.speed.enabled and self._workers(len(portfolio.clients)) >= 2 and not self._few_changed(portfolio)
        disk = self._disk
        pending = (lambda: disk.pending) if disk else None
        keep = (lambda entries: disk.pending.extend(entries)) if disk else None  # the list is replaced on flush
        # with no `Kept` to hold them in memory, the fork writes the entries it made, on its own core once its values
        # are sent, rather than sending them here to be written at the end of the build (the needles: megabytes)
        write = disk.write_now if disk is not None and disk.kept is None else None
        beside = Beside(functions, fork, pending, keep, write)
        self._beside.append(beside)
        return tuple(beside.later(index) for index in range(len(functions)))

    def environment(self, made: jinja2.Environment) -> jinja2.Environment:
        """`made`, or the environment of this process's last build (`rapport serve`), its templates compiled and loaded
        already, when every file its loaders read is as it was then (speed on)."""
        if not self.speed.enabled:
            return made
        key = templates_digest(made)
        if key is None:
            return made
        found = self.memo.held(ENVIRONMENT, [key])
        if isinstance(found, jinja2.Environment):
            return found
        self.memo.hold(ENVIRONMENT, [key], made)
        return made

    def page_digests(self, portfolio: Portfolio, environment: jinja2.Environment) -> Callable[[], PageInputs | None]:
        """What `run` keys the pages of this portfolio by, as a function to make beside the metrics (`beside`)."""
        if not self.speed.enabled:
            return lambda: None
        return lambda: page_digests(portfolio, environment, self.memo, self._data_digests(portfolio))

    def _data_digests(self, portfolio: Portfolio) -> DataDigests:
        """`data_digests` of the portfolio, made once per build (by `_few_changed`, or with the pages' digests)."""
        if self._data is None or self._data[0] is not portfolio:
            self._data = (portfolio, data_digests(portfolio, self.memo))
        return self._data[1]

    def _few_changed(self, portfolio: Portfolio, shared: bytes | None = None) -> bool:
        """A rebuild into the same output after a change to the data of a few clients at most (and, given `shared`,
        to nothing every page shares): chosen workers only (`Speed.workers` None).

        Such a build makes a few dozen pages; a second process would cost more than it saves: a fork
        of a process this size takes thousands of page faults from it (each page either process then
        writes is copied), and the values it makes must be unpickled here.
        """
        if self.speed.workers is not None or not self.speed.enabled:
            return False
        before = last_client_digests(self.memo, self.out_dir)
        if not before:
            return False  # a first build: nothing to compare with, and nothing digested before its fork
        if shared is not None and self.memo.get(SHARED_DIGEST, _client_digests_key(self.out_dir)) != shared:
            return False  # the templates, settings, report date or code changed: every page is made again
        now = self._data_digests(portfolio).clients
        changed = sum(before.get(client) != digest for client, digest in now.items()) + len(before.keys() - now.keys())
        return changed <= FEW_CLIENTS

    def run(self, plan: Plan, report: Report | None = None, digests: Callable[[], PageInputs | None] | None = None,
            meanwhile: Callable[[], bool] | None = None) -> list[BuiltFile]:
        """Every file of the plan, sorted by path: made, or (speed on) reused from the last build.

        `digests`, when given, returns what `page_digests` made for this plan's portfolio and environment;
        `meanwhile` is work for this process between its pages, while a second one makes others (generator/speed/workers.py).
        """
        if not self.speed.enabled:
            return sorted((item for job in plan.jobs for item in job.make()), key=lambda item: item.path)
        previous = self._previous_output()
        made = digests() if digests is not None else page_digests(plan.portfolio, plan.environment)
        held = self.memo.held(EXACT_VALUES, [])
        inputs = None if made is None else made.with_records(plan.portfolio, held if isinstance(held, dict) else None)
        self._writer = writer = OutputWriter(self.out_dir, background=True, previous=previous)
        kept: list[tuple[PageJob, str]] = []
        todo: list[tuple[PageJob, str | None]] = []
        cold = not previous.inputs  # no page of the last build to reuse: no digest is needed before the fork
        for job in plan.jobs:
            if inputs and job.key_name and (isinstance(job.inputs, (ValueInputs, ClientInputs)) or (cold and job.inputs is not None)):
                # a value's digest can cost as much as a small page, a thousand clients' rows as the rest of
                # this loop, and a first build reuses nothing: each is taken (and the file reused) by the
                # process that takes the job
                todo.append((job, None))
                continue
            key = inputs.of(job.inputs, job.key_name) if inputs and job.inputs and job.key_name else ""
            (kept if key and previous.made_from(job.paths, key) else todo).append((job, key))
        _compile_templates(plan.environment)  # once, before a worker is forked, rather than in each process
        # the pages of the clients whose data changed first, one a task: `rapport serve` shows each as it is staged
        workers = self._workers(len(plan.portfolio.clients))
        if inputs is not None and self._few_changed(plan.portfolio, inputs.shared):
            workers = 1
        first = self._changed_first(todo, inputs)
        tasks: list[Task] = [_tagged([pair], previous, inputs) for pair in first]
        # the memo's new entries are written by whichever process is free first
        tasks += [_aside(self._disk.writes() if self._disk else [])]
        taken = {id(job) for job, _ in first}
        tasks += [_tagged(chunk, previous, inputs) for chunk in _chunks([pair for pair in todo if id(pair[0]) not in taken])]
        results = run_tasks(tasks, workers, report, finish=writer.stage, meanwhile=meanwhile)
        if inputs is not None:  # the digests of exact values this process took, for the next build (`rapport serve`)
            self.memo.hold(EXACT_VALUES, [], inputs.exact)
        files = [item for result in results for item in result]
        for job, key in kept:
            found = previous.reuse_all(job.paths, key)
            files += found if found is not None else _tagged([(job, key)])()
        writer.start(files)  # records them, and stages the reused ones, beside the publish checks
        self._made = {item.path for item in files}
        return sorted(files, key=lambda item: item.path)

    def _changed_first(self, todo: list[tuple[PageJob, str | None]], inputs: PageInputs | None) -> list[tuple[PageJob, str | None]]:
        """The client pages of `todo` whose client's data differs from the last build's, when only a few do.

        The last build's per-client digests are kept in the memo; a first build (or one changing most
        clients) keeps the plan's order, so that its pages go in batches.
        """
        if inputs is None:
            return []
        before = last_client_digests(self.memo, self.out_dir)
        self.memo.put(CLIENT_DIGESTS, _client_digests_key(self.out_dir), inputs.data.clients)
        self.memo.put(SHARED_DIGEST, _client_digests_key(self.out_dir), inputs.shared)
        if not before:
            return []
        changed = set(changed_clients(before, inputs.data.clients, CHANGED_FIRST_AT_MOST))
        if not changed:
            return []
        return [pair for pair in todo if isinstance(pair[0].inputs, ClientInputs) and pair[0].inputs.client_id in changed]

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


def changed_clients(before: Mapping[str, bytes], now: Mapping[str, bytes], at_most: int) -> list[str]:
    """The clients whose data digest differs from `before` (new ones too), in `now`'s order; none when more than
    `at_most` did (an import, a template edit: nothing to put first)."""
    changed = [client for client, digest in now.items() if before.get(client) != digest]
    return changed if len(changed) <= at_most else []


def last_client_digests(memo: Memo, out_dir: Path) -> dict[str, bytes]:
    """Each client's data digest (generator/speed/fingerprints.py) as the last build into out_dir found it; {} if unknown."""
    found = memo.get(CLIENT_DIGESTS, _client_digests_key(out_dir))
    return found if isinstance(found, dict) else {}


def _client_digests_key(out_dir: Path) -> list[bytes]:
    return [str(Path(out_dir).resolve()).encode()]


def _chunks(jobs: list[tuple[PageJob, str | None]]) -> Iterator[list[tuple[PageJob, str | None]]]:
    """The jobs in plan order; consecutive jobs of one batch together, PAGES_PER_TASK at a time.

    A batch's last pages go a few at a time, so that the two processes run out of work at
    nearly the same moment rather than one waiting for the other's last batch.
    """
    for batch, group in itertools.groupby(jobs, key=lambda pair: pair[0].batch):
        members = list(group)
        size, start = (PAGES_PER_TASK if batch else 1), 0
        while start < len(members):
            step = size if len(members) - start > 2 * size else max(1, size // 5)
            yield members[start:start + step]
            start += step


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
