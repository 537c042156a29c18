"""The package's shape: one direction of imports, stage after stage, and modules small enough to read.

docs/architecture.md draws the pipeline these layers follow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
MAX_LINES = 400

# Lower layers never import higher ones. The stages come in the order a build runs them;
# the speed layer runs the plan and writes; the build composes them; the commands sit on top.
LAYERS: list[tuple[str, set[str]]] = [
    ("foundations", {"errors", "bounds", "model", "yamlio", "csv_text", "digests", "files", "memo", "progress", "tokens", "keys",
                     "markdown_html", "plurals", "templates", "portfolio", "forms", "texts", "translations", "file_keys", "user_cache", "forks"}),
    ("load", {"load"}),
    ("metrics", {"metrics"}),
    ("charts", {"charts"}),
    ("render", {"render"}),
    ("safety", {"safety"}),
    ("write", {"write"}),
    ("speed", {"speed", "unchanged"}),
    ("build", {"build"}),
    ("commands", {"cli", "ingest", "publish", "report_command", "demo", "demo_command", "__main__", "init_command",
                  "starter", "secret_command", "quarantine_command", "link_command", "notices",
                  "invite", "followups", "digest", "build_server", "launch"}),
]


def layer_of(module: str) -> int:
    """The layer index of `generator.<top>…`."""
    top = module.split(".")[1] if module.count(".") else module
    for index, (_, tops) in enumerate(LAYERS):
        if top in tops:
            return index
    raise AssertionError(f"generator.{top} is in no layer of tests/test_architecture.py: add it")


def modules() -> dict[str, Path]:
    """generator.<dotted name> → its file."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(path: Path, name: str) -> set[str]:
    """Every generator module `path` imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("generator"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if target.startswith("generator"):
                found.add(target)
    return found


def test_no_module_imports_a_later_layer() -> None:
    wrong = []
    for name, path in modules().items():
        if name == "generator":
            continue
        own = layer_of(name)
        for target in imports_of(path, name):
            if target != "generator" and layer_of(target) > own:
                wrong.append(f"{name} ({LAYERS[own][0]}) imports {target} ({LAYERS[layer_of(target)][0]})")
    assert wrong == []


def test_there_is_no_import_cycle() -> None:
    found = modules()
    graph = {name: {target for target in imports_of(path, name) if target in found} for name, path in found.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(trail[trail.index(target):] + [target] if target in trail else [node, target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    # a package's __init__ importing its own modules, which import the package back, is no cycle of stages
    real = [cycle for cycle in cycles if not all(part.startswith(cycle[0].rpartition(".")[0] or cycle[0]) for part in cycle)]
    assert real == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_every_module_is_small(name: str) -> None:
    lines = modules()[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines (split it by what it does)"


def test_the_build_reads_as_its_seven_stages() -> None:
    source = (PACKAGE / "build.py").read_text(encoding="utf-8")
    function = next(node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef) and node.name == "build_site")
    assert function.end_lineno - function.lineno + 1 <= 60
    body = ast.get_source_segment(source, function)
    stages = ["load_portfolio(", "compute_reports(", "build_charts(", "plan_pages(", ".run(", "check_publishable(", ".write("]
    positions = [body.index(stage) for stage in stages]
    assert positions == sorted(positions), "the stages appear in the order they run"
