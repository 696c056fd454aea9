"""Losses: the expressions and their derivatives are the textbook ones."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner
from paths import SPECS

from symbackprop.cli.app import main
from symbackprop.network.build import Network, build_network
from symbackprop.network.derivation import derive
from symbackprop.network.functions import Unspecified, UnspecifiedPrime
from symbackprop.network.losses import loss_expression
from symbackprop.render.printing import text
from symbackprop.spec.load import LossSpec, load_spec

a1, a2, y1, y2 = sp.symbols("a1 a2 y1 y2", real=True)


def test_half_squared_error_derivative_is_a_minus_y() -> None:
    loss = loss_expression(LossSpec("squared_error", Fraction(1, 2), "sum"), [a1, a2], [y1, y2])
    assert sp.expand(sp.diff(loss, a1) - (a1 - y1)) == 0


def test_mean_squared_error_divides_by_outputs() -> None:
    loss = loss_expression(LossSpec("squared_error", Fraction(1), "mean"), [a1, a2], [y1, y2])
    assert sp.expand(loss - ((y1 - a1) ** 2 + (y2 - a2) ** 2) / 2) == 0


def test_binary_cross_entropy_derivative() -> None:
    loss = loss_expression(LossSpec("binary_cross_entropy", Fraction(1), "sum"), [a1], [y1])
    expected = (a1 - y1) / (a1 * (1 - a1))
    assert sp.simplify(sp.diff(loss, a1) - expected) == 0


def test_cross_entropy() -> None:
    loss = loss_expression(LossSpec("cross_entropy", Fraction(1), "sum"), [a1, a2], [y1, y2])
    assert sp.diff(loss, a2) == -y2 / a2


# ----------------------------------------------------------------------------- unspecified

SEED_002 = SPECS / "seed-002-four-layer.yaml"
CONCRETE = {  # the same network with each loss the seed names ("standard error, cross entropy")
    "squared_error": "loss: {kind: squared_error, factor: 1/2}",
    "mean_squared_error": "loss: {kind: squared_error, factor: 1, reduction: mean}",
}


def _networks(tmp_path: Path, loss_line: str) -> tuple[Network, Network]:
    text = SEED_002.read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("loss:"))
    concrete = tmp_path / "concrete.yaml"
    concrete.write_text(text.replace(line, loss_line), encoding="utf-8")
    return build_network(load_spec(SEED_002)), build_network(load_spec(concrete))


def test_unspecified_loss_keeps_its_derivative_a_symbol() -> None:
    net = build_network(load_spec(SEED_002))
    grads = derive(net)
    (s,) = net.outputs
    assert grads.output_delta[s.name] == net.symbol_by_name["∂C/∂s"]
    assert net.latex_of(net.symbol_by_name["∂C/∂s"]) == r"\frac{\partial C}{\partial s}"
    assert text(net.loss) == "C(s, y)"


@pytest.mark.parametrize("loss", sorted(CONCRETE))
def test_unspecified_loss_derivation_holds_for_a_concrete_loss(tmp_path: Path, loss: str
                                                               ) -> None:
    """With ∂C/∂s replaced by a concrete loss's derivative, every gradient is that loss's
    gradient (itself checked against autograd in test_specs_oracle)."""
    general, concrete = _networks(tmp_path, CONCRETE[loss])
    g_general, g_concrete = derive(general), derive(concrete)
    (s,) = concrete.outputs  # symbols are equal by name: both networks share them
    concrete_dC_ds = sp.diff(concrete.loss, s.out)
    rng = np.random.default_rng(0)
    for p in general.params:
        ours = g_general.derivation(p).closed.xreplace(
            {general.symbol_by_name["∂C/∂s"]: concrete_dC_ds})
        difference = concrete.substitute(ours - g_concrete.derivation(p).closed)
        point = {sym: float(rng.uniform(-1, 1)) for sym in difference.free_symbols}
        value = unspecified_standin(difference).xreplace(point).evalf(30)
        assert abs(float(value)) < 1e-20, p.name


def unspecified_standin(expr: sp.Expr) -> sp.Expr:
    """The seed's f as tanh in both networks (any smooth f would do)."""
    expr = expr.replace(lambda e: isinstance(e, UnspecifiedPrime),
                        lambda e: 1 - sp.tanh(e.args[0]) ** 2)
    return expr.replace(lambda e: isinstance(e, Unspecified), lambda e: sp.tanh(e.args[0]))


# gradcheck checks an unspecified loss with stand-in losses (tests/numeric/test_loss_stand_ins.py)
@pytest.mark.parametrize("command", ["eval", "codegen"])
def test_numbers_of_an_unspecified_loss_are_a_clear_error(command: str, tmp_path: Path) -> None:
    args = [command, str(SEED_002)] + (["-o", str(tmp_path / "g.py")] if command == "codegen"
                                       else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "loss: the loss C is unspecified, so it has no numbers" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("loss", "message"), [
    ("{kind: squared_error, name: C}", "only an unspecified loss has a name"),
    ("{kind: unspecified, name: C, factor: 2}", "an unspecified loss has no `factor`"),
])
def test_unspecified_loss_fields_are_checked(tmp_path: Path, loss: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(f"inputs: [x]\nlayers: [{{size: 1, activation: linear}}]\nloss: {loss}\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["derive", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize(("param", "formula", "code"), [
    ("w_2_22", r"\delta^{3}_{2} a^{2}_{2}", 0),  # seed 002: ∂C/∂w²₂₂ = δ³₂ a²₂
    ("w_3_11", r"\frac{\partial C}{\partial s} a^{3}_{1}", 0),
    ("w_3_11", r"\delta^{4}_{1} a^{2}_{1}", 1),
])
def test_formulas_with_an_unspecified_loss_are_checked(param: str, formula: str,
                                                       code: int) -> None:
    result = CliRunner().invoke(main, ["check", str(SEED_002), "--param", param, "--formula",
                                       formula])
    assert result.exit_code == code, result.output
