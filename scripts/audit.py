"""`make audit`: Lighthouse scores of a survey page and the dashboards, mobile and desktop.

Builds the sample into a temporary folder, serves it on 127.0.0.1, runs Lighthouse
(node_modules, Debian's Chromium) on each page, and prints one table. Not part of
`make test`: a Lighthouse run takes about 12 s a page.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.build import build_site  # noqa: E402
from generator.load import load_portfolio  # noqa: E402

LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = ("--headless --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-free like GitHub Pages' worst case, no request log."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve folder on 127.0.0.1 and yield the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        thread.join()


def lighthouse(url: str, form_factor: str, report: Path) -> dict[str, object]:
    """Run Lighthouse once; return category scores (0–100) and failed SEO audits."""
    command = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={report}", "--quiet",
               f"--chrome-flags={CHROME_FLAGS}", f"--only-categories={','.join(CATEGORIES)}"]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"})
    result = json.loads(report.read_text(encoding="utf-8"))
    scores = {name: round(result["categories"][name]["score"] * 100) for name in CATEGORIES}
    seo_refs = [ref["id"] for ref in result["categories"]["seo"]["auditRefs"] if ref["weight"] > 0]
    failed_seo = [ref for ref in seo_refs if (result["audits"][ref].get("score") is not None and result["audits"][ref]["score"] < 1)]
    return {**scores, "failed_seo": failed_seo}


def main() -> None:
    """Build, serve, audit, print."""
    if not LIGHTHOUSE.exists():
        sys.exit("error: Lighthouse is not installed: run `npm ci` (make audit does)")
    work = Path(tempfile.mkdtemp(prefix="rapport-audit-"))
    build_site(REPO / "data", work / "output")
    portfolio = load_portfolio(REPO / "data")
    survey = portfolio.surveys[0]
    client = next(c for c in portfolio.clients if c.ended is None and c.agreement.start <= portfolio.as_of)
    pages = {
        "survey page": f"survey/{survey.id}/index.html",
        "dashboard overview": "dashboard/index.html",
        "client page": f"dashboard/clients/{client.id}.html",
    }
    # the published layout, with the plain dashboards where the encrypted ones would be
    site = work / "site"
    shutil.copytree(work / "output" / "public", site)
    shutil.rmtree(site / "dashboard", ignore_errors=True)
    shutil.copytree(work / "output" / "dashboard", site / "dashboard")
    rows = []
    with serve(site) as base:
        for name, path in pages.items():
            for form_factor in ("mobile", "desktop"):
                scores = lighthouse(base + path, form_factor, work / f"{name}-{form_factor}.json".replace(" ", "-"))
                rows.append((name, form_factor, scores))
    print(f"{'page':<20} {'device':<8} {'perf':>5} {'a11y':>5} {'best':>5} {'seo':>5}  SEO audits failed")
    for name, form_factor, scores in rows:
        print(f"{name:<20} {form_factor:<8} {scores['performance']:>5} {scores['accessibility']:>5} "
              f"{scores['best-practices']:>5} {scores['seo']:>5}  {', '.join(scores['failed_seo']) or '—'}")
    print(f"(reports in {work})")


if __name__ == "__main__":
    main()
