"""The build: seven stages, each a plain function of the one before (docs/architecture.md).

    load → compute_reports → build_charts → plan_pages → run → check_publishable → write

Only `write` touches the output folder, and only once everything is made and checked. The
speed layer (generator/speed/) runs the plan and writes the files; `Speed.off()` gives the same
bytes the plain way.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from generator.charts import build_charts
from generator.keys import site_secret
from generator.load import load_portfolio
from generator.load.ahead import ReadAhead
from generator.memo import Memo
from generator.metrics import compute_reports, response_tables
from generator.metrics.kpi import Point, earlier_snapshots, kept_snapshots, snapshots_key
from generator.portfolio import Portfolio
from generator.progress import Progress
from generator.render import plan_pages
from generator.safety import LeakGate, check_publishable
from generator.safety.leak_gate import private_needles
from generator.speed import Speed
from generator.templates import make_environment

# (key in BuildResult.stages, what the progress line says)
STAGES = (
    ("load", "loading data"),
    ("metrics", "computing metrics"),
    ("charts", "making charts"),
    ("plan", "planning pages"),
    ("render", "rendering pages"),
    ("publish", "encrypting and checking for leaks"),
    ("write", "writing output"),
)


@dataclass(frozen=True)
class BuildResult:
    """What a build produced."""

    files: int
    seconds: float
    stages: dict[str, float]  # seconds per stage, in the order of STAGES
    written: int  # files whose bytes changed since the last build
    notices: tuple[str, ...] = ()  # the portfolio's warnings, for the command to print


def build_site(
    data_dir: Path | str, out_dir: Path | str, as_of: dt.date | None = None, templates_dir: Path | None = None,
    progress: Progress | None = None, speed: Speed | None = None, ahead: ReadAhead | None = None,
    keep: list[object] | None = None, before_pages: Callable[[], None] | None = None,
) -> BuildResult:
    """Build `out_dir/public` and `out_dir/dashboard` from `data_dir`; nothing is written on failure.

    `ahead`: the data's largest files, being read by a fork since before the stages were imported
    (generator/cli.py `import_stages`). `keep`: a list the build's values are added to, for a caller
    that leaves the process at once (generator/cli.py `exit_now`) and so need not take them apart.
    `before_pages`: called once the figures are made, before the first page is; it may raise to stop the build,
    which then writes nothing (generator/ingest/serve.py: a save was still being written as the build began).
    """
    started = time.perf_counter()
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    progress = progress or Progress(STAGES)
    with progress, (speed or Speed.on()).session(data_dir, out_dir) as fast:
        progress.stage("load")
        portfolio = load_portfolio(data_dir, as_of, fast.memo, ahead)
        progress.stage("metrics")
        secret, environment = site_secret(data_dir), fast.environment(make_environment(templates_dir))
        # what needs the portfolio only: made on the idle core while this one computes the rest of the
        # metrics, in the order they are asked for
        key = snapshots_key(portfolio, fast.memo)  # made once, for the look-up here and the snapshots made beside
        kept = kept_snapshots(portfolio, fast.memo, key)
        first, digests, needles = fast.beside(
            _beside_metrics(portfolio, fast.memo, kept, key), fast.page_digests(portfolio, environment),
            partial(private_needles, portfolio, secret, fast.memo), portfolio=portfolio)
        if kept is None:  # the fork makes the snapshots, this process the response tables
            reports = compute_reports(portfolio, fast.memo, earlier=first)
        else:  # made here, the tables are made from the metrics' own inputs rather than from the portfolio again
            reports = compute_reports(portfolio, fast.memo, earlier=lambda: kept, tables=None if first.here else first)
        progress.stage("charts")
        charts = build_charts(portfolio, reports, fast.memo)
        progress.stage("plan")
        plan = plan_pages(portfolio, reports, charts, environment, secret, fast.memo)
        if before_pages is not None:
            before_pages()
        progress.stage("render")
        # the leak gate's automaton: made by this process between its pages, once the needles are in
        gate = LeakGate(portfolio, secret, fast.memo, needles)
        pages = fast.run(plan, progress.advance, digests, meanwhile=gate.prepare)
        progress.stage("publish")
        pages = check_publishable(portfolio, pages, environment, secret, fast.memo, gate)
        progress.stage("write")
        written = fast.write(pages)
    if keep is not None:  # freed as this returns, their million objects would cost 0.05 s at 1,000 clients
        keep += [portfolio, reports, charts, plan, pages, gate, environment]
    return BuildResult(written.files, time.perf_counter() - started, progress.durations, written.written, portfolio.notices)


def _beside_metrics(portfolio: Portfolio, memo: Memo, kept: list[dict[str, Point]] | None,
                    key: list[bytes]) -> Callable[[], Any]:
    """The part of the metrics the idle core makes: the response tables, or the earlier snapshots when the memo
    has not kept them (a first build), as these then take longer than the tables, which this process makes."""
    if kept is None:
        return partial(earlier_snapshots, portfolio, memo, key)
    return partial(response_tables, portfolio)
