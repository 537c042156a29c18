"""The saves `make bench` times (benchmarks/edits.py) are valid data: each adds one row a build accepts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from generator.demo import write_demo
from generator.load import load_portfolio
from tests.conftest import REPO


def edits() -> ModuleType:
    """benchmarks/edits.py (the benchmarks are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("bench_edits", REPO / "benchmarks" / "edits.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_edits", module)
    spec.loader.exec_module(module)
    return module


def test_a_new_response_and_a_visit_each_add_one_row_that_loads(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_demo(data, clients=12, seed=4)
    before = load_portfolio(data)
    bench = edits()
    client = bench.new_response(data, 1)
    bench.new_response(data, 2)
    bench.add_visit(data, client, 1)
    after = load_portfolio(data)  # raises on any problem
    survey = bench.first_survey(data).stem
    added = after.responses[survey].iloc[len(before.responses[survey]):]
    assert added["response_id"].tolist() == ["bench-1", "bench-2"] and set(added["client"]) == {client}
    assert [str(day)[:10] for day in added["submitted_at"]] == [bench.report_date(data)] * 2
    visit = after.contacts.iloc[len(before.contacts):]
    assert visit[["client", "kind"]].values.tolist() == [[client, "onsite"]]
