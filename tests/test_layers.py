"""The layout shows the architecture: imports go one way, no loops, no god modules.

core (scenario, model, outcomes, defaults, paths, formats) <- engine <- experiments
<- views <- io <- commands, reference, cli. Every ``import`` counts, at the top of a
module or inside a function, because a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sim"
MAX_LINES = 600

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("core", ("sim.defaults", "sim.paths", "sim.formats", "sim.markdown", "sim.outcomes",
              "sim.scenario", "sim.model")),
    ("engine", ("sim.engine",)),
    ("experiments", ("sim.experiments",)),
    ("views", ("sim.views",)),
    ("io", ("sim.io", "sim.progress")),
    ("app", ("sim.commands", "sim.reference", "sim.cli", "sim.docs")),
]  # fmt: skip
"""Layers from the bottom up; a module may import its own layer and those below."""


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> int:
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    raise KeyError(module)


def _type_only(tree: ast.Module) -> set[int]:
    """Ids of the nodes inside ``if TYPE_CHECKING:`` blocks: names for annotations only."""
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            inside |= {id(n) for child in node.body for n in ast.walk(child)}
    return inside


def imports(module: str) -> set[str]:
    """The ``sim`` modules a module imports anywhere in its body (submodules resolved).

    Imports under ``if TYPE_CHECKING:`` name types for annotations and are never
    executed, so they are not dependencies (an agent may name its model's type).
    """
    tree = ast.parse(MODULES[module].read_text())
    skip = _type_only(tree)
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return {m for m in found if m in MODULES and m != "sim" and m != module}


GRAPH = {m: imports(m) for m in MODULES if m != "sim"}


def test_every_module_belongs_to_a_layer():
    for module in GRAPH:
        layer(module)


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_go_one_way(module):
    upward = [m for m in GRAPH[module] if layer(m) > layer(module)]
    names = [LAYERS[layer(m)][0] for m in upward]
    assert not upward, f"{module} ({LAYERS[layer(module)][0]}) imports {upward} ({names})"


def test_the_import_graph_has_no_loop():
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(GRAPH.get(node, ())):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                raise AssertionError("import loop: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(GRAPH):
        if node not in state:
            visit(node)


def test_only_views_draw():
    """matplotlib is imported by the views alone (and cycler, its style helper)."""
    for module, path in MODULES.items():
        if module.startswith("sim.views"):
            continue
        tree = ast.parse(path.read_text())
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        drawing = sorted(n for n in names if n.split(".")[0] in {"matplotlib", "cycler"})
        assert not drawing, f"{module} imports {drawing}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_a_god_module(module):
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{module}: {lines} lines (at most {MAX_LINES})"


def test_running_an_experiment_loads_no_plotting_library():
    code = (
        "import sys\n"
        "from sim import load_inputs\n"
        "from sim.experiments.run import RunScenario\n"
        "from sim.experiments.validate import Validate, hindcasts\n"
        "RunScenario(load_inputs('scenarios/baseline_2024.toml'), runs=3).run(seed=1)\n"
        "Validate(tuple(hindcasts()), runs=3).run(seed=1)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
