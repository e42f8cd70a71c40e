"""House rules of the architecture, checked on the source itself.

``engine/`` is a set of wings, each a subpackage that imports only from itself and the wings below
it (the order is ``WINGS``). Type-only imports (under ``TYPE_CHECKING``) must point down too, but
they never run, so only the imports that run (at the top of a module or inside a function) must
form no cycle between modules.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import networkx as nx
import pytest

ENGINE = Path(__file__).resolve().parent.parent / "engine"
MODULES = sorted(ENGINE.rglob("*.py"))
WINGS = (
    "base",
    "programme",
    "io",
    "rules",
    "scoring",
    "plan",
    "optimise",
    "appraisal",
    "present",
    "report",
    "cli",
)
SOLVER_WORDS = re.compile(r"\b(Job|Jobs|Instance|jobs?|_Ledger)\b")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _module_name(path: Path) -> str:
    parts = path.relative_to(ENGINE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


KNOWN = {_module_name(p) for p in MODULES}


def _type_only(tree: ast.Module) -> set[int]:
    """Line numbers of the statements under ``if TYPE_CHECKING:``."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for child in node.body:
                lines |= set(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _engine_imports(path: Path) -> list[tuple[str, bool]]:
    """Every ``engine`` module this file imports, and whether the import runs (not type-only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = _type_only(tree)
    out = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [
                f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in KNOWN else node.module
                for a in node.names
            ]
        for target in targets:
            if target == "engine" or target.startswith("engine."):
                out.append((target, node.lineno not in type_only))
    return out


def _wing(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ENGINE)))
def test_engine_never_imports_the_ui_and_only_the_optimiser_imports_pulp(path: Path):
    names = _imports(path)
    assert "streamlit" not in names
    if "optimise" not in path.parts:
        assert "pulp" not in names and "highspy" not in names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ENGINE)))
def test_no_eval_or_exec(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not calls & {"eval", "exec", "compile", "__import__"}


def test_every_module_lives_in_a_wing_and_every_wing_says_what_it_holds():
    loose = [p.name for p in ENGINE.glob("*.py") if p.name != "__init__.py"]
    assert not loose, f"modules outside a wing: {loose}"
    assert sorted(p.name for p in ENGINE.iterdir() if (p / "__init__.py").exists()) == sorted(WINGS)
    for wing in WINGS:
        doc = ast.get_docstring(ast.parse((ENGINE / wing / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "Imports:" in doc, (
            f"engine/{wing}/__init__.py must say what lives there and what it may import"
        )


@pytest.mark.parametrize(
    "path", [p for p in MODULES if p.parent != ENGINE], ids=lambda p: str(p.relative_to(ENGINE))
)
def test_every_import_runs_down_the_wings(path: Path):
    here = WINGS.index(_wing(_module_name(path)))
    for target, _ in _engine_imports(path):
        assert target != "engine", (
            f"{path.name} imports the front door; import the module that holds the name"
        )
        there = WINGS.index(_wing(target))
        assert there <= here, f"{_module_name(path)} imports {target}: {WINGS[there]} is above {WINGS[here]}"


def test_the_imports_that_run_form_no_cycle():
    graph = nx.DiGraph()
    for path in MODULES:
        for target, runs in _engine_imports(path):
            if runs and target != "engine":
                graph.add_edge(_module_name(path), target)
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, f"import cycles: {cycles[:5]}"


@pytest.mark.parametrize(
    "path", [p for p in MODULES if "optimise" not in p.parts], ids=lambda p: str(p.relative_to(ENGINE))
)
def test_solver_words_stay_in_the_optimiser(path: Path):
    found = SOLVER_WORDS.findall(path.read_text(encoding="utf-8"))
    assert not found, (
        f"{path.relative_to(ENGINE)} speaks of {sorted(set(found))}: say it in the domain's words"
    )
