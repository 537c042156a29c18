"""`make bench`: build speed and memory for generated portfolios; prints one table.

For each size it writes a `rapport demo` portfolio into benchmarks/work/, then runs full
builds in fresh processes (a warm-up, then the median of --repeat), records each stage's
time and the peak memory, and finally runs the metrics benchmark. Results also go to
benchmarks/results.json. A benchmark, not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work"
BUILD_ONE = """
import json, resource, sys, time
started = time.perf_counter()
from generator.build import build_site
result = build_site(sys.argv[1], sys.argv[2])
print(json.dumps({"wall": time.perf_counter() - started, "stages": result.stages, "files": result.files,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def generate(clients: int, seed: int) -> Path:
    """A demo portfolio of this size (reused when already written with the same seed)."""
    folder = WORK / f"demo-{clients}-{seed}"
    if not (folder / "clients.yaml").exists():
        subprocess.run([sys.executable, "-m", "generator", "demo", "--clients", str(clients), "--seed", str(seed),
                        "--out", str(folder), "--force"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return folder


def cold_build(data: Path, out: Path) -> dict:
    """One build in a fresh Python process; its own wall time, stage times and peak memory."""
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-c", BUILD_ONE, str(data), str(out)], check=True, cwd=ROOT,
                               capture_output=True, text=True, env={"RAPPORT_SECRET": "bench", "PATH": ""})
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    figures["process"] = time.perf_counter() - started
    return figures


def bench_size(clients: int, seed: int, repeat: int) -> dict:
    """Warm-up plus `repeat` cold builds; medians."""
    data = generate(clients, seed)
    out = WORK / f"out-{clients}"
    cold_build(data, out)
    runs = [cold_build(data, out) for _ in range(repeat)]
    stages = {name: statistics.median(run["stages"][name] for run in runs) for name in runs[0]["stages"]}
    return {
        "clients": clients, "files": runs[0]["files"],
        "process_s": statistics.median(run["process"] for run in runs),
        "build_s": statistics.median(run["wall"] for run in runs),
        "stages_s": stages, "peak_mb": max(run["peak_mb"] for run in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,1000,4000", help="client counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    results = [bench_size(int(size), args.seed, args.repeat) for size in args.sizes.split(",")]
    stage_names = list(results[0]["stages_s"])
    print(f"{'clients':>8} {'files':>7} {'process':>8} {'build':>7} " + " ".join(f"{n.split()[0][:8]:>8}" for n in stage_names) + f" {'peak MB':>8}")
    for row in results:
        print(f"{row['clients']:>8,} {row['files']:>7,} {row['process_s']:>7.2f}s {row['build_s']:>6.2f}s "
              + " ".join(f"{row['stages_s'][n]:>7.2f}s" for n in stage_names) + f" {row['peak_mb']:>8.0f}")
    for smaller, larger in zip(results, results[1:]):
        factor = larger["clients"] / smaller["clients"]
        print(f"growth {smaller['clients']:,} → {larger['clients']:,} clients (×{factor:g}): "
              f"build ×{larger['build_s'] / smaller['build_s']:.2f}")
    (ROOT / "benchmarks" / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print("metrics stage alone:")
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_metrics.py"), "--clients", "1000"], cwd=ROOT, check=False)


if __name__ == "__main__":
    main()
