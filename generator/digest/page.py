"""The digest as HTML: `dashboard/digest.html` (the dashboards' look) and the e-mail's HTML part (no external assets)."""

from __future__ import annotations

from typing import Any

import jinja2

from generator.charts import Charts
from generator.files import OutputFile
from generator.metrics.digest import RENEWAL_DAYS, Digest
from generator.portfolio import Portfolio
from generator.render.dashboard_common import DashboardSite

PAGE = "digest.html"


def _context(portfolio: Portfolio, digest: Digest) -> dict[str, Any]:
    return {"digest": digest, "names": {client.id: client.name for client in portfolio.clients}, "renewal_days": RENEWAL_DAYS}


def render_page(portfolio: Portfolio, charts: Charts, environment: jinja2.Environment, digest: Digest) -> OutputFile:
    """`dashboard/digest.html`, beside the overview it links to."""
    site = DashboardSite(portfolio, charts, environment)
    return site.page("dashboard_digest.html", PAGE, "digest", **_context(portfolio, digest))


def render_email_html(portfolio: Portfolio, environment: jinja2.Environment, digest: Digest, dashboard: str) -> str:
    """The e-mail's HTML part: the same content, self-contained (a mail client loads no stylesheet or script)."""
    settings = portfolio.settings
    return environment.get_template("digest_email.html").render(
        business=settings.business, site=settings.site, dashboard=dashboard, **_context(portfolio, digest))
