"""No wrong worked line is graded correct.

Correct worked lines — derive's own numbers rows and values, gradient-descent updates in
numbers, net inputs written out in numbers and every unit's value — are taken from every
bundled spec with a worked example and from drawn specs. In each line one number is replaced
by the value of another quantity of the example (another weight, an input, a target, a net
input, an activation, a δ, a gradient, the learning rate), printed as derive prints a number.
No such mutant may be CORRECT. The quantities' values come from the printing path's worked
example (:mod:`symbackprop.numeric.worked`), not from the checker's own points, and a mutant
is kept only where it changes the line's value by more than the rounding of derive's six
digits (a number times 0 stays 0, and then the line is still right).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

import mpmath
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, assume, given, settings
from paths import SPECS
from strategies import DrawnNetwork, networks

from symbackprop.check import Checker
from symbackprop.check.reading.parser import parse_statement
from symbackprop.check.reading.syntax import Add, Div, Mul, Neg, Node, Num, Pow
from symbackprop.cli.app import main
from symbackprop.network.build import Network, build_network
from symbackprop.network.derivation import derive
from symbackprop.numeric.worked import worked_example
from symbackprop.render.numbers import SIGNIFICANT_DIGITS, number_tex
from symbackprop.render.printing import tex
from symbackprop.spec.load import load_spec

MUTANTS_PER_NUMBER = 3
NUMBER = re.compile(r"(?<![\w^{.])-?\d+(?:\.\d+)?(?![\w.}])")
ONLY_NUMBERS = re.compile(r"^(?:[\d.\s+\-()]|\\cdot|\\left|\\right)+$")


@dataclass(frozen=True)
class Line:
    head: str  # what the numbers are claimed to equal
    numbers: str  # the side of numbers, as printed


@dataclass
class Tally:
    tried: int = 0
    unchanged: int = 0
    lines: int = 0


def _quantities(net: Network) -> list[tuple[str, object]]:
    """Every quantity of the worked example and its value, from the printing path."""
    grads = derive(net)
    values = net.spec.values
    ex = values.examples[0]
    worked = worked_example(net, grads, values.params, ex.inputs, ex.targets)
    out: list[tuple[str, object]] = [(s.name, v) for s, v in worked.high.items()
                                     if v is not None]
    out += [(f"d{p.name}", worked.value(grads.derivation(p).closed)) for p in net.params]
    if values.learning_rate is not None:
        out.append(("rate", mpmath.mpf(repr(float(values.learning_rate)))))
    return [(name, v) for name, v in out if v is not None]


def _printed(value: object) -> str:
    return number_tex(value, SIGNIFICANT_DIGITS)


def _derive_lines(spec: Path) -> list[Line]:
    """Each parameter's gradient beside each numbers row and its value, as derive prints."""
    printed = CliRunner().invoke(main, ["derive", str(spec), "--format", "latex",
                                        "--form", "chain"])
    assert printed.exit_code == 0, printed.output
    lines: list[Line] = []
    for block in re.findall(r"\\begin\{align\*\}\n(.*?)\n\\end\{align\*\}", printed.output,
                            re.S):
        # a row broken inside brackets goes on after \right. … \left.{}
        block = re.sub(r"\\right\. ?\\\\\n&\\qquad (\\quad )?\\left\.\{\} ", " ", block)
        rows = re.sub(r" ?\\\\\n&\\qquad (\\quad )?\{\} ", " ", block).split(" \\\\\n")
        head = ""
        for row in rows:  # one block holds every parameter: a row with a left side starts one
            if not row.startswith("&"):
                head = row.split("&=")[0].strip()
            side = row.split("&=", 1)[-1].strip()
            if ONLY_NUMBERS.match(side):
                lines.append(Line(head, side))
    return lines


def _example_lines(net: Network, quantities: dict[str, object]) -> list[Line]:
    """Updates and forward lines in numbers, as the lecture notes write them."""
    lines: list[Line] = []
    rate = quantities.get("rate")
    for p in net.trained:  # a frozen parameter takes no step (its update is tested apart)
        if rate is not None:
            value, gradient = quantities[p.name], quantities[f"d{p.name}"]
            if not ONLY_NUMBERS.match(_printed(gradient)):
                continue
            lines.append(Line(f"{net.latex_of(p)}^{{+}}",
                              f"{_printed(value)} - {_printed(rate)} \\cdot "
                              f"{_printed(gradient)}"))
    for u in net.units:
        value = _printed(quantities[u.out.name])
        if ONLY_NUMBERS.match(value):
            lines.append(Line(net.latex_of(u.out), value))
        definition = dict(net.definitions).get(u.net)
        if definition is not None and all(s.name in quantities
                                          for s in definition.free_symbols):
            import sympy as sp

            with sp.evaluate(False):  # w·x + b written out, not folded into one Float
                numbers = definition.xreplace({s: sp.Float(mpmath.nstr(quantities[s.name], 40),
                                                           40)
                                               for s in definition.free_symbols})
            side = tex(net, numbers)
            if ONLY_NUMBERS.match(side):
                lines.append(Line(net.latex_of(u.net), side))
    return lines


def _value(node: Node) -> object:
    """A side of numbers evaluated here, apart from the checker."""
    if isinstance(node, Num):
        return mpmath.mpf(node.text)
    if isinstance(node, Neg):
        return -_value(node.arg)
    if isinstance(node, Add):
        return mpmath.fsum(_value(t) for t in node.terms)
    if isinstance(node, Mul):
        return mpmath.fprod(_value(f) for f in node.factors)
    if isinstance(node, Div):
        return _value(node.top) / _value(node.bottom)
    if isinstance(node, Pow):
        return _value(node.base) ** _value(node.exp)
    raise AssertionError(f"not a number: {node}")


def _side_value(text: str) -> object:
    statement = parse_statement(text, knows=lambda _: False, is_function=lambda _: False,
                                syntax="latex")
    with mpmath.workdps(40):
        return _value(statement.sides[0])


def _mutate(checker: Checker, lines: list[Line], quantities: dict[str, object],
            rng: random.Random, tally: Tally) -> list[str]:
    """The mutants of ``lines`` that are graded correct (none may be)."""
    pool = sorted({_printed(v) for v in quantities.values()})
    wrong: list[str] = []
    for line in lines:
        original = f"{line.head} = {line.numbers}"
        assert checker.check(None, original, syntax="latex").verdict == "correct", original
        tally.lines += 1
        before = _side_value(line.numbers)
        for match in NUMBER.finditer(line.numbers):
            token = match.group()
            choices = [p for p in pool if p != token and p.lstrip("-") != token.lstrip("-")]
            for other in rng.sample(choices, min(MUTANTS_PER_NUMBER, len(choices))):
                mutated = line.numbers[:match.start()] + other + line.numbers[match.end():]
                if "\\times" in other or "^" in other:
                    continue
                after = _side_value(mutated)
                with mpmath.workdps(40):
                    if abs(after - before) <= mpmath.mpf(10) ** -5 * abs(before) + \
                            mpmath.mpf(10) ** -30:
                        tally.unchanged += 1
                        continue
                tally.tried += 1
                formula = f"{line.head} = {mutated}"
                if checker.check(None, formula, syntax="latex").verdict == "correct":
                    wrong.append(f"{formula}   (was {token})")
    return wrong


# the unrolled LSTM and GRU take check minutes a line: their worked lines are not mutated here
WORKED_SPECS = [s for s in sorted(SPECS.glob("*.yaml")) if s.stem not in ("lstm", "gru")
                and Checker(build_network(load_spec(s))).ctx.points.worked_row() is not None]


@pytest.mark.parametrize("spec", WORKED_SPECS, ids=lambda p: p.stem)
def test_no_mutant_of_a_bundled_worked_line_is_correct(spec: Path,
                                                        record_property: object) -> None:
    net = build_network(load_spec(spec))
    checker = Checker(net)
    quantities = dict(_quantities(net))
    lines = _derive_lines(spec) + _example_lines(net, quantities)
    tally = Tally()
    wrong = _mutate(checker, lines, quantities, random.Random(spec.stem), tally)
    print(f"{spec.stem}: {tally.lines} lines, {tally.tried} mutants tried, "
          f"{tally.unchanged} left the value unchanged")
    record_property("mutants", tally.tried)  # type: ignore[operator]
    assert tally.tried >= 20
    assert not wrong, wrong


@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(drawn=networks(max_depth=3, max_width=3, max_inputs=3, max_examples=1))
def test_no_mutant_of_a_drawn_worked_line_is_correct(drawn: DrawnNetwork, tmp_path_factory:
                                                     pytest.TempPathFactory) -> None:
    net = build_network(drawn.spec)
    checker = Checker(net)
    assume(checker.ctx.points.worked_row() is not None)
    spec = tmp_path_factory.mktemp("drawn") / "spec.yaml"
    spec.write_text(drawn.text, encoding="utf-8")
    quantities = dict(_quantities(net))
    lines = _derive_lines(spec) + _example_lines(net, quantities)
    tally = Tally()
    wrong = _mutate(checker, lines, quantities, random.Random(0), tally)
    print(f"drawn network: {tally.lines} lines, {tally.tried} mutants tried, "
          f"{tally.unchanged} left the value unchanged")
    assert not wrong, (drawn.text, wrong)


TANH_NEAR_ZERO = """title: a tanh output whose slope rounds to 0.999999
inputs: [in1]
layers:
- name: L1
  activation: tanh
  units: [n1]
  bias: b1
  weights: {n1: {in1: w1}}
loss: {kind: squared_error, factor: 1, reduction: sum}
values:
  params: {w1: 1.3469841686846721e-05, b1: 0.001}
  examples:
  - inputs: {in1: 1.848335787934176}
    targets: {n1: 1.0e-280}
"""


def test_digits_that_fit_two_quantities_alike_to_six_digits_are_not_ambiguous(
        tmp_path: Path) -> None:
    """δ = ∂L/∂a · (1 − a²) with 1 − a² = 0.999999: δ and ∂L/∂a round to the same six digits,
    so derive's line ∂L/∂a · 0.999999 holds whichever of them its first number is read as; a
    changed digit still fails."""
    spec = tmp_path / "tanh.yaml"
    spec.write_text(TANH_NEAR_ZERO, encoding="utf-8")
    checker = Checker(build_network(load_spec(spec)))
    printed = CliRunner().invoke(main, ["derive", str(spec), "--param", "b1"])
    assert printed.exit_code == 0, printed.output
    line = next(row for row in printed.output.splitlines() if "·" in row and "0.99999" in row)
    first, slope = (part.strip() for part in line.strip().lstrip("=").split("·"))
    head = r"\frac{\partial L}{\partial b_{1}} = "
    assert checker.check(None, f"{head}{first} \\cdot {slope}").verdict == "correct"
    wrong = f"{float(first) * 1.001:.6g}"
    assert checker.check(None, f"{head}{wrong} \\cdot {slope}").verdict != "correct"
