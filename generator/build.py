"""The build: load → metrics → charts → render → publish checks → write, each a function of the one before."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from generator.charts import build_charts
from generator.keys import site_secret
from generator.load import load_portfolio
from generator.metrics import compute_reports
from generator.progress import Progress
from generator.publish import publish_stage
from generator.render import RenderInput, collector_paused, render_site
from generator.templates import make_environment
from generator.write import write_output

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


def build_site(
    data_dir: Path | str, out_dir: Path | str, as_of: dt.date | None = None, templates_dir: Path | None = None,
    progress: Progress | None = None, workers: int | None = None,
) -> BuildResult:
    """Build `out_dir/public` and `out_dir/dashboard` from `data_dir`; nothing is written on failure.

    `workers` is how many processes render pages (None: chosen from the cores and the portfolio's size).
    """
    started = time.perf_counter()
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    progress = progress or Progress(STAGES)
    try:
        # every object made here lives until the end of the build: collecting cycles would only walk them
        with collector_paused():
            progress.stage("load")
            portfolio = load_portfolio(data_dir, as_of)
            progress.stage("metrics")
            reports = compute_reports(portfolio)
            progress.stage("charts")
            charts = build_charts(portfolio, reports)
            progress.stage("render")
            source = RenderInput(portfolio, reports, site_secret(data_dir), charts)
            files = render_site(source, make_environment(templates_dir), workers, progress.advance)
            progress.stage("publish")
            files = publish_stage(portfolio, files, data_dir, templates_dir)  # encrypted dashboards, then the leak gate
            progress.stage("write")
            written = write_output(files, out_dir, background=True)  # the old tree is deleted after we return
    finally:
        progress.finish()
    return BuildResult(written.files, time.perf_counter() - started, progress.durations, written.written)
