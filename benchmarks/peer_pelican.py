"""Pelican, the peer the build's speed is measured beside: 2,000 plain 300-word Markdown pages, in a throw-away
virtual environment under benchmarks/work/."""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from processes import quiet_disk, run, settle

ROOT = Path(__file__).resolve().parent.parent
PELICAN_VENV = ROOT / "benchmarks" / "work" / "pelican-venv"
SEED = 7
PELICAN_PAGES = 2000
WORDS = ["service", "agreement", "client", "office", "network", "backup", "server", "printer", "update", "visit", "survey", "answer", "quick", "friendly", "support", "remote", "helpdesk", "security", "firewall", "laptop", "desktop", "license", "email", "calendar", "schedule", "monthly", "review", "renewal", "contract", "invoice", "storage", "cloud", "migration", "password", "training", "staff"]


def pelican_python() -> Path | None:
    """Pelican in a throw-away virtual environment under benchmarks/work/; None (and why) when it cannot be had."""
    python = PELICAN_VENV / "bin" / "python"
    try:
        if not (python.exists() and run([str(python), "-c", "import pelican, markdown"]).returncode == 0):
            shutil.rmtree(PELICAN_VENV, ignore_errors=True)
            run([sys.executable, "-m", "venv", str(PELICAN_VENV)])
            run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "pelican", "markdown"],
                timeout=600)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        print(f"  Pelican skipped: could not install it ({detail.strip().splitlines()[-1] if detail.strip() else exc})")
        return None
    return python


def bench_pelican(work: Path, repeat: int) -> dict | None:
    """Pelican on 2,000 plain 300-word Markdown pages: a warm-up, then the median of `repeat` clean builds."""
    python = pelican_python()
    if python is None:
        return None
    site = work / "pelican"
    content = site / "content"
    if not (content / f"page-{PELICAN_PAGES:04d}.md").exists():
        shutil.rmtree(site, ignore_errors=True)
        content.mkdir(parents=True)
        rng = random.Random(SEED)
        for number in range(1, PELICAN_PAGES + 1):
            words = [rng.choice(WORDS) for _ in range(300)]
            paragraphs = "\n\n".join(" ".join(words[k:k + 60]).capitalize() + "." for k in range(0, 300, 60))
            (content / f"page-{number:04d}.md").write_text(
                f"Title: Page {number}\nDate: 2026-01-{number % 28 + 1:02d}\n\n{paragraphs}\n", encoding="utf-8")
        (site / "pelicanconf.py").write_text(
            'SITENAME = "Bench"\nSITEURL = ""\nTIMEZONE = "UTC"\nDEFAULT_LANG = "en"\n'
            "FEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\nTRANSLATION_FEED_ATOM = None\n"
            "AUTHOR_FEED_ATOM = None\nAUTHOR_FEED_RSS = None\nDEFAULT_PAGINATION = 10\n", encoding="utf-8")
    pelican = python.parent / "pelican"
    times = []
    for index in range(repeat + 1):  # each into a new folder, like ours (see full_builds)
        out = work / "pelican" / f"full-{index}"
        shutil.rmtree(out, ignore_errors=True)
        settle(out)
        quiet_disk(work)  # as before each of ours
        started = time.perf_counter()
        run([str(pelican), str(content), "-o", str(out), "-s", str(site / "pelicanconf.py"), "-q"], cwd=site)
        if index:
            times.append(time.perf_counter() - started)
    version = run([str(python), "-c", "import pelican; print(pelican.__version__)"]).stdout.strip()
    print(f"  Pelican {version}: {statistics.median(times):.2f} s", flush=True)
    return {"version": version, "pages": PELICAN_PAGES, "wall_s": statistics.median(times),
            "runs_s": [round(t, 3) for t in times]}
