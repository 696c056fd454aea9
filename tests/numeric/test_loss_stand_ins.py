"""An unspecified loss is checked with stand-in losses in turn, and a wrong ∂C/∂a is caught."""

from __future__ import annotations

import json
from pathlib import Path

import sympy as sp
from click.testing import CliRunner
from paths import SPECS

from symbackprop.cli.app import main
from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.numeric.gradient_check import gradcheck
from symbackprop.numeric.loss_stand_ins import LOSS_STAND_INS, loss_trials, with_stand_in_loss
from symbackprop.spec.load import load_spec

SEED_002 = SPECS / "seed-002-four-layer.yaml"

TWO_OUTPUTS = """inputs: [x1, x2]
layers:
  - {size: 2, activation: tanh}
  - {size: 2, activation: linear}
loss: {kind: unspecified, name: C}
"""


def _two_outputs(tmp_path: Path) -> Path:
    path = tmp_path / "two.yaml"
    path.write_text(TWO_OUTPUTS, encoding="utf-8")
    return path


def test_the_stand_in_gives_each_derivative_symbol_its_formula(tmp_path: Path) -> None:
    """The δ of each output is the derivation's ∂C/∂a_k · f'(z) with ∂C/∂a_k taken from the
    stand-in formula, written out by hand here for both stand-ins."""
    net = build_network(load_spec(_two_outputs(tmp_path)))
    grads = derive(net)
    (a1, a2), (y1, y2) = [u.out for u in net.outputs], [u.target for u in net.outputs]
    expected = {"squared error": [a1 - y1, a2 - y2],
                "asymmetric exponential": [sp.exp(a1 - y1) - 1, 2 * (sp.exp(a2 - y2) - 1)]}
    for stand_in in LOSS_STAND_INS:
        new_net, new_grads = with_stand_in_loss(net, grads, stand_in)
        assert not new_net.loss.atoms(sp.Function) - new_net.loss.atoms(sp.exp)
        for u, slope in zip(net.outputs, expected[stand_in.name], strict=True):
            assert sp.simplify(new_grads.deltas[u.name] - slope) == 0, stand_in.name
    # the original derivation keeps its symbols
    symbols = set(type(net.loss).gradients)
    assert grads.deltas[net.outputs[0].name].free_symbols & symbols


def test_an_unspecified_loss_is_checked_with_each_stand_in() -> None:
    net = build_network(load_spec(SEED_002))
    grads = derive(net)
    trials = loss_trials(net.with_stand_ins({"f": "tanh"}), grads)
    assert [t.loss.name for t in trials if t.loss] == [s.name for s in LOSS_STAND_INS]
    for trial in trials:
        report = gradcheck(trial.net, trial.grads)
        assert report.ok and report.agreed == len(net.params), trial.loss


def test_a_wrong_derivative_of_the_loss_is_caught(tmp_path: Path) -> None:
    """Swap ∂C/∂a_1 and ∂C/∂a_2 in the output δs: the derivation no longer holds for every
    C, and the stand-ins show it."""
    net = build_network(load_spec(_two_outputs(tmp_path)))
    grads = derive(net)
    first, second = net.outputs
    one, two = type(net.loss).gradients[:2]  # ∂C/∂a_1, ∂C/∂a_2
    for u in (first, second):
        grads.deltas[u.name] = grads.deltas[u.name].xreplace({one: two, two: one})
    for trial in loss_trials(net, grads):
        report = gradcheck(trial.net, trial.grads, seed=1)
        assert not report.ok, trial.loss
        assert report.disagreed >= 4


def test_gradcheck_of_seed_002_runs_every_stand_in() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["gradcheck", str(SEED_002)])
    assert result.exit_code == 0, result.output
    assert "the derivation holds for every f, C: checked with 6 stand-ins in turn" in \
        result.stdout
    for stand_in in LOSS_STAND_INS:
        assert result.stdout.count(f"stand-in loss: C = {stand_in.name}") == 3
    result = runner.invoke(main, ["gradcheck", str(SEED_002), "--define", "f=sin",
                                  "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True and len(data["runs"]) == 2
    assert [r["stand_in_loss"]["kind"] for r in data["runs"]] == [
        s.name for s in LOSS_STAND_INS]
    assert all(r["stand_ins"] == {"f": "sin"} and r["counts"]["disagree"] == 0
               for r in data["runs"])
