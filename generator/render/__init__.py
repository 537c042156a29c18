"""The render stage: every page of the site as bytes, nothing written yet."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jinja2

from generator.charts import Charts, build_charts
from generator.metrics import Reports
from generator.parallel import Finish, Report, default_workers, run_tasks
from generator.portfolio import Portfolio
from generator.render.dashboard import collector_paused, dashboard_tasks
from generator.render.fingerprints import DataDigests, page_inputs
from generator.render.public import public_tasks
from generator.write import BuiltFile, Previous

__all__ = ["PARALLEL_FROM_CLIENTS", "RenderInput", "collector_paused", "render_site"]

# Below this many clients a build takes a fraction of a second and a second process costs more than it saves.
PARALLEL_FROM_CLIENTS = 150


@dataclass(frozen=True)
class RenderInput:
    """What the pages are made from; the charts are made from the reports when not given."""

    portfolio: Portfolio
    reports: Reports
    secret: bytes
    charts: Charts | None = None
    previous: Previous | None = None  # the last build's output, whose unchanged pages are reused
    digests: DataDigests | None = None  # render/fingerprints.py, when made already


def render_site(
    source: RenderInput, environment: jinja2.Environment, workers: int | None = None, report: Report | None = None,
    side_tasks: Sequence[Callable[[], object]] = (), local: Sequence[Callable[[], object]] = (),
    finish: Finish | None = None,
) -> list[BuiltFile]:
    """The public site under `public/` and the private dashboards under `dashboard/`.

    `workers` processes share the pages (generator/parallel.py); by default two on a machine with
    two cores or more, for portfolios large enough to gain from it. `report(done, total)` hears
    how far the tasks are. `side_tasks` are done on the way, by whichever process is free (a
    build writes its load cache so); what they return is not used. `local` work is done in this
    process while the worker takes its first pages (a build prepares its leak gate so). `finish` is applied
    to each task's files by the process that made them (a build stages them for writing so).
    """
    if workers is None:
        workers = default_workers() if len(source.portfolio.clients) >= PARALLEL_FROM_CLIENTS else 1
    with collector_paused():
        _compile_templates(environment)  # here, before a worker is forked, rather than in each process
        charts = source.charts or build_charts(source.portfolio, source.reports)
        # digests of what pages are made from: recorded for the next build, compared with the last one's
        inputs = None if source.previous is None else page_inputs(source.portfolio, environment, source.digests)
        tasks, reuse = dashboard_tasks(source.portfolio, source.reports, source.secret, environment, charts,
                                       source.previous, inputs)
        tasks += public_tasks(source.portfolio, source.reports, source.secret, environment)
        # first: the longest of the tasks; the short ones last keep both processes busy to the end
        tasks[:0] = [functools.partial(_aside, task) for task in side_tasks]
        # the reused files are read (and checked) here, on a thread beside this process's pages
        reused: list[BuiltFile] = []
        files = [item for result in run_tasks(tasks, workers, report, local, lambda: reused.extend(reuse()), finish)
                 for item in result]
        files += reused
    return sorted(files, key=lambda item: item.path)


def _compile_templates(environment: jinja2.Environment) -> None:
    """Load every page template once; one that fails is left to fail where it is used."""
    for name in environment.list_templates(extensions=["html"]):
        try:
            environment.get_template(name)
        except jinja2.TemplateError:
            continue


def _aside(task: Callable[[], object]) -> list[BuiltFile]:
    task()
    return []
