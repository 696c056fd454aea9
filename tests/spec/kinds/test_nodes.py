"""Nodes defined by formulas in a spec: what they read, how they are ordered and named, and
one located message (exit status 2) for every malformed node, loss or size."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from symbackprop.cli.app import main
from symbackprop.errors import SpecError
from symbackprop.spec.limits import Limits
from symbackprop.spec.load import NetworkSpec, load_spec

HEAD = "inputs: [x]\nparams: [m, c]\n"


def _spec(nodes: str, loss: str = '"(t - y)^2"', targets: str = "{y: t}",
          head: str = HEAD) -> str:
    return f"{head}nodes:\n{nodes}targets: {targets}\nloss: {loss}\n"


def _load(tmp_path: Path, text: str, limits: Limits | None = None) -> NetworkSpec:
    path = tmp_path / "net.yaml"
    path.write_text(text, encoding="utf-8")
    return load_spec(path, limits)


def _fails(tmp_path: Path, text: str, limits: Limits | None = None) -> SpecError:
    with pytest.raises(SpecError) as caught:
        _load(tmp_path, text, limits)
    return caught.value


def test_a_node_reads_its_parents_and_parameters_in_the_order_written(tmp_path: Path) -> None:
    spec = _load(tmp_path, _spec('  h: "tanh(m*x)"\n  y: "h*h/c + exp(x)*m"\n'))
    h, y = spec.formulas
    assert (h.unit, h.parents, h.params) == ("h", ("x",), ("m",))
    assert (y.unit, y.parents, y.params) == ("y", ("h", "x"), ("c", "m"))
    # grouped by depth: h reads only the input, y reads h
    assert [(u.name, u.layer) for u in spec.units] == [("h", 1), ("y", 2)]
    assert spec.outputs == ("y",) and spec.loss.kind == "formula"
    assert [p.name for p in spec.params] == ["m", "c"]
    assert spec.names.name("target", "y") == "t"


def test_the_bundled_spec_is_seed_001s_line(tmp_path: Path) -> None:
    spec = load_spec("specs/seed-001-mx-plus-c.yaml")
    (y,) = spec.formulas
    assert (y.text, y.parents, y.params) == ("m*x + c", ("x",), ("m", "c"))
    assert spec.values.params == {"m": 2, "c": 1}
    assert spec.values.examples[0].targets == {"y": 5}


@pytest.mark.parametrize(("nodes", "loss", "where", "words", "hint"), [
    ('  y: "mx + c"\n', '"(t - y)^2"', "nodes.y", "unknown name `mx` at character 1",
     "did you mean `m`"),
    ('  y: "m*x + k"\n', '"(t - y)^2"', "nodes.y", "unknown name `k`", "`c`"),
    ('  y: "m*x + c"\n', '"(t - yy)^2"', "loss", "unknown name `yy`", "did you mean `y`"),
    ('  y: "m*x +"\n', '"(t - y)^2"', "nodes.y", "cannot read `m*x +`", ""),
    ('  y: "m*(x + c"\n', '"(t - y)^2"', "nodes.y", "at character", ""),
    ('  y: "max(m, x) + c"\n', '"(t - y)^2"', "nodes.y",
     "the function `max` at character 1 is not supported", "exp, log, tanh, sigmoid"),
    ('  y: "relu(m*x) + c"\n', '"(t - y)^2"', "nodes.y", "function `relu`", "softplus"),
    ('  y: "m*x + c = 2"\n', '"(t - y)^2"', "nodes.y", "without `=`", "right-hand side"),
    ('  y: "m*x + c"\n', "squared_error", "loss", "a formula, not the kind", "(t - y)^2"),
    ('  y: "m*x + c"\n', '"t^2"', "loss", "reads no node", ""),
    ('  y: "m*x + c"\n', '"(t - m)^2"', "loss", "unknown name `m`", ""),
])
def test_a_formula_that_cannot_be_read_is_located(tmp_path: Path, nodes: str, loss: str,
                                                  where: str, words: str, hint: str) -> None:
    error = _fails(tmp_path, _spec(nodes, loss))
    assert error.field == where and words in error.message, error
    assert error.file is not None and error.line is not None
    assert hint in (error.hint or "")


def test_a_cycle_between_nodes_is_named(tmp_path: Path) -> None:
    error = _fails(tmp_path, _spec('  h: "m*y"\n  g: "h + x"\n  y: "g*c"\n'))
    assert "cycle" in error.message and "`h`" in error.message and "`y`" in error.message
    assert error.field.startswith("nodes.") and error.line is not None


def test_a_node_reading_itself_is_a_cycle(tmp_path: Path) -> None:
    error = _fails(tmp_path, _spec('  y: "m*y + c"\n'))
    assert "cycle" in error.message and error.field == "nodes.y"


@pytest.mark.parametrize(("nodes", "words"), [
    ('  m: "x"\n  y: "m*x + c"\n', "`m`"),           # a parameter's name
    ('  x: "m"\n  y: "x + c"\n', "`x`"),             # an input's name
    ('  exp: "m*x"\n  y: "exp + c"\n', "`exp`"),     # a function's name
])
def test_a_node_name_clashing_with_another_name_is_refused(tmp_path: Path, nodes: str,
                                                           words: str) -> None:
    error = _fails(tmp_path, _spec(nodes))
    assert words in error.message and error.field.startswith("nodes.")
    assert error.line is not None and error.hint


def test_the_loss_reads_nodes_that_have_targets_and_feed_nothing(tmp_path: Path) -> None:
    no_target = _fails(tmp_path, _spec('  y: "m*x + c"\n', loss='"y^2"', targets="{}"))
    assert "no target" in no_target.message and "targets: {y: t}" in (no_target.hint or "")
    fed = _fails(tmp_path, _spec('  h: "m*x"\n  y: "h + c"\n', loss='"(t - y)^2 + (s - h)^2"',
                                 targets="{y: t, h: s}"))
    assert "`y` reads `h`, which the loss reads too" in fed.message
    idle = _fails(tmp_path, _spec('  h: "m*x"\n  y: "x + c"\n'))
    assert "`h` reaches neither" in idle.message and idle.field == "nodes.h"


def test_nodes_and_layers_do_not_mix(tmp_path: Path) -> None:
    error = _fails(tmp_path, _spec('  y: "m*x + c"\n') + "layers: []\n")
    assert error.field == "layers" and "`nodes`" in error.message
    dense = _fails(tmp_path, "inputs: [x]\nparams: [m]\nlayers:\n  - {size: 1}\n"
                   "loss: squared_error\n")
    assert dense.field == "params"


def test_sizes_are_bounded(tmp_path: Path) -> None:
    long = _fails(tmp_path, _spec('  y: "' + "m*x + " * 30 + 'c"\n'),
                  Limits(max_formula_length=100))
    assert "more than 100 characters" in long.message and long.field == "nodes.y"
    many = _fails(tmp_path, _spec('  h: "m*x"\n  y: "h + c"\n'), Limits(max_units=2))
    assert "more than 2 inputs and units" in many.message and many.field == "nodes"
    deep = _fails(tmp_path, _spec('  y: "' + "(" * 80 + "m*x + c" + ")" * 80 + '"\n'))
    assert deep.field == "nodes.y" and "cannot read" in deep.message


def test_an_error_exits_with_status_2_naming_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(_spec('  y: "mx + c"\n'), encoding="utf-8")
    result = CliRunner().invoke(main, ["derive", str(path)])
    assert result.exit_code == 2
    assert f"{path}:4: nodes.y: unknown name `mx`" in result.output
    assert "did you mean" in result.output


def test_the_formula_length_is_an_option_of_the_command(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(_spec('  y: "m*x + c"\n'), encoding="utf-8")
    result = CliRunner().invoke(main, ["--max-formula-length", "5", "derive", str(path)])
    assert result.exit_code == 2
    assert f"{path}:4: nodes.y: a formula of more than 5 characters" in result.stderr
    assert CliRunner().invoke(main, ["derive", str(path)]).exit_code == 0
