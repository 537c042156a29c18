"""`make bench`: build speed against the targets of issue #17 item 6, beside Pelican in the same run.

It writes `rapport demo` portfolios of 1,000 and 10,000 clients (kept in --work between runs),
then times, first in fresh processes (interpreter start to exit, like `rapport build` with
RAPPORT_BUILD_SERVER=off; benchmarks/build_once.py):

- clean builds: no previous output and no memo; at 1,000 clients a warm-up and then the median
  of --repeat, at larger sizes one run; each stage (medians) and the build's memory: the peak
  of its processes' proportional set sizes added up, sampled from a thread here while it runs
  (benchmarks/tree_memory.py: a page shared with a fork counts once), beside the
  old figure, every process's peak RSS added up (shared pages counted in each), and the
  largest process's peak RSS;
- Pelican on 2,000 plain 300-word Markdown pages, in a throw-away virtual environment under
  benchmarks/work/ (warm-up, then the median of --repeat);
- at 1,000 clients, the rebuild after one new response (a copy built once, then one response
  appended before each build over the previous output) and the rebuild with no change, each
  a fresh process (imports included: about a sixth of a clean build alone);
- at 1,000 clients, the same three as a consultant runs them, each a `rapport build` with its
  build server on (generator/build_server/; benchmarks/server_builds.py): clean builds with no
  server running (each command starts one), then, the server warm, the rebuilds;
- `rapport serve` at 1,000 clients (benchmarks/serve_latency.py): from saving contacts.csv to
  the served client page showing the change; and the warm rebuild after one new response,
  appended while serve runs, from the save to the end of that build (watcher included).

It prints one table and each target as a ratio with its measured value and the machine's cores,
and writes benchmarks/results.json. A benchmark, not a test: nothing fails on a slow machine.
The machine may be shared: the ratios of one run (Pelican's beside ours) are the fair figures.

Portfolios and outputs go to --work (the system's temporary folder by default): editors,
indexers and sync tools that watch a project folder would otherwise add their own cost to
every file a build creates (on this machine, a second per 3,000 files inside the repository).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from edits import new_response
from peer_pelican import bench_pelican
from processes import PROBES, WAITED_S, quiet_disk, run, settle, timed_process
from server_builds import bench_server_builds

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results.json"
STAGES = ("load", "metrics", "charts", "plan", "render", "publish", "write")
SEED = 7
BASE = 1000  # the portfolio size the ratios are taken at
TARGETS = {  # issue #17 item 6
    "cold_vs_pelican": 0.5, "rebuild_vs_cold": 0.2, "unchanged_vs_cold": 0.1, "large_vs_base": 10.0,
    "memory_mb": 1536, "serve_s": 1.0, "serve_rebuild_vs_cold": 0.2,
}


def build_env() -> dict[str, str]:
    """A fixed secret (survey tokens); no dashboard passphrase, as after `rapport demo`; this checkout's code.

    build_once.py runs as a script, so its folder, not ROOT, heads its path: without PYTHONPATH it
    would import the package the environment installed (an editable install of another checkout).
    """
    return {"PATH": os.environ.get("PATH", ""), "RAPPORT_SECRET": "bench", "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT)}


def timed_build(data: Path, out: Path) -> dict:
    """One build in a fresh process: its wall time from outside, its own figures from inside."""
    settle(out)
    wall, pss_mb, said = timed_process([sys.executable, str(ROOT / "benchmarks" / "build_once.py"), str(data), str(out)],
                                       build_env())
    return {"wall": wall, **json.loads(said.strip().splitlines()[-1]), "pss_mb": pss_mb}


def portfolio(work: Path, clients: int) -> Path:
    """`rapport demo --clients N` into work/<N>/data (written once, reused while present)."""
    data = work / str(clients) / "data"
    if not (data / "clients.yaml").exists():
        shutil.rmtree(data, ignore_errors=True)
        run([sys.executable, "-m", "generator", "demo", "--clients", str(clients), "--seed", str(SEED),
             "--out", str(data)], cwd=ROOT)
    return data


def full_builds(data: Path, repeat: int, warm_up: bool = True) -> list[dict]:
    """`repeat` first builds (after a warm-up, if asked): no previous output, no memo.

    Each writes into a new folder, deleted only at the end of the benchmark, and starts once the
    disk is quiet (processes.py `quiet_disk`): files created in the minutes after thousands were
    deleted take up to forty times as long here, which a consultant's first build never meets.
    """
    runs = []
    for index in range(repeat + warm_up):
        out = data.parent / f"full-{index}"
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(data.parent / ".rapport", ignore_errors=True)
        quiet_disk(data.parent)
        figures = timed_build(data, out)
        if index or not warm_up:
            runs.append(figures)
    shutil.rmtree(data.parent / ".rapport", ignore_errors=True)
    return runs


def remove_outputs(work: Path) -> None:
    """The full builds' folders, once everything is measured."""
    for folder in [*work.glob("*/full-*"), *work.glob("*/rebuild"), *work.glob("*/rebuild-server"), *work.glob(PROBES),
                   *work.glob(f"*/{PROBES}")]:
        settle(folder)
        shutil.rmtree(folder, ignore_errors=True)


def rebuilds(data: Path, work: Path, repeat: int) -> tuple[list[dict], list[dict]]:
    """Build a copy once; then `repeat` times one new response and a build over the previous output;
    then `repeat` builds with no change."""
    copy = work / "rebuild" / "data"
    shutil.rmtree(copy.parent, ignore_errors=True)
    shutil.copytree(data, copy)
    out = copy.parent / "full-rebuilt"  # deleted with the full builds' folders, at the end
    timed_build(copy, out)
    answered = []
    for number in range(1, repeat + 1):
        new_response(copy, number)
        answered.append(timed_build(copy, out))
    return answered, [timed_build(copy, out) for _ in range(repeat)]


def summary(runs: list[dict]) -> dict:
    """Medians of wall time and stages, the largest peak memory (one process, every process's PSS and peaks added up)."""
    return {
        "wall_s": statistics.median(r["wall"] for r in runs),
        "build_s": statistics.median(r["build"] for r in runs),
        "imports_s": statistics.median(r["imports"] for r in runs),
        "stages_s": {name: statistics.median(r["stages"].get(name, 0.0) for r in runs) for name in STAGES},
        "peak_mb": max(max(r["peak_mb"], r["children_peak_mb"]) for r in runs),
        "peak_sum_mb": max(r.get("peak_sum_mb", r["peak_mb"]) for r in runs),
        # the true total (benchmarks/tree_memory.py); None where the system does not report PSS
        "pss_mb": max((r["pss_mb"] for r in runs if r.get("pss_mb") is not None), default=None),
        "files": runs[-1]["files"], "written": statistics.median(r["written"] for r in runs),
        "runs_s": [round(r["wall"], 3) for r in runs],
    }


def bench_size(work: Path, clients: int, repeat: int) -> dict:
    """Clean builds of one portfolio size (at sizes above BASE, one run without a warm-up: minutes each)."""
    data = portfolio(work, clients)
    runs = full_builds(data, repeat) if clients <= BASE else full_builds(data, 1, warm_up=False)
    full = summary(runs)
    print(f"  {clients:>6,} clients: clean build {full['wall_s']:.2f} s, {memory_mb(full):,.0f} MB", flush=True)
    return {"clients": clients, "full": full}


def bench_rebuild(work: Path, row: dict, repeat: int) -> None:
    """The rebuilds of one portfolio size, added to its row."""
    answered, unchanged = rebuilds(work / str(row["clients"]) / "data", work / str(row["clients"]), repeat)
    row["rebuild"], row["unchanged"] = again, same = summary(answered), summary(unchanged)
    print(f"  {row['clients']:>6,} clients: rebuild after a new response {again['wall_s']:.2f} s "
          f"(rewrote {int(again['written'])} of {again['files']:,} files), with no change {same['wall_s']:.2f} s", flush=True)


def bench_serve(work: Path) -> dict | str:
    """`rapport serve` at BASE clients: from a saved file to the changed page."""
    from serve_latency import serve_latency

    try:
        figures = serve_latency(portfolio(work, BASE), work, {**build_env(), "RAPPORT_SECRET": "bench"})
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        print(f"  rapport serve: not measured ({exc})", flush=True)
        return str(exc)
    response = figures["response"]
    print(f"  rapport serve, {BASE:,} clients: saved file to changed page {figures['median_s']:.2f} s; "
          f"new response to the end of its rebuild {response['build_median_s']:.2f} s "
          f"(builder CPU {response['builder_cpu_s']} s a save)", flush=True)
    return figures


def memory_mb(figures: dict) -> float:
    """The build's memory: its processes' PSS added up when measured, else their peaks added up."""
    pss = figures.get("pss_mb")
    return float(pss if pss is not None else figures["peak_sum_mb"])


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def mark(value: float, limit: float) -> str:
    """✓ within the target, ✗ over it."""
    return "✓" if value <= limit else "✗"


def report(sizes: list[dict], pelican: dict | str, serve: dict | str, cores: int) -> list[str]:
    """The table and the target lines."""
    lines = [f"{'clients':>8} {'files':>6} {'clean':>7} " + " ".join(f"{name:>7}" for name in STAGES)
             + f" {'1 proc':>7} {'PSS MB':>7} {'peaks+':>7}"]
    for row in sizes:
        full = row["full"]
        lines.append(f"{row['clients']:>8,} {full['files']:>6,} {full['wall_s']:>6.2f}s "
                     + " ".join(f"{full['stages_s'][name]:>6.2f}s" for name in STAGES)
                     + f" {full['peak_mb']:>7.0f} {_mb(full.get('pss_mb')):>7} {full['peak_sum_mb']:>7.0f}")
    lines += ["clean: no output, no memo; median wall time of a fresh process (start to exit), stages inside it;",
              "1 proc: the largest process's peak RSS (MB); PSS MB: the peak of every process's proportional",
              "set size added up, sampled (the true total: benchmarks/tree_memory.py); peaks+: every process's",
              "peak RSS added up (pages shared with a fork counted in each: an upper bound)", ""]
    lines.append(f"Targets (issue #17 item 6) on {cores} core{'s' if cores != 1 else ''}:")

    def target(value: float, limit: float, label: str, shown: str, rule: str) -> None:
        lines.append(f"{mark(value, limit)} {label:<52} {shown:>9}   {rule}")

    by_size = {row["clients"]: row for row in sizes}
    base = by_size.get(BASE)
    if base is None:
        return [*lines, f"  (no ratios: {BASE:,} clients not built)"]
    cold = base["full"]["wall_s"]
    if isinstance(pelican, dict):
        ratio = cold / pelican["wall_s"]
        target(ratio, TARGETS["cold_vs_pelican"], f"clean build, {BASE:,} clients ÷ Pelican, {pelican['pages']:,} pages",
               f"{ratio:.2f}×", f"≤ {TARGETS['cold_vs_pelican']}× ({cold:.2f} s ÷ {pelican['wall_s']:.2f} s, Pelican {pelican['version']})")
    else:
        lines.append(f"  clean build, {BASE:,} clients ÷ Pelican: not measured ({pelican})")
    if "server" in base:
        server = base["server"]
        if isinstance(pelican, dict):
            ratio = server["clean_s"] / pelican["wall_s"]
            target(ratio, TARGETS["cold_vs_pelican"], "  the same, rapport build starting its build server", f"{ratio:.2f}×",
                   f"≤ {TARGETS['cold_vs_pelican']}× ({server['clean_s']:.2f} s, runs {server['runs_s']['clean']})")
        for key, label, name in (("rebuild_vs_cold", "rebuild after a new response ÷ clean, rapport build", "rebuild"),
                                 ("unchanged_vs_cold", "rebuild with no change ÷ clean, rapport build", "unchanged")):
            ratio = server[f"{name}_s"] / server["clean_s"]
            target(ratio, TARGETS[key], label, f"{ratio:.2f}×", f"≤ {TARGETS[key]}× ({server[f'{name}_s']:.2f} s ÷ "
                   f"{server['clean_s']:.2f} s; runs {server['runs_s'][name]}; warm build server, "
                   f"{_mb(server['held_mb'])} MB held between builds)")
    if "rebuild" in base:
        for key, label, figures in (("rebuild_vs_cold", "  the same, each build in a process of its own", base["rebuild"]),
                                    ("unchanged_vs_cold", "  no change, each build in a process of its own", base["unchanged"])):
            ratio = figures["wall_s"] / cold
            target(ratio, TARGETS[key], label, f"{ratio:.2f}×", f"≤ {TARGETS[key]}× ({figures['wall_s']:.2f} s; "
                   f"rewrote {int(figures['written']):,} of {figures['files']:,} files; RAPPORT_BUILD_SERVER=off)")
    for row in sizes:
        if row["clients"] <= BASE:
            continue
        factor, full = row["clients"] / BASE, row["full"]
        limit = TARGETS["large_vs_base"] * factor / 10
        ratio = full["wall_s"] / cold
        target(ratio, limit, f"clean build, {row['clients']:,} ÷ {BASE:,} clients", f"{ratio:.2f}×",
               f"≤ {limit:g}× ({full['wall_s']:.2f} s)")
        how = ("PSS added up, sampled" if full.get("pss_mb") is not None
               else "peaks added up: shared pages count twice")
        target(memory_mb(full), TARGETS["memory_mb"], f"memory, {row['clients']:,} clients, every process",
               f"{memory_mb(full):,.0f} MB", f"≤ {TARGETS['memory_mb']:,} MB ({how}; "
               f"{full['peak_sum_mb']:,.0f} MB peaks added up, {full['peak_mb']:,.0f} MB the largest process)")
    if isinstance(serve, dict):
        response = serve["response"]
        ratio = response["build_median_s"] / cold
        target(ratio, TARGETS["serve_rebuild_vs_cold"], "rebuild after a new response ÷ clean, rapport serve",
               f"{ratio:.2f}×", f"≤ {TARGETS['serve_rebuild_vs_cold']}× ({response['build_median_s']:.2f} s from the save "
               f"to the build's end, runs {response['build_runs_s']}; page {response['median_s']:.2f} s; builder CPU "
               f"{response['builder_cpu_s']} s, {response['builds_per_save']} build(s) a save)")
        target(serve["median_s"], TARGETS["serve_s"], f"rapport serve, {BASE:,} clients: saved file → page changed",
               f"{serve['median_s']:.2f} s", f"≤ {TARGETS['serve_s']:g} s (runs {serve['runs_s']}; the build ends "
               f"{serve['build_median_s']:.2f} s after the save; builder CPU {serve['builder_cpu_s']} s)")
    else:
        lines.append(f"  rapport serve: not measured ({serve})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=None, help=f"client counts, comma-separated (default {BASE},10000)")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs per figure, after a warm-up (default 3)")
    parser.add_argument("--quick", action="store_true", help=f"{BASE:,} clients only, 2 runs each, no Pelican, no serve")
    parser.add_argument("--no-pelican", action="store_true", help="skip the Pelican comparison")
    parser.add_argument("--no-serve", action="store_true", help="skip the rapport serve measurement")
    parser.add_argument("--no-server-builds", action="store_true", help="skip `rapport build` through its build server")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "rapport-bench",
                        help="folder for portfolios and outputs (default: %(default)s)")
    args = parser.parse_args()
    sizes = [int(size) for size in (args.sizes or (str(BASE) if args.quick else f"{BASE},10000")).split(",")]
    repeat = args.repeat or (2 if args.quick else 3)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    print(f"make bench: {', '.join(f'{s:,}' for s in sizes)} clients, median of {repeat} after a warm-up, "
          f"{cores} cores, in {work}", flush=True)
    started = time.perf_counter()
    # every first build (ours and Pelican's) before any rebuild; outputs deleted only at the end (see full_builds)
    results = []
    for clients in sizes:
        results.append(row := bench_size(work, clients, repeat))
        if clients == BASE and not args.no_server_builds:  # beside the clean builds in their own process, in the
            # same state of the machine: before the larger sizes' files are written and their memo deleted
            row["server"] = server = bench_server_builds(portfolio(work, BASE), work / str(BASE), repeat, build_env(), settle)
            print(f"  {BASE:,} clients, rapport build with its server: clean {server['clean_s']:.2f} s, rebuild after "
                  f"a new response {server['rebuild_s']:.2f} s, with no change {server['unchanged_s']:.2f} s", flush=True)
    if args.quick or args.no_pelican:
        pelican: dict | str = "--quick" if args.quick else "--no-pelican"
    else:
        pelican = bench_pelican(work, repeat) or "it could not be installed; see above"
    for row in results:
        if row["clients"] == BASE:
            bench_rebuild(work, row, repeat)
    serve: dict | str = "--quick" if args.quick else "--no-serve" if args.no_serve else bench_serve(work)
    remove_outputs(work)
    lines = report(results, pelican, serve, cores)
    print()
    print("\n".join(lines))
    print(f"\n({time.perf_counter() - started:.0f} s, of which {sum(WAITED_S):.0f} s waiting for a quiet disk before the "
          f"clean builds; {platform.python_implementation()} {platform.python_version()}, {cores} cores; results in "
          f"{RESULTS.relative_to(ROOT)})")
    RESULTS.write_text(json.dumps({
        "sizes": results, "pelican": pelican, "serve": serve, "repeat": repeat, "targets": TARGETS,
        "table": lines, "cores": cores, "python": platform.python_version(), "quiet_disk_waits_s": WAITED_S,
    }, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
