"""The package layout: no import cycles, lower layers never import higher ones, a light root."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "bankbot_tools"

#: Layers from the bottom up; a module may import only its own layer and those below.
LAYERS = (
    {"money", "compiled", "conventions", "rules", "speech", "fileio", "__init__", "events"},
    {"loans", "compliance"},
    {"portfolio", "llm", "views", "api"},
    {"cli", "__main__"},
)


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(path: Path) -> Iterator[str]:
    """Modules of the package imported when ``path`` is imported (not under TYPE_CHECKING,
    not inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for child in ast.walk(node) if not isinstance(node, ast.FunctionDef) else ():
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                break
            if isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                if child.module.startswith("bankbot_tools"):
                    yield child.module
            elif isinstance(child, ast.Import):
                yield from (a.name for a in child.names if a.name.startswith("bankbot_tools"))


GRAPH = {_module(p): set(_runtime_imports(p)) for p in PACKAGE.rglob("*.py")}


def _layer(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    return next(i for i, names in enumerate(LAYERS) if top in names)


def test_no_import_cycles() -> None:
    """Walking the package's import-time imports finds no cycle."""
    state: dict[str, int] = {}

    def visit(module: str, trail: tuple[str, ...]) -> None:
        if state.get(module) == 2:
            return
        assert state.get(module) != 1, f"import cycle: {' -> '.join((*trail, module))}"
        state[module] = 1
        for target in GRAPH.get(module, ()):
            visit(target, (*trail, module))
        state[module] = 2

    for module in GRAPH:
        visit(module, ())


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_lower_layers_never_import_higher_ones(module: str) -> None:
    """cli -> views/llm/portfolio -> loans/compliance -> rules/money, never upwards."""
    for target in GRAPH[module]:
        if target.startswith("bankbot_tools.events") or target == "bankbot_tools":
            continue
        assert _layer(target) <= _layer(module), f"{module} imports {target}"


HEAVY = ("numpy", "pandas", "pyarrow", "numba", "structlog", "mcp", "num2words")


@pytest.mark.parametrize("module", ["bankbot_tools", "bankbot_tools.cli"])
def test_importing_the_root_and_the_cli_is_light(module: str) -> None:
    """Neither the package root nor the CLI app imports a heavy library (fast --version)."""
    code = f"import sys, {module}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == ""
