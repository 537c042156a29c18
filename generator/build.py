"""The build: load → metrics → render → publish checks → write, each a function of the one before."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from generator.keys import site_secret
from generator.load import load_portfolio
from generator.metrics import compute_reports
from generator.progress import Progress
from generator.publish import publish_stage
from generator.render import RenderInput, render_site
from generator.templates import make_environment
from generator.write import write_output


@dataclass(frozen=True)
class BuildResult:
    """What a build produced."""

    files: int
    seconds: float
    stages: dict[str, float]  # seconds per stage, in order
    written: int  # files whose bytes changed since the last build


def build_site(
    data_dir: Path | str, out_dir: Path | str, as_of: dt.date | None = None, templates_dir: Path | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build `out_dir/public` and `out_dir/dashboard` from `data_dir`; nothing is written on failure."""
    started = time.perf_counter()
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    progress = progress or Progress(stages=5)
    try:
        progress.stage("loading data")
        portfolio = load_portfolio(data_dir, as_of)
        progress.stage("computing metrics")
        reports = compute_reports(portfolio)
        progress.stage("rendering pages")
        files = render_site(RenderInput(portfolio, reports, site_secret(data_dir)), make_environment(templates_dir))
        progress.stage("encrypting and checking for leaks")
        files = publish_stage(portfolio, files, data_dir, templates_dir)  # encrypted dashboards, then the leak gate
        progress.stage("writing output")
        written = write_output(files, out_dir)
    finally:
        progress.finish()
    return BuildResult(written.files, time.perf_counter() - started, progress.durations, written.written)
