"""The render stage: every page of the site as bytes, nothing written yet."""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from generator.metrics import Reports
from generator.portfolio import Portfolio
from generator.render.dashboard import render_dashboard
from generator.render.public import render_public
from generator.write import OutputFile

__all__ = ["RenderInput", "render_site"]


@dataclass(frozen=True)
class RenderInput:
    """What the pages are made from."""

    portfolio: Portfolio
    reports: Reports
    secret: bytes


def render_site(source: RenderInput, environment: jinja2.Environment) -> list[OutputFile]:
    """The public site under `public/` and the private dashboards under `dashboard/`."""
    files = render_public(source.portfolio, source.reports, source.secret, environment)
    files += render_dashboard(source.portfolio, source.reports, source.secret, environment)
    return sorted(files, key=lambda item: item.path)
