"""The `names` command: every name a spec's quantities go by, each accepted where it is
listed as accepted and printed where it is listed as printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import SPECS

from symbackprop.cli.app import main

DEFAULT = """inputs: [x1, x2]
layers:
  - {size: 2, activation: sigmoid}
  - {size: 1, activation: sigmoid}
loss: mse
notation: {weight: "W^{({layer})}_{{j}{k}}"}
values:
  inputs: {x1: 1, x2: 2}
  targets: {y_1: 0.5}
  learning_rate: 0.1
  params: {W_1_11: 0.1, W_1_12: 0.2, W_1_21: 0.3, W_1_22: 0.4, b_1_1: 0, b_1_2: 0,
           W_2_11: 0.5, W_2_12: 0.6, b_2_1: 0.1}
"""


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "default.yaml"
    path.write_text(DEFAULT, encoding="utf-8")
    return path


def _rows(spec: Path) -> list[dict[str, str]]:
    code, out, err = run("names", spec, "--format", "json")
    assert code == 0, err
    return list(json.loads(out)["names"])


def test_every_parameter_input_and_target_is_listed(spec: Path) -> None:
    by_role: dict[str, list[str]] = {}
    for row in _rows(spec):
        by_role.setdefault(row["role"], []).append(row["name"])
    # the parameters as the spec's values block writes them: W^{(1)}_{11} is W_1_11
    assert sorted(by_role["parameter"]) == ["W_1_11", "W_1_12", "W_1_21", "W_1_22", "W_2_11",
                                            "W_2_12", "b_1_1", "b_1_2", "b_2_1"]
    assert by_role["input"] == ["x1", "x2"]
    assert by_role["target"] == ["y_1"]
    assert by_role["activation"] == ["a_1_1", "a_1_2", "a_2_1"]
    assert by_role["learning rate"] == ["alpha"]


def test_each_settable_name_is_accepted_by_at(spec: Path) -> None:
    _, before, _ = run("eval", spec, "--format", "json")
    for row in _rows(spec):
        for name in filter(None, (row["name"], row["also"])):
            if not row["set_under"]:
                continue
            code, out, err = run("eval", spec, "--at", f"{name}=0.25", "--format", "json")
            assert code == 0, (name, err)
            assert out != before, name  # the value was used


def test_each_computed_name_is_printed_by_derive(spec: Path) -> None:
    _, derived, _ = run("derive", spec)
    _, latex, _ = run("derive", spec, "--format", "latex")
    for row in _rows(spec):
        if row["role"] in ("net input", "activation", "loss", "parameter", "input", "target"):
            assert row["name"] in derived, row
            assert row["latex"].replace("{", "").replace("}", "") in \
                latex.replace("{", "").replace("}", ""), row


def test_the_text_lists_names_and_never_an_internal_unit_name_as_owner(spec: Path) -> None:
    code, out, _ = run("names", spec)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["name", "role"]
    row = next(line for line in lines if line.startswith("y_1 "))
    assert "layer 2, unit 1" in row and "u2_1" in row and row.endswith("targets")
    assert not any(line.startswith("a_1_1 ") and "u1_1" in line for line in lines)


def test_names_of_a_bundled_spec() -> None:
    code, out, _ = run("names", SPECS / "seed-004-mazur-2-2-2.yaml")
    assert code == 0
    assert any(line.split()[:2] == ["target_o1", "target"] and " o1 " in line
               for line in out.splitlines())


def test_the_naming_table_of_the_spec_docs_gives_names_that_names_lists(tmp_path: Path
                                                                        ) -> None:
    import re

    from paths import ROOT

    docs = (ROOT / "docs" / "spec.md").read_text(encoding="utf-8")
    table = docs.split("#### How each quantity is named", 1)[1].split("\n\n")[2]
    cells = [row.split(" | ")[2] for row in table.splitlines()[2:]]
    # an example in parentheses (`w_2_1_1`), or a cell that is one name; not a spec's own
    examples = [m for cell in cells if not cell.startswith("the name")
                for m in re.findall(r"\(`(\w+)`\)", cell) or re.findall(r"^`(\w+)`$", cell)]
    assert {"x1", "w_2_1_1", "W_1_11", "b_2_1", "y_1"} <= set(examples)
    listed: set[str] = set()
    for notation in ("", 'notation: {weight: "W^{({layer})}_{{j}{k}}"}\n'):
        path = tmp_path / "s.yaml"
        path.write_text("inputs: {size: 2}\nlayers:\n  - {size: 2, activation: tanh}\n"
                        "  - {size: 1, activation: sigmoid}\nloss: mse\n" + notation,
                        encoding="utf-8")
        listed |= {row["name"] for row in _rows(path)}
    assert set(examples) <= listed, set(examples) - listed
