"""The build: load → metrics → charts → render → publish checks → write, each a function of the one before."""

from __future__ import annotations

import datetime as dt
import functools
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.charts import Charts, build_data, earlier_snapshots, quarter_ends, snapshots_key
from generator.keys import site_secret
from generator.load import load_portfolio
from generator.load.cache import LoadCache
from generator.metrics import compute_reports
from generator.parallel import Background, default_workers
from generator.portfolio import Portfolio
from generator.progress import Progress
from generator.publish import leak_gate, publish_stage
from generator.render import PARALLEL_FROM_CLIENTS, RenderInput, collector_paused, render_site
from generator.render.fingerprints import DataDigests, data_digests
from generator.templates import compiled_templates, make_environment
from generator.write import OutputWriter, Previous, WriteResult

_FROZEN = False  # see _freeze_what_lives_long
# (key in BuildResult.stages, what the progress line says)
STAGES = (
    ("load", "loading data"),
    ("metrics", "computing metrics"),
    ("charts", "making charts"),
    ("render", "rendering pages"),
    ("publish", "encrypting and checking for leaks"),
    ("write", "writing output"),
)


@dataclass(frozen=True)
class BuildResult:
    """What a build produced."""

    files: int
    seconds: float
    stages: dict[str, float]  # seconds per stage, in order: load, metrics, charts, render, publish, write
    written: int  # files whose bytes changed since the last build
    notices: tuple[str, ...] = ()  # the portfolio's warnings, for the command to print


def build_site(
    data_dir: Path | str, out_dir: Path | str, as_of: dt.date | None = None, templates_dir: Path | None = None,
    progress: Progress | None = None, workers: int | None = None,
) -> BuildResult:
    """Build `out_dir/public` and `out_dir/dashboard` from `data_dir`; nothing is written on failure.

    `workers` is how many processes render pages (None: chosen from the cores and the portfolio's size).
    """
    started = time.perf_counter()
    _freeze_what_lives_long()
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    progress = progress or Progress(STAGES)
    try:
        # every object made here lives until the end of the build: collecting cycles would only walk them
        with collector_paused():
            progress.stage("load")
            # files loaded afresh go into the load cache while the pages render, on whichever core is free
            cache_writes: list[Callable[[], None]] = []
            portfolio = load_portfolio(data_dir, as_of, cache_writes)
            written = _after_load(portfolio, data_dir, out_dir, templates_dir, progress, workers, cache_writes)
    finally:
        progress.finish()
    return BuildResult(written.files, time.perf_counter() - started, progress.durations, written.written, portfolio.notices)


def _freeze_what_lives_long() -> None:
    """Put what is alive before the first build (the modules, mostly) out of the collector's way, once.

    Python's cycle collector walks every object it tracks at each full collection, and once more
    when the process exits: the hundreds of thousands of objects of pandas, numpy, pydantic and
    jinja2 live as long as the process anyway. Frozen (`gc.freeze`), they are never walked again:
    `rapport build` exits a tenth of a second sooner, and forked workers share their memory pages.
    """
    global _FROZEN
    if not _FROZEN:
        gc.freeze()
        _FROZEN = True


def _after_load(
    portfolio: Portfolio, data_dir: Path, out_dir: Path, templates_dir: Path | None, progress: Progress,
    workers: int | None, cache_writes: list[Callable[[], None]],
) -> WriteResult:
    """The stages after the load: metrics, charts, render, publish, write."""
    # pages whose inputs did not change are taken from the last build, unread when untouched since
    cache = LoadCache.for_data(data_dir)
    stamps_key = [str(out_dir.resolve()).encode()]
    previous = Previous.read(out_dir)
    previous = previous.with_stamps(cache.get("output-stamps", [*stamps_key, previous.digest.encode()]))
    # the KPI tiles' earlier quarter ends, the digests of each client's data and the leak gate's
    # needles need the portfolio only: a second core makes them while this one computes the metrics;
    # a rebuild's second core has little else to do (its caches answer): it makes the needles too
    rebuild = bool(previous.files)
    beside = Background(lambda: _beside_metrics(portfolio, rebuild), enabled=_parallel(portfolio, workers))
    try:
        progress.stage("metrics")
        reports = compute_reports(portfolio)
        progress.stage("charts")
        data = build_data(portfolio, reports)  # while the second core finishes; the figures are made by the pages
        earlier, digests, needles = beside.result()
        if needles is not None:
            leak_gate.adopt(portfolio, needles)
        charts = Charts(portfolio, reports, data, earlier)
    finally:
        beside.cancel()
    progress.stage("render")
    source = RenderInput(portfolio, reports, site_secret(data_dir), charts, previous, digests)
    environment = make_environment(templates_dir)
    environment.bytecode_cache = compiled_templates()  # compiled once, not per build
    # the pages are staged (beside the output, which stays untouched) by the process that makes
    # them, as it makes them; the old tree, when one is replaced, is deleted after we return
    writer = OutputWriter(out_dir, background=True, previous=previous)
    try:
        files = render_site(source, environment, workers, progress.advance, side_tasks=cache_writes,
                            local=[functools.partial(leak_gate.prepare, portfolio)],  # unless made already
                            finish=writer.stage)
        writer.start(files)  # records them, and stages the rest (reused files) beside the publish checks
        progress.stage("publish")
        published = publish_stage(portfolio, files, data_dir, templates_dir)  # encrypted dashboards, the leak gate
        progress.stage("write")
        rendered = {id(item) for item in files}
        written = writer.commit(item for item in published if id(item) not in rendered)
    except BaseException:
        writer.discard()
        raise
    cache.put("output-stamps", [*stamps_key, writer.manifest_digest.encode()], writer.stamps)
    return written


def _beside_metrics(portfolio: Portfolio, needles: bool) -> tuple[list, DataDigests, tuple | None]:
    """The KPI tiles' earlier quarter ends, the data's digests (both cached while their inputs stay
    the same) and, if asked, the leak gate's needles: what needs the portfolio only."""
    cache = LoadCache.for_data(portfolio.data_dir)
    digests = data_digests(portfolio, cache, until=quarter_ends(portfolio.as_of, 1)[-1])
    key = snapshots_key(portfolio, digests.records, list(digests.until.values()))
    earlier = cache.load("kpi-snapshots", key, lambda: earlier_snapshots(portfolio), [])
    return earlier, digests, leak_gate.prepare(portfolio) if needles else None


def _parallel(portfolio: Portfolio, workers: int | None) -> bool:
    """Whether a second process is worth starting: asked for, or a large portfolio and a second core."""
    if workers is not None:
        return workers >= 2
    return len(portfolio.clients) >= PARALLEL_FROM_CLIENTS and default_workers() >= 2
