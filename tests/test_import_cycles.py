"""No import cycles inside ``judgebench`` (each would mark a misplaced responsibility). Every import counts:
module level, inside functions, and under ``TYPE_CHECKING``, since a function-level import only hides a cycle."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "judgebench"


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def import_graph() -> dict[str, set[str]]:
    """Module -> the ``judgebench`` modules it imports (``from . import x`` counts ``x`` when it is a module)."""
    mods = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in mods.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else [])) if node.level else (node.module or "")
                for target in (base, *(f"{base}.{a.name}" for a in node.names)):
                    if target in mods and target != name:
                        graph[name].add(target)
            elif isinstance(node, ast.Import):
                graph[name].update(a.name for a in node.names if a.name in mods and a.name != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_cycle_finder_finds_a_planted_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_judgebench_has_no_import_cycles() -> None:
    graph = import_graph()
    assert graph["judgebench.run.runner"], "the import graph came out empty: the finder is broken"
    assert cycles(graph) == []


CORE = {"errors", "files", "secrets", "schema", "protocols"}
"""Top-level modules every layer may use."""
ENTRY_POINTS = {"cli", "__main__", "commands"}
"""The command line: argparse, printing and exit codes only; no library module imports it."""


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The import graph between ``judgebench``'s subpackages and top-level modules (``judgebench.run.runner`` ->
    ``run``); imports inside one package are left out."""

    def top(module: str) -> str:
        parts = module.split(".")
        return parts[1] if len(parts) > 1 else parts[0]

    out: dict[str, set[str]] = defaultdict(set)
    for a, targets in graph.items():
        out[top(a)].update(top(b) for b in targets if top(b) != top(a))
    return out


def test_subpackages_are_layered_without_cycles() -> None:
    """The architecture the layout shows (README "Architecture"): the graph between subpackages is acyclic, as
    between modules, so each package can be read and tested without the ones above it."""
    packages = package_graph(import_graph())
    assert packages["run"] >= {"benchmarks", "judges", "protocols"}, "the package graph came out wrong: the finder is broken"
    assert cycles(packages) == []


def test_library_never_imports_the_command_line() -> None:
    """Library logic lives outside ``commands/``: everything the CLI does has a Python API it calls."""
    packages = package_graph(import_graph())
    offenders = {p: sorted(t & ENTRY_POINTS) for p, t in packages.items() if p not in ENTRY_POINTS and t & ENTRY_POINTS}
    assert offenders == {}


def test_metrics_are_pure_statistics() -> None:
    """``judgebench.metrics`` computes on arrays: it reads no results, knows no benchmark, judge or run."""
    packages = package_graph(import_graph())
    assert packages["metrics"] <= CORE, sorted(packages["metrics"] - CORE)
