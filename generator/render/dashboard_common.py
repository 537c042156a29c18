"""What every dashboard page shares: navigation, export links, the page context and its writer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import jinja2
from markupsafe import Markup, escape

from generator.charts import Charts
from generator.files import OutputFile
from generator.portfolio import Portfolio
from generator.render.common import root_prefix
from generator.render.dashboard_html import chart_html, date_html, figure_html, risk_html, table_rows
from generator.render.exports import export_links


@dataclass
class DashboardSite:
    """The inputs of every dashboard page, and the one place a page is rendered."""

    portfolio: Portfolio
    charts: Charts
    environment: jinja2.Environment
    secret: bytes = b""  # the site secret: client pages show their personal links (render/links.py)
    cache: dict[str, Any] = field(default_factory=dict)  # what several pages share, made once
    _templates: dict[str, jinja2.Template] = field(default_factory=dict)
    _chromes: dict[tuple[str, str, str], tuple[Markup, Markup]] = field(default_factory=dict)

    @property
    def as_of(self) -> dt.date:
        """The report date."""
        return self.portfolio.as_of

    def navigation(self) -> list[tuple[str, str, str]]:
        """(href from the dashboard root, label, key) of every page in the top navigation."""
        links = [("index.html", "Overview", "overview"), ("clients/index.html", "Clients", "clients"),
                 ("inbox.html", "Feedback inbox", "inbox"),
                 ("calendar.html", "Calendar", "calendar"), ("invitations.html", "Invitations", "invitations")]
        return links + [(f"surveys/{s.id}.html", s.title, f"survey-{s.id}") for s in self.portfolio.surveys]

    def template(self, name: str) -> jinja2.Template:
        """A template, loaded once per build."""
        if name not in self._templates:
            self._templates[name] = self.environment.get_template(name)
        return self._templates[name]

    def page(self, template: str, path: str, current: str, **context: Any) -> OutputFile:
        """Render one page at `dashboard/<path>`; links inside it are relative to `root`."""
        settings = self.portfolio.settings
        root = root_prefix(path)
        navigation_list, export_list = self._chrome(root, current)
        html = self.template(template).render(
            business=settings.business, site=settings.site, as_of=self.as_of, root=root,
            navigation=self._navigation, current=current, exports=self._exports, minimum=self.charts.data.minimum,
            navigation_list=navigation_list, export_list=export_list,
            table_rows=table_rows, chart=chart_html, date=date_html, risk=risk_html, score=figure_html,
            **context,
        )
        return OutputFile(f"dashboard/{path}", html.encode("utf-8"))

    def _chrome(self, root: str, current: str) -> tuple[Markup, Markup]:
        """The top navigation's `<ul>` and the footer's export links, as _base_dashboard.html shows them:
        the same on a thousand client pages, so written once per root and current page."""
        key = ("chrome", root, current)
        if key not in self._chromes:
            marked = ' aria-current="page"'
            items = "".join(f'<li><a href="{escape(root)}{escape(href)}"{marked if name == current else ""}>{escape(label)}</a></li>\n'
                            for href, label, name in self._navigation)
            exports = " · ".join(f'<a href="{escape(root)}{escape(href)}">{escape(label)}</a>' for href, label in self._exports)
            self._chromes[key] = (Markup(f"<ul>\n{items}</ul>"), Markup(exports))
        return self._chromes[key]

    def __post_init__(self) -> None:
        self._navigation = self.navigation()
        self._exports = export_links(self.portfolio)


def days_between(later: dt.date | None, earlier: dt.date) -> int | None:
    """Whole days from `earlier` to `later`, None when `later` is unknown."""
    return None if later is None else (later - earlier).days


def money(value: float | None) -> str:
    """A monthly fee as shown: thousands separated, cents only when there are any."""
    if value is None:
        return "—"
    return f"{value:,.2f}" if value % 1 else f"{value:,.0f}"


def status(row: dict[str, Any]) -> str:
    """Active, ended on a date, or not started yet."""
    if row["active"]:
        return "new" if row.get("new") else "active"  # new: less than one full period of records
    return f"ended {row['ended'].isoformat()}" if row["ended"] else "not started"
