"""The package layout: stages import only lower stages, no cycles, small modules."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest
from paths import ROOT

PACKAGE = ROOT / "symbackprop"

# The pipeline, lowest first: spec → network → numeric → render → check → notes → command line.
# errors and files (input and output) serve every stage; the package's own __init__ and
# __main__ sit on top.
STAGES = ["errors", "files", "input_files", "spec", "network", "numeric", "render", "check",
          "notes", "cli",
          "__init__", "__main__"]
RANK = {"errors": 0, "files": 0, "input_files": 0,
        **{s: i for i, s in enumerate(STAGES) if i >= 3}}
MAX_LINES = 500


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, root: Path = PACKAGE) -> set[str]:
    """Every symbackprop module that ``path`` imports, at any depth (lazy imports too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module.startswith("symbackprop"):
                found.add(module)
                found.update(f"{module}.{a.name}" for a in node.names
                             if (root.parent / f"{module}.{a.name}".replace(".", "/"))
                             .with_suffix(".py").exists())
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("symbackprop"))
    return found


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_module_belongs_to_a_known_stage() -> None:
    assert {_stage(_name(p)) for p in _modules()} <= set(STAGES)


def _higher_imports(path: Path, root: Path = PACKAGE) -> list[str]:
    own = _stage(_name(path, root))
    return sorted(m for m in _imports(path, root) if RANK[_stage(m)] > RANK[own])


@pytest.mark.parametrize("path", _modules(), ids=lambda p: _name(p))
def test_no_lower_stage_imports_a_higher_one(path: Path) -> None:
    assert not _higher_imports(path), f"{_name(path)} imports {_higher_imports(path)}"


def test_no_import_cycles() -> None:
    graph = {_name(p): {m for m in _imports(p) if m != _name(p)} for p in _modules()}
    seen: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            assert seen.get(nxt) != 1, "cycle: " + " -> ".join([*stack, node, nxt])
            if nxt not in seen:
                visit(nxt, [*stack, node])
        seen[node] = 2

    for node in sorted(graph):
        if node not in seen:
            visit(node, [])


@pytest.mark.parametrize("path", _modules(), ids=lambda p: _name(p))
def test_modules_are_small_and_say_what_they_do(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_LINES
    assert ast.get_docstring(ast.parse(text)), f"{_name(path)} has no docstring"


def test_a_lower_stage_importing_a_higher_one_is_found(tmp_path: Path) -> None:
    root = tmp_path / "symbackprop"
    (root / "network").mkdir(parents=True)
    (root / "network" / "build.py").write_text('"""x"""\n')
    bad = root / "spec" / "bad.py"
    bad.parent.mkdir()
    bad.write_text('"""x"""\n\ndef f():\n    from ..network import build\n')
    assert _higher_imports(bad, root) == ["symbackprop.network", "symbackprop.network.build"]


def _declared() -> set[str]:
    """The distributions pyproject.toml names for the package and its test extra."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    return {re.split(r"[<>=!~\[; ]", w, maxsplit=1)[0].lower().replace("_", "-")
            for w in wanted}


def test_every_library_the_tests_import_is_a_declared_dependency() -> None:
    import importlib.metadata

    tests = ROOT / "tests"
    # modules of this project, and one a test writes into a temporary folder to import it
    local = {p.stem for p in tests.rglob("*.py")} | {"symbackprop", "slow_module_for_the_limit"}
    provided = importlib.metadata.packages_distributions()
    declared = _declared()
    missing: dict[str, str] = {}
    for path in sorted(tests.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level \
                else []
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in local:
                    continue
                dists = {d.lower().replace("_", "-") for d in provided.get(top, [top])}
                if not dists & declared:
                    missing[top] = str(path.relative_to(ROOT))
    assert not missing, f"imported by the tests but not in pyproject.toml: {missing}"
