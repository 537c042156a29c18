"""`rapport digest`: write `dashboard/digest.html` and `dashboard/digest.eml` for the week up to the report date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from generator.cli import ISO_DATE, as_of_option, data_option, out_option, reports_errors, templates_option
from generator.errors import RapportError
from generator.plurals import plural


@click.command()
@data_option
@out_option
@as_of_option
@click.option("--since", type=ISO_DATE, default=None,
              help="First day of the period (default: 7 days before the report date).")
@templates_option
@reports_errors
def digest(data_dir: Path, out_dir: Path, as_of: dt.date | None, since: dt.date | None, templates_dir: Path | None) -> None:
    """Write the weekly digest: OUT/dashboard/digest.html and an e-mail to the business, OUT/dashboard/digest.eml."""
    from generator.charts import build_charts
    from generator.digest.mail import digest_message, digest_text
    from generator.digest.page import PAGE, render_email_html, render_page
    from generator.ingest.append import replace_atomically
    from generator.load import load_portfolio
    from generator.metrics import compute_reports
    from generator.metrics.digest import compute_digest, default_since
    from generator.templates import make_environment

    portfolio = load_portfolio(data_dir, as_of)
    reports = compute_reports(portfolio)
    since = since or default_since(portfolio.as_of)
    if since > portfolio.as_of:
        raise RapportError(f"--since {since} is after the report date {portfolio.as_of} (expected a day on or before it)")
    figures = compute_digest(portfolio, reports, since)
    environment = make_environment(templates_dir)
    page = render_page(portfolio, build_charts(portfolio, reports), environment, figures)
    folder = out_dir / "dashboard"
    html_path = folder / PAGE
    replace_atomically(html_path, page.content)
    written = [str(html_path)]
    business = portfolio.settings.business
    if business.email:
        names = {client.id: client.name for client in portfolio.clients}
        dashboard = (folder / "index.html").resolve().as_uri()
        message = digest_message(business, figures, digest_text(figures, names, dashboard),
                                 render_email_html(portfolio, environment, figures, dashboard))
        replace_atomically(folder / "digest.eml", message.as_bytes())
        written.append(str(folder / "digest.eml"))
    else:
        click.echo("warning: site.yaml has no business.email: no e-mail written (it goes from and to that address)", err=True)
    click.echo(f"wrote {' and '.join(written)}: {plural(len(figures.responses), 'new response')}, "
               f"{plural(len(figures.detractors), 'new detractor')}, {plural(len(figures.contacts), 'contact')}, "
               f"{plural(len(figures.followups_open), 'open follow-up')} ({figures.followups_overdue} overdue) "
               f"from {since.isoformat()} to {portfolio.as_of.isoformat()}")
