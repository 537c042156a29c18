"""`make audit`: Lighthouse medians of the dashboards and a survey page, mobile and desktop.

Writes `rapport demo --clients 1000` (or audits `--data DIR`) into a temporary folder, builds it,
serves the published layout on 127.0.0.1, runs Lighthouse (node_modules, Debian's Chromium)
three times on each page and form factor, and prints the median of each category. The targets
(docs/dashboards.md): performance ≥ 90 on mobile and ≥ 95 on desktop, accessibility and best
practices 100. Not part of `make test`: a Lighthouse run takes 12–30 s on a shared machine.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.build import build_site  # noqa: E402
from generator.demo import write_demo  # noqa: E402
from generator.keys import SAMPLE_SECRET, record_fingerprint  # noqa: E402
from generator.load import load_portfolio  # noqa: E402

LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = ("--headless --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {("performance", "mobile"): 90, ("performance", "desktop"): 95, ("accessibility", ""): 100,
           ("best-practices", ""): 100}
PAGES = ("overview", "client page", "survey page", "inbox")
DEVICES = ("mobile", "desktop")
# the audits that explain a performance score, printed beside it
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-free like a plain static host's worst case, no request log."""

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


def lighthouse(url: str, form_factor: str, report: Path) -> dict[str, float]:
    """Run Lighthouse once; return the category scores (0–100) and the timing metrics (ms)."""
    command = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={report}", "--quiet",
               f"--chrome-flags={CHROME_FLAGS}", f"--only-categories={','.join(CATEGORIES)}"]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"})
    result = json.loads(report.read_text(encoding="utf-8"))
    scores = {name: round((result["categories"][name]["score"] or 0) * 100) for name in CATEGORIES}
    return {**scores, **{name: result["audits"][name].get("numericValue") or 0 for name in METRICS}}


def failed_audits(report: Path) -> list[str]:
    """The accessibility and best-practices audits that did not pass, in one run's report."""
    result = json.loads(report.read_text(encoding="utf-8"))
    failed = []
    for category in ("accessibility", "best-practices"):
        for ref in result["categories"][category]["auditRefs"]:
            audit = result["audits"][ref["id"]]
            if ref["weight"] > 0 and audit.get("score") is not None and audit["score"] < 1:
                failed.append(ref["id"])
    return failed


def portfolio_folder(work: Path, data: Path | None, clients: int) -> Path:
    """The data folder to audit: the one given, or a demo of `clients` clients written into `work`."""
    if data is not None:
        return data
    folder = work / "data"
    write_demo(folder, clients=clients)
    record_fingerprint(folder, SAMPLE_SECRET.encode())
    return folder


def audited_pages(data: Path, dashboard: Path) -> dict[str, str]:
    """The four pages of issue #17: overview, the longest active client page, a survey page, the inbox."""
    portfolio = load_portfolio(data)
    active = [c.id for c in portfolio.clients if c.ended is None and c.agreement.start <= portfolio.as_of]
    client = max(active, key=lambda cid: ((dashboard / "clients" / f"{cid}.html").stat().st_size, cid))
    paths = ("dashboard/index.html", f"dashboard/clients/{client}.html", f"survey/{portfolio.surveys[0].id}/index.html",
             "dashboard/inbox.html")
    return dict(zip(PAGES, paths, strict=True))


def verdict(category: str, form_factor: str, value: float) -> str:
    """'' when the median meets its target, else '!'."""
    target = TARGETS.get((category, form_factor), TARGETS.get((category, ""), 0))
    return "" if value >= target else "!"


def main() -> None:
    """Build, serve, audit each page `--runs` times, print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000, help="clients in the demo portfolio (default 1000)")
    parser.add_argument("--data", type=Path, help="audit this data folder instead of a demo")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page and form factor (default 3)")
    parser.add_argument("--page", action="append", choices=PAGES, help="audit only this page (repeatable)")
    parser.add_argument("--device", action="append", choices=DEVICES, help="audit only this form factor (repeatable)")
    arguments = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("error: Lighthouse is not installed: run `npm ci` (make audit does)")
    work = Path(tempfile.mkdtemp(prefix="rapport-audit-"))
    data = portfolio_folder(work, arguments.data, arguments.clients)
    print(f"building {data} into {work / 'output'} …", file=sys.stderr)
    build_site(data, work / "output")
    pages = audited_pages(data, work / "output" / "dashboard")
    # the published layout, with the plain dashboards where the encrypted ones would be
    site = work / "site"
    shutil.copytree(work / "output" / "public", site)
    shutil.rmtree(site / "dashboard", ignore_errors=True)
    shutil.copytree(work / "output" / "dashboard", site / "dashboard")
    rows = []
    with serve(site) as base:
        for name, path in pages.items():
            if arguments.page and name not in arguments.page:
                continue
            for form_factor in arguments.device or DEVICES:
                runs = []
                for run in range(1, arguments.runs + 1):
                    report = work / f"{name}-{form_factor}-{run}.json".replace(" ", "-")
                    runs.append(lighthouse(base + path, form_factor, report))
                median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
                rows.append((name, form_factor, median, [run["performance"] for run in runs], failed_audits(report)))
    print(f"Lighthouse 12, median of {arguments.runs} runs; ! = below target "
          "(performance 90 mobile / 95 desktop; accessibility and best practices 100)")
    print(f"{'page':<12} {'device':<8} {'perf':>5} {'a11y':>5} {'best':>5} {'seo':>5} "
          f"{'FCP ms':>7} {'LCP ms':>7} {'TBT ms':>7} {'CLS':>5}  performance runs · failed audits")
    for name, form_factor, median, performance, failed in rows:
        marks = {c: f"{median[c]:.0f}{verdict(c, form_factor, median[c])}" for c in CATEGORIES}
        print(f"{name:<12} {form_factor:<8} {marks['performance']:>5} {marks['accessibility']:>5} "
              f"{marks['best-practices']:>5} {marks['seo']:>5} {median['first-contentful-paint']:>7.0f} "
              f"{median['largest-contentful-paint']:>7.0f} {median['total-blocking-time']:>7.0f} "
              f"{median['cumulative-layout-shift']:>5.2f}  {'/'.join(f'{p:.0f}' for p in performance)}"
              f"{' · ' + ', '.join(failed) if failed else ''}")
    print(f"pages: {', '.join(f'{name} = {path}' for name, path in pages.items())}")
    print(f"(reports in {work})")


if __name__ == "__main__":
    main()
