"""`rapport publish`: the command line over generator.publish.publish."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from generator.cli import as_of_option, data_option, out_option, reports_errors, templates_option


@click.command()
@data_option
@out_option
@as_of_option
@templates_option
@click.option("--remote", default="origin", show_default=True,
              help="Git remote to push to: a remote's name or a repository URL or path.")
@click.option("--branch", default="gh-pages", show_default=True, help="Branch GitHub Pages serves.")
@click.option("--cname", default=None, help="Custom domain for the site, written to CNAME (e.g. feedback.example.com).")
@click.option("--dry-run", is_flag=True,
              help="Build, check and commit to the local branch, list the files; push nothing.")
@reports_errors
def publish(data_dir: Path, out_dir: Path, as_of: dt.date | None, templates_dir: Path | None,
            remote: str, branch: str, cname: str | None, dry_run: bool) -> None:
    """Build, check for client data, and push exactly OUT/public to GitHub Pages."""
    from generator.keys import refuse_sample
    from generator.publish.publish import publish_site

    refuse_sample(data_dir)  # a missing or different secret, or the public sample's, stops here (exit 2)
    result = publish_site(data_dir, out_dir, remote=remote, branch=branch, cname=cname, dry_run=dry_run,
                          as_of=as_of, templates_dir=templates_dir, say=lambda line: click.echo(line, err=True))
    count = f"{len(result.files):,} file{'s' if len(result.files) != 1 else ''}"
    if dry_run:
        for name in result.files:
            click.echo(name)
        state = "changes" if result.changed else "no changes"
        click.echo(f"dry run: {count} ({state}) committed to the local branch {branch} as {result.commit[:12]}; "
                   f"nothing was pushed (inspect it with `git show --stat {branch}`)")
    elif result.pushed:
        click.echo(f"published {count} to {remote} {branch} ({result.commit[:12]})")
    else:
        click.echo(f"nothing to publish: {remote} {branch} already has exactly these {count}")
