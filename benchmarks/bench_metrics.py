"""Benchmark the metrics stage on a 1,000-client portfolio (about 100k contacts, 20k+ responses).

Plain script: `python benchmarks/bench_metrics.py [--clients N] [--repeat N]`. It writes the
portfolio with `generator.demo.write_demo` (or, without that module, a quick synthetic one)
into benchmarks/work/, then times `load_portfolio` and `compute_reports` separately and
prints the median of the repeats. Target: metrics under 0.5 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.load import load_portfolio  # noqa: E402
from generator.metrics import compute_reports  # noqa: E402

AS_OF = dt.date(2026, 11, 30)
TARGET_SECONDS = 0.5


def synthetic(out_dir: Path, clients: int, seed: int) -> None:
    """A quick portfolio of the demo's size, for when the generator.demo package is not available."""
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "surveys").mkdir(exist_ok=True)
    (out_dir / "responses").mkdir(exist_ok=True)
    (out_dir / "site.yaml").write_text(f"business: {{name: Bench IT}}\nas_of: {AS_OF}\n", encoding="utf-8")
    ids = [f"client-{i:04d}" for i in range(clients)]
    lines = []
    for client_id in ids:
        start = AS_OF - dt.timedelta(days=rng.randint(30, 1500))
        lines.append(f"- {{id: {client_id}, name: Client {client_id}, pcs: {rng.randint(3, 80)}, servers: {rng.randint(0, 5)}, "
                     f"agreement: {{start: {start}, term_months: 12}}}}")
    (out_dir / "clients.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    kinds = ("onsite", "remote", "phone", "email")
    rows = ["date,client,kind,staff,minutes,note"]
    for _ in range(clients * 100):
        day = AS_OF - dt.timedelta(days=rng.randint(0, 1100))
        rows.append(f"{day},{rng.choice(ids)},{rng.choice(kinds)},Sam,{rng.randint(5, 120)},")
    (out_dir / "contacts.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (out_dir / "surveys" / "review.yaml").write_text(
        "id: review\ntitle: Review\nquestions:\n"
        "  - {id: overall, type: rating, csat: true, label: Overall}\n"
        "  - {id: recommend, type: nps, label: Recommend}\n"
        "  - {id: speed, type: rating, label: Speed}\n"
        "  - {id: visits, type: choice, options: [Too few, About right, Too many], label: Visits}\n"
        "  - {id: improve, type: text, label: Improve}\n", encoding="utf-8")
    rows = ["response_id,client,submitted_at,overall,recommend,speed,visits,improve"]
    for number in range(clients * 22):
        day = AS_OF - dt.timedelta(days=rng.randint(0, 1100))
        who = "" if rng.random() < 0.05 else rng.choice(ids)
        text = rng.choice(["", "", "Faster replies please", "All good"])
        rows.append(f"r{number},{who},{day}T10:00:00Z,{rng.randint(1, 5)},{rng.randint(0, 10)},{rng.randint(1, 5)},"
                    f"{rng.choice(['', 'Too few', 'About right'])},{text}")
    (out_dir / "responses" / "review.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def generate(out_dir: Path, clients: int, seed: int) -> str:
    """Write the portfolio; say which generator wrote it."""
    shutil.rmtree(out_dir, ignore_errors=True)
    try:
        from generator.demo import write_demo
    except ModuleNotFoundError:
        synthetic(out_dir, clients, seed)
        return "synthetic"
    write_demo(out_dir, clients=clients, seed=seed)
    return "generator.demo.write_demo"


def median_seconds(action: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    data_dir = ROOT / "benchmarks" / "work" / f"metrics-{args.clients}"
    source = generate(data_dir, args.clients, args.seed)
    load_s, portfolio = median_seconds(lambda: load_portfolio(data_dir, AS_OF), args.repeat)
    metrics_s, reports = median_seconds(lambda: compute_reports(portfolio), args.repeat)
    responses = sum(len(frame) for frame in portfolio.responses.values())
    print(f"metrics bench: {len(portfolio.clients):,} clients, {len(portfolio.contacts):,} contacts, "
          f"{responses:,} responses, {len(portfolio.scores):,} scores ({source})")
    print(f"  load_portfolio   {load_s * 1000:8.1f} ms  (median of {args.repeat})")
    print(f"  compute_reports  {metrics_s * 1000:8.1f} ms  (median of {args.repeat}; target < {TARGET_SECONDS * 1000:.0f} ms)")
    print(f"  clients at risk  {reports.portfolio['clients_at_risk']:,} of {reports.portfolio['clients_active']:,} active")
    return 0 if metrics_s < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
