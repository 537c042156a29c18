"""`rapport link CLIENT`: a client's personal survey links, due or not, to send when you choose."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli import data_option, reports_errors
from generator.errors import RapportError, did_you_mean


@click.command()
@click.argument("client")
@click.option("--survey", "survey_id", default=None, help="Only this survey's link (default: every survey's).")
@data_option
@reports_errors
def link(client: str, survey_id: str | None, data_dir: Path) -> None:
    """Print CLIENT's personal link to each survey (needs the site secret, like the build)."""
    from generator.keys import resolve_secret
    from generator.load import load_portfolio
    from generator.render.surveys import survey_page_path
    from generator.tokens import survey_token

    secret = resolve_secret(data_dir)
    portfolio = load_portfolio(data_dir)
    ids = [c.id for c in portfolio.clients]
    if client not in ids:
        raise RapportError(f"no client '{client[:60]}' in {data_dir}/clients.yaml{did_you_mean(client, ids)}")
    surveys = [s for s in portfolio.surveys if survey_id in (None, s.id)]
    if not surveys:
        raise RapportError(f"no survey '{(survey_id or '')[:60]}' in {data_dir}/surveys/"
                           f"{did_you_mean(survey_id or '', [s.id for s in portfolio.surveys])}")
    base = portfolio.settings.site.base_url
    language = next(c.language for c in portfolio.clients if c.id == client)  # the page in the client's language
    for survey in surveys:
        token = survey_token(secret.value, survey.id, client)
        page = survey_page_path(survey.id, language, portfolio.settings.site.language)
        # the token rides in the fragment: no server or log sees it (docs/privacy.md)
        where = f"{base.rstrip('/')}/{page}#t={token}" if base else f"output/public/{page}index.html#t={token}"
        click.echo(f"{survey.id}: {where}")
    if not base:
        click.echo(f"note: set site.base_url in {data_dir}/site.yaml to the published site's address: the links "
                   "above are the built pages on this computer", err=True)
