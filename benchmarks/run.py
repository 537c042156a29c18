"""`make bench`: build speed and memory against the budgets of issue #8, and Pelican for context.

For 250, 1,000 and 4,000 clients it writes a `rapport demo` portfolio, then times in fresh
processes (interpreter start to exit, like `rapport build`; benchmarks/build_once.py):

- full builds: no previous output and no cache, a warm-up and then the median of --repeat;
- the rebuild after one new response: a copy of the portfolio is built once, then each run
  appends one valid response (dated the report date) and builds over the previous output;
  it reports how many files were rewritten out of how many;
- each stage of the full build (load, metrics, charts, render, publish, write; medians) and
  the peak memory of the build's processes;
- growth: full-build time per 4× more clients.

It also builds the sample portfolio (data/), and, when a throw-away virtual environment under
benchmarks/work/ can install it, Pelican on 2,000 plain 300-word Markdown pages, printing our
1,000-client time as a ratio of Pelican's. It prints one table, each budget with its measured
value, and writes benchmarks/results.json. A benchmark, not a test: nothing fails on a slow
machine.

Portfolios and outputs go to --work (the system's temporary folder by default): editors,
indexers and sync tools that watch a project folder would otherwise add their own cost to
every file a build creates (on this machine, a second per 3,000 files inside the repository).
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PELICAN_VENV = ROOT / "benchmarks" / "work" / "pelican-venv"
RESULTS = ROOT / "benchmarks" / "results.json"
STAGES = ("load", "metrics", "charts", "plan", "render", "publish", "write")
SEED = 7
PELICAN_PAGES = 2000
WORDS = ["service", "agreement", "client", "office", "network", "backup", "server", "printer", "update", "visit", "survey", "answer", "quick", "friendly", "support", "remote", "helpdesk", "security", "firewall", "laptop", "desktop", "license", "email", "calendar", "schedule", "monthly", "review", "renewal", "contract", "invoice", "storage", "cloud", "migration", "password", "training", "staff"]
BUDGETS = {  # name: (limit, hard ceiling or None)
    "full_1000": (3.0, 5.0), "full_sample": (1.5, None), "rebuild_1000": (1.5, None), "peak_1000": (500, None),
    "growth": (4.5, None),
}


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """A command that must succeed; its output captured."""
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


def build_env() -> dict[str, str]:
    """A fixed secret (survey tokens); no dashboard passphrase, as after `rapport demo`."""
    return {"PATH": os.environ.get("PATH", ""), "RAPPORT_SECRET": "bench", "LANG": "C.UTF-8"}


def settle(out: Path) -> None:
    """Let the previous run finish what it leaves to the background (its old tree deleted, its load
    cache written: processes it forked may outlive it), and its writes reach the disk."""
    deadline = time.monotonic() + 30
    while (any(out.parent.glob(f".{out.name}.old-*")) or _forked_builds()) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.sync()
    time.sleep(0.2)


def _forked_builds() -> bool:
    """A process of an earlier build (build_once.py, or a fork of it) is still running."""
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if b"build_once.py" in (entry / "cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


def timed_build(data: Path, out: Path) -> dict:
    """One build in a fresh process: its wall time from outside, its own figures from inside."""
    settle(out)
    started = time.perf_counter()
    completed = run([sys.executable, str(ROOT / "benchmarks" / "build_once.py"), str(data), str(out)],
                    cwd=ROOT, env=build_env())
    wall = time.perf_counter() - started
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    return {"wall": wall, **figures}


def portfolio(work: Path, clients: int) -> Path:
    """`rapport demo --clients N` into work/<N>/data (written once, reused while present)."""
    data = work / str(clients) / "data"
    if not (data / "clients.yaml").exists():
        shutil.rmtree(data, ignore_errors=True)
        run([sys.executable, "-m", "generator", "demo", "--clients", str(clients), "--seed", str(SEED),
             "--out", str(data)], cwd=ROOT)
    return data


def full_builds(data: Path, repeat: int) -> list[dict]:
    """A warm-up, then `repeat` first builds: no previous output, no load cache.

    Each writes into a new folder, deleted only at the end of the benchmark: a build that
    follows the deletion of thousands of files meets ext4 skipping the freed inodes one by one
    (a minute long; up to twice the write stage's time here), which a first build never does.
    """
    runs = []
    for index in range(repeat + 1):
        out = data.parent / f"full-{index}"
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(data.parent / ".rapport", ignore_errors=True)
        figures = timed_build(data, out)
        if index:
            runs.append(figures)
    shutil.rmtree(data.parent / ".rapport", ignore_errors=True)
    return runs


def remove_outputs(work: Path) -> None:
    """The full builds' folders, once everything is measured."""
    for folder in [*work.glob("*/full-*"), *work.glob("*/rebuild")]:
        settle(folder)
        shutil.rmtree(folder, ignore_errors=True)


def new_response(data: Path, number: int) -> None:
    """Append one valid response to the first survey: a copy of its last row, dated the report date."""
    path = sorted((data / "responses").glob("*.csv"))[0]
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    header, last = rows[0], dict(zip(rows[0], rows[-1]))
    as_of = next(line.split(":", 1)[1].strip() for line in (data / "site.yaml").read_text(encoding="utf-8").splitlines()
                 if line.startswith("as_of:"))
    last.update(response_id=f"bench-{number}", submitted_at=f"{as_of}T12:{number % 60:02d}:00+00:00")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([last[column] for column in header])
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + buffer.getvalue(), encoding="utf-8")


def rebuilds(data: Path, work: Path, repeat: int) -> list[dict]:
    """Build a copy once, then `repeat` times: one new response, a build over the previous output."""
    copy = work / "rebuild" / "data"
    shutil.rmtree(copy.parent, ignore_errors=True)
    shutil.copytree(data, copy)
    out = copy.parent / "full-rebuilt"  # deleted with the full builds' folders, at the end
    timed_build(copy, out)
    runs = []
    for number in range(1, repeat + 1):
        new_response(copy, number)
        runs.append(timed_build(copy, out))
    return runs


def summary(runs: list[dict]) -> dict:
    """Medians of wall time and stages, the largest peak memory."""
    return {
        "wall_s": statistics.median(r["wall"] for r in runs),
        "build_s": statistics.median(r["build"] for r in runs),
        "imports_s": statistics.median(r["imports"] for r in runs),
        "stages_s": {name: statistics.median(r["stages"].get(name, 0.0) for r in runs) for name in STAGES},
        "peak_mb": max(max(r["peak_mb"], r["children_peak_mb"]) for r in runs),
        "files": runs[-1]["files"], "written": statistics.median(r["written"] for r in runs),
        "runs_s": [round(r["wall"], 3) for r in runs],
    }


def bench_size(work: Path, clients: int, repeat: int) -> dict:
    """Full builds and one-new-response rebuilds of one portfolio size."""
    data = portfolio(work, clients)
    full = summary(full_builds(data, repeat))
    print(f"  {clients:>5,} clients: full {full['wall_s']:.2f} s", flush=True)
    return {"clients": clients, "full": full}


def bench_rebuild(work: Path, row: dict, repeat: int) -> None:
    """The one-new-response rebuilds of one portfolio size, added to its row."""
    row["rebuild"] = again = summary(rebuilds(work / str(row["clients"]) / "data", work / str(row["clients"]), repeat))
    print(f"  {row['clients']:>5,} clients: rebuild {again['wall_s']:.2f} s, "
          f"rewrote {int(again['written'])} of {again['files']:,} files", flush=True)


def bench_sample(work: Path, repeat: int) -> dict:
    """Full builds of the sample portfolio (a copy of data/, so its cache stays out of the repository)."""
    data = work / "sample" / "data"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(ROOT / "data", data)
    full = summary(full_builds(data, repeat))
    print(f"  sample: full {full['wall_s']:.2f} s", flush=True)
    return full


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
        started = time.perf_counter()
        run([str(pelican), str(content), "-o", str(out), "-s", str(site / "pelicanconf.py"), "-q"], cwd=site)
        if index:
            times.append(time.perf_counter() - started)
    version = run([str(python), "-c", "import pelican; print(pelican.__version__)"]).stdout.strip()
    print(f"  Pelican {version}: {statistics.median(times):.2f} s", flush=True)
    return {"version": version, "pages": PELICAN_PAGES, "wall_s": statistics.median(times),
            "runs_s": [round(t, 3) for t in times]}


def mark(value: float, limit: float) -> str:
    """✓ within the budget, ✗ over it."""
    return "✓" if value <= limit else "✗"


def report(sizes: list[dict], sample: dict, pelican: dict | str) -> list[str]:
    """The table and the budget lines."""
    lines = [
        f"{'clients':>8} {'files':>6} {'full':>7} " + " ".join(f"{name:>7}" for name in STAGES)
        + f" {'peak MB':>8} {'rebuild':>8} {'rewritten':>10}",
    ]
    for row in sizes:
        full, again = row["full"], row["rebuild"]
        lines.append(
            f"{row['clients']:>8,} {full['files']:>6,} {full['wall_s']:>6.2f}s "
            + " ".join(f"{full['stages_s'][name]:>6.2f}s" for name in STAGES)
            + f" {full['peak_mb']:>8.0f} {again['wall_s']:>7.2f}s {int(again['written']):>4,}/{again['files']:<5,}")
    lines.append(f"{'sample':>8} {sample['files']:>6,} {sample['wall_s']:>6.2f}s "
                 + " ".join(f"{sample['stages_s'][name]:>6.2f}s" for name in STAGES) + f" {sample['peak_mb']:>8.0f}")
    lines.append("full: clean build, median wall time of a fresh process (start to exit); stages inside it; "
                 "rebuild: after one new response")
    lines.append("")
    by_size = {row["clients"]: row for row in sizes}

    def budget(value: float, limit: float, label: str, shown: str, rule: str) -> None:
        lines.append(f"{mark(value, limit)} {label:<40} {shown:>9}   {rule}")

    if 1000 in by_size:
        full, again = by_size[1000]["full"], by_size[1000]["rebuild"]
        limit, ceiling = BUDGETS["full_1000"]
        budget(full["wall_s"], limit, "full build, 1,000 clients", f"{full['wall_s']:.2f} s",
               f"≤ {limit:.1f} s (hard ceiling {ceiling:.0f} s)")
    limit, _ = BUDGETS["full_sample"]
    budget(sample["wall_s"], limit, "full build, sample portfolio", f"{sample['wall_s']:.2f} s", f"≤ {limit:.1f} s")
    if 1000 in by_size:
        limit, _ = BUDGETS["rebuild_1000"]
        budget(again["wall_s"], limit, "rebuild after one new response, 1,000", f"{again['wall_s']:.2f} s",
               f"≤ {limit:.1f} s; it rewrote {int(again['written']):,} of {again['files']:,} files")
        limit, _ = BUDGETS["peak_1000"]
        budget(full["peak_mb"], limit, "peak memory, 1,000 clients", f"{full['peak_mb']:.0f} MB",
               f"≤ {limit} MB (the largest process of the build)")
    limit, _ = BUDGETS["growth"]
    for smaller, larger in itertools.pairwise(sizes):
        factor = larger["clients"] / smaller["clients"]
        growth = larger["full"]["wall_s"] / smaller["full"]["wall_s"]
        budget(growth, limit * factor / 4, f"full build growth, {smaller['clients']:,} → {larger['clients']:,} clients",
               f"×{growth:.2f}", f"≤ ×{limit * factor / 4:.1f} for ×{factor:g} clients")
    if isinstance(pelican, dict) and 1000 in by_size:
        ratio = by_size[1000]["full"]["wall_s"] / pelican["wall_s"]
        lines.append(f"  Pelican {pelican['version']}, {pelican['pages']:,} plain 300-word pages: {pelican['wall_s']:.2f} s; "
                     f"Rapport, 1,000 clients ({by_size[1000]['full']['files']:,} files): {ratio:.2f}× Pelican's time")
    elif isinstance(pelican, str):
        lines.append(f"  Pelican: not measured ({pelican})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=None, help="client counts, comma-separated (default 250,1000,4000)")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs per figure, after a warm-up (default 5)")
    parser.add_argument("--quick", action="store_true", help="250 and 1,000 clients, 3 runs each, no Pelican")
    parser.add_argument("--no-pelican", action="store_true", help="skip the Pelican comparison")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "rapport-bench",
                        help="folder for portfolios and outputs (default: %(default)s)")
    args = parser.parse_args()
    sizes = [int(size) for size in (args.sizes or ("250,1000" if args.quick else "250,1000,4000")).split(",")]
    repeat = args.repeat or (3 if args.quick else 5)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    print(f"make bench: {', '.join(f'{s:,}' for s in sizes)} clients, median of {repeat} after a warm-up, in {work}",
          flush=True)
    started = time.perf_counter()
    # every first build (ours and Pelican's) before any rebuild; outputs deleted only at the end (see full_builds)
    results = [bench_size(work, clients, repeat) for clients in sizes]
    sample = bench_sample(work, repeat)
    if args.quick or args.no_pelican:
        pelican: dict | str = "--quick" if args.quick else "--no-pelican"
    else:
        pelican = bench_pelican(work, repeat) or "it could not be installed; see above"
    for row in results:
        bench_rebuild(work, row, repeat)
    remove_outputs(work)
    lines = report(results, sample, pelican)
    print()
    print("\n".join(lines))
    print(f"\n({time.perf_counter() - started:.0f} s; {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} cores; results in {RESULTS.relative_to(ROOT)})")
    RESULTS.write_text(json.dumps({
        "sizes": results, "sample": sample, "pelican": pelican, "repeat": repeat, "budgets": BUDGETS,
        "table": lines, "cores": os.cpu_count(), "python": platform.python_version(),
    }, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
