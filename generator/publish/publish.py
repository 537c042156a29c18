"""`rapport publish`: build, run the leak gate on what is on disk, and push exactly `public/`.

The push goes through ghp-import (a well-kept tool: one commit of a folder's exact contents on
a branch, with `.nojekyll` and an optional `CNAME`), run in the project's git repository. The
branch is first brought level with the remote's, so the new commit sits on top of what is
published and its diff shows only what changed.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from generator.build import build_site
from generator.errors import RapportError
from generator.files import OutputFile
from generator.forms.collector import DEFAULT_ENDPOINT
from generator.keys import site_secret
from generator.load import load_portfolio
from generator.model import Settings
from generator.safety import check_public
from generator.safety.leak_gate import read_public_folder
from generator.safety.passphrase import dashboard_passphrase, passphrase_source
from generator.speed.cache import DiskMemo


@dataclass(frozen=True)
class PublishResult:
    """What a publish did."""

    files: list[str]
    commit: str
    changed: bool
    pushed: bool
    notes: list[str] = field(default_factory=list)


def publish_site(
    data_dir: Path, out_dir: Path, remote: str = "origin", branch: str = "gh-pages", cname: str | None = None,
    dry_run: bool = False, as_of: dt.date | None = None, templates_dir: Path | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> PublishResult:
    """Build, check `out_dir/public` and commit it to `branch`; push it to `remote` unless dry_run."""
    repo = _repository(data_dir)
    _refuse_checked_out(repo, branch)
    say("building the site and running the leak gate…")
    build_site(data_dir, out_dir, as_of=as_of, templates_dir=templates_dir)
    portfolio = load_portfolio(data_dir, as_of)
    public = out_dir / "public"
    # the build checked what it wrote; this checks what is on disk now, stray files included
    on_disk = read_public_folder(public) + _read_folder(out_dir / "dashboard", "dashboard")
    # the build just kept what the gate derives (the common words, each text's fragments): read it back
    check_public(portfolio, on_disk, site_secret(data_dir), DiskMemo.for_data(data_dir))
    if not (public / "404.html").is_file():
        raise RapportError(f"{public}/404.html is missing; the build makes it, so build again")
    notes = _dashboard_notes(portfolio.settings.dashboards.publish, data_dir) + _form_notes(portfolio.settings)
    for note in notes:
        say(note)
    published = _level_with_remote(repo, remote, branch, dry_run, notes)
    commit = _commit(repo, public, branch, cname, portfolio.settings.business.name)
    changed = commit != published
    files = _git(repo, "ls-tree", "-r", "--name-only", commit).splitlines()
    pushed = False
    if changed and not dry_run:
        _git(repo, "push", remote, f"refs/heads/{branch}:refs/heads/{branch}")
        pushed = True
    return PublishResult(files, commit, changed, pushed, notes)


def _dashboard_notes(mode: str, data_dir: Path) -> list[str]:
    if mode == "omit":
        return ["note: dashboards are not published (dashboards.publish: omit)"]
    if dashboard_passphrase(data_dir) is None:
        return [
            "note: dashboards are not published: dashboards.publish is 'encrypted' but no passphrase is set "
            f"({passphrase_source(data_dir)}), so publish behaves as 'omit'"
        ]
    return []


def _form_notes(settings: Settings) -> list[str]:
    """A word when the published survey forms post to an address on the published site itself.

    The collector's default address, `/api/responses`, is on whatever host serves the page: right
    for `rapport serve`, but a static host (GitHub Pages) answers nothing there.
    """
    endpoint = settings.forms.endpoint or DEFAULT_ENDPOINT
    if settings.forms.backend != "collector" or endpoint.startswith(("https://", "http://")):
        return []
    posted_to = urljoin(settings.site.base_url, endpoint) if settings.site.base_url else endpoint
    return [
        f"note: the survey forms post to {posted_to} (forms.backend: collector); a static host such as GitHub "
        "Pages cannot receive them there. Run `rapport collect` where that address reaches it, or set "
        "forms.endpoint to the https:// address of your collector, or choose another forms.backend"
    ]


def _repository(data_dir: Path) -> Path:
    """The git work tree the project (the data folder's parent) is in."""
    project = data_dir.resolve().parent
    try:
        found = subprocess.run(["git", "-C", str(project), "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    except FileNotFoundError:
        raise RapportError("publish needs git, which is not installed") from None
    if found.returncode != 0:
        raise RapportError(f"publish needs a git repository: {project} is not in one (run `git init` there)")
    return Path(found.stdout.strip())


def _refuse_checked_out(repo: Path, branch: str) -> None:
    head = subprocess.run(["git", "-C", str(repo), "symbolic-ref", "-q", "HEAD"], capture_output=True, text=True)
    if head.stdout.strip() == f"refs/heads/{branch}":
        raise RapportError(f"the branch {branch} is checked out in {repo}; switch to another branch before publishing")


def _level_with_remote(repo: Path, remote: str, branch: str, dry_run: bool, notes: list[str]) -> str:
    """Point the local branch at the remote's, so the push is a fast-forward; the remote's commit or ''."""
    listed = subprocess.run(["git", "-C", str(repo), "ls-remote", "--heads", remote, f"refs/heads/{branch}"],
                            capture_output=True, text=True)
    if listed.returncode != 0:
        message = f"cannot reach the remote {remote!r}: {listed.stderr.strip()}"
        if not dry_run:
            raise RapportError(message)
        notes.append(f"note: {message}; the dry-run commit builds on the local {branch} branch")
        return ""
    published = listed.stdout.split()[0] if listed.stdout.strip() else ""
    if published:
        _git(repo, "fetch", "--quiet", remote, f"refs/heads/{branch}")
        _git(repo, "update-ref", f"refs/heads/{branch}", "FETCH_HEAD")
    return published


def _local_commit(repo: Path, branch: str) -> str:
    found = subprocess.run(["git", "-C", str(repo), "rev-parse", "-q", "--verify", f"refs/heads/{branch}^{{commit}}"],
                           capture_output=True, text=True)
    return found.stdout.strip() if found.returncode == 0 else ""


def _commit(repo: Path, public: Path, branch: str, cname: str | None, business: str) -> str:
    """One ghp-import commit of exactly `public/` (plus .nojekyll, CNAME); dropped again if nothing changed."""
    before = _local_commit(repo, branch)
    command = [sys.executable, "-m", "ghp_import", str(public.resolve()), "--no-jekyll", "--branch", branch,
               # the remote stays unused by ghp-import (we push ourselves); a name that is no remote keeps it from
               # resetting the branch to a stale remote-tracking copy
               "--remote", "rapport-none", "--message", f"Publish {business} (rapport publish)"]
    if cname:
        command += ["--cname", cname]
    environment = dict(os.environ)
    for variable, key, fallback in (("GIT_COMMITTER_NAME", "user.name", "Rapport"),
                                    ("GIT_COMMITTER_EMAIL", "user.email", "rapport@localhost")):
        if variable not in environment and not _config(repo, key):
            environment[variable] = fallback
    ran = subprocess.run(command, cwd=repo, capture_output=True, text=True, env=environment)
    after = _local_commit(repo, branch)
    if ran.returncode != 0 or not after or after == before:
        raise RapportError(f"ghp-import could not commit {public} to {branch}: {(ran.stderr or ran.stdout).strip()}")
    if before and _git(repo, "rev-parse", f"{after}^{{tree}}") == _git(repo, "rev-parse", f"{before}^{{tree}}"):
        _git(repo, "update-ref", f"refs/heads/{branch}", before, after)  # nothing changed: no empty commit
        return before
    return after


def _config(repo: Path, key: str) -> str:
    found = subprocess.run(["git", "-C", str(repo), "config", key], capture_output=True, text=True)
    return found.stdout.strip()


def _git(repo: Path, *arguments: str) -> str:
    ran = subprocess.run(["git", "-C", str(repo), *arguments], capture_output=True, text=True)
    if ran.returncode != 0:
        raise RapportError(f"git {' '.join(arguments)} failed: {ran.stderr.strip()}")
    return ran.stdout.strip()


def _read_folder(folder: Path, prefix: str) -> list[OutputFile]:
    if not folder.is_dir():
        return []
    return [OutputFile(f"{prefix}/{path.relative_to(folder).as_posix()}", path.read_bytes())
            for path in sorted(folder.rglob("*")) if path.is_file()]
