"""The README shows what the tool prints: every `$ symbackprop …` sample is run and compared
with its output, line for line; a `…` in a sample stands for text left out."""

from __future__ import annotations

import re
import shlex

import pytest
from click.testing import CliRunner
from paths import ROOT

from symbackprop.cli.app import main

README = (ROOT / "README.md").read_text(encoding="utf-8")


def samples() -> list[tuple[list[str], str]]:
    """(arguments, printed text) of every ```text block that starts with `$ symbackprop`."""
    found = []
    for block in re.findall(r"```text\n(\$ symbackprop .*?)```", README, re.S):
        lines = block.splitlines()
        command = lines.pop(0)
        while command.endswith("\\"):
            command = command[:-1] + " " + lines.pop(0).strip()
        found.append((shlex.split(command)[2:], "\n".join(lines)))
    return found


def pattern(shown: str) -> re.Pattern[str]:
    """The sample as a pattern: a line that is only `…` stands for any lines, a `…` inside a
    line for any text on it."""
    parts = []
    for line in shown.splitlines():
        if line.strip() == "…":
            parts.append(r"(?:.*\n)*?")
        else:
            parts.append(".*?".join(re.escape(p) for p in line.split("…")) + r"\n")
    return re.compile("".join(parts))


def test_the_readme_has_samples() -> None:
    assert len(samples()) >= 3


@pytest.mark.parametrize(("args", "shown"), samples(), ids=lambda v: " ".join(v)[:40]
                         if isinstance(v, list) else "")
def test_each_sample_is_what_the_tool_prints(args: list[str], shown: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, args)
    assert pattern(shown + "\n").fullmatch(result.stdout), result.stdout


def test_the_notebook_test_needs_only_the_test_extra_as_the_readme_says() -> None:
    import ast
    import tomllib

    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = {re.split(r"[<>=!~ \[]", req)[0].lower()
              for req in extra["project"]["optional-dependencies"]["test"]}
    tree = ast.parse((ROOT / "tests" / "test_notebook.py").read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module and node.level == 0}
    outside = {"os", "re", "paths", "__future__"}
    assert imported - outside <= wanted, imported - outside - wanted
    assert {"nbclient", "nbformat", "ipykernel"} <= wanted  # ipykernel runs the kernel
    assert "python -m pytest tests/test_notebook.py" in README
    assert "nbconvert and Jupyter itself are not needed" in README
