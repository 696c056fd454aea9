"""Values at a spec's worked example in high precision: cancellation, underflow, exact 0."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import mpmath
import pytest

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.numeric.worked import (
    MAX_PRINTED_EXPONENT,
    as_written,
    decimal_exponent,
    printable,
    worked_example,
    working_digits,
)
from symbackprop.spec.load import load_spec
from symbackprop.spec.model import Number


def _worked(tmp_path: Path, text: str):
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    net = build_network(load_spec(spec))
    grads = derive(net)
    values = net.spec.values
    ex = values.examples[0]
    return net, grads, worked_example(net, grads, values.params, ex.inputs, ex.targets)


LINEAR_SHARED_BIAS = ("inputs: [x1]\nlayers:\n  - {size: 2, activation: linear, bias: bs}\n"
                      "loss: squared_error\nvalues:\n  inputs: {x1: 0.3}\n"
                      "  targets: {u1_1: 0.275, u1_2: %s}\n"
                      "  params: {w_1_1_1: 0.25, w_1_2_1: 0.45, bs: 0.1}\n")


def test_a_sum_that_nearly_cancels_keeps_its_value(tmp_path: Path) -> None:
    """(0.175 − 0.275) + (0.235 − 0.135000000000001) is −10⁻¹⁵ to the last digit: the spec's
    decimals as written, not their float64 neighbours (float64 gives −1.0000000000000009e-15)."""
    net, grads, worked = _worked(tmp_path, LINEAR_SHARED_BIAS % "0.135000000000001")
    value = worked.value(grads.derivation(net.symbol_by_name["bs"]).closed)
    with mpmath.workdps(70):
        assert abs(value + mpmath.mpf("1e-15")) < mpmath.mpf("1e-60")


def test_a_sum_that_cancels_exactly_is_0(tmp_path: Path) -> None:
    """δ₁ + δ₂ of a softmax layer's shared bias vanishes (the targets sum to 1): what is left
    of it at 50 digits is within its error, and it is 0."""
    net, grads, worked = _worked(tmp_path, (
        "inputs: [x1]\nlayers:\n  - {size: 2, activation: softmax, bias: bs}\n"
        "loss: cross_entropy\nvalues:\n  inputs: {x1: 0.3}\n  targets: {u1_1: 0.1, u1_2: 0.9}\n"
        "  params: {w_1_1_1: 0.25, w_1_2_1: 0.45, bs: 0.1}\n"))
    closed = grads.derivation(net.symbol_by_name["bs"]).closed
    assert worked.value(closed) == 0
    weight = grads.derivation(net.symbol_by_name["w_1_1_1"]).closed
    assert worked.value(weight) != 0


def test_a_product_below_float64s_range_keeps_its_value(tmp_path: Path) -> None:
    """x·w of 1e-200 each: 10⁻⁴⁰⁰ (float64: 0), with its sign."""
    net, grads, worked = _worked(tmp_path, (
        "inputs: [x1]\nlayers:\n  - {size: 1, activation: linear}\nloss: squared_error\n"
        "values:\n  inputs: {x1: -2e-200}\n  targets: {u1_1: 0}\n"
        "  params: {w_1_1_1: 3e-200, b_1_1: 0}\n"))
    value = worked.value(grads.derivation(net.symbol_by_name["w_1_1_1"]).closed)
    assert float(value) == 0.0  # float64 cannot hold it
    with mpmath.workdps(70):
        assert abs(value - mpmath.mpf("1.2e-599")) < mpmath.mpf("1e-660")  # (xw − y)·x


def test_a_number_is_taken_as_the_spec_wrote_it() -> None:
    with mpmath.workdps(50):
        third = as_written(Number(Fraction(1, 3)))
        assert abs(third * 3 - 1) < mpmath.mpf("1e-49")
        assert as_written(0.1) == mpmath.mpf("0.1")


@pytest.mark.parametrize(("text", "exponent"), [("3.1e-663", -663), ("9.99e-10", -10),
                                                ("1e-15", -15), ("-4.2e700", 700), ("0", 0)])
def test_decimal_exponent(text: str, exponent: int) -> None:
    assert decimal_exponent(mpmath.mpf(text)) == exponent


def test_printable_numbers_are_finite_and_within_the_exponent_check_reads() -> None:
    assert printable(mpmath.mpf(f"1e-{MAX_PRINTED_EXPONENT}"))
    assert not printable(mpmath.mpf(f"1e-{MAX_PRINTED_EXPONENT + 1}"))
    assert not printable(mpmath.mpf("inf")) and not printable(None)
    assert printable(mpmath.mpf(0))


def test_a_precise_value_is_a_float_that_keeps_its_digits() -> None:
    import numpy as np

    from symbackprop.numeric.worked import Precise, precise
    from symbackprop.render.numbers import json_number, number

    with mpmath.workdps(70):
        tiny = Precise(mpmath.mpf("3.43695312e-671"))
        assert float(tiny) == 0.0 and np.isclose(tiny, 0.0)  # float64 arithmetic goes on
        assert number(tiny) == "3.43695312e-671" and json_number(tiny) == "3.43695312e-671"
        assert precise(tiny) == mpmath.mpf("3.43695312e-671") and precise(0.5) == 0.5
        assert printable(tiny) and decimal_exponent(tiny) == -671
        near = Precise(mpmath.mpf("-1e-15"))
        assert number(near) == "-1e-15" and json_number(near) == -1e-15


def test_numbers_spanning_many_orders_are_worked_in_as_many_more_digits(tmp_path: Path
                                                                        ) -> None:
    """σ(2.5 × 10^{-200}) − 0.5 is 6.25 × 10^{-201}: in 50 and 70 digits alike σ is 0.5 and
    the difference 0, so the spec's span of 200 orders adds 400 digits."""
    assert working_digits([0.5, -0.25, 3.0]) == 54 and working_digits([0, 0.0]) == 50
    assert working_digits([1e-200, 0.5]) == 450
    net, grads, worked = _worked(tmp_path, (
        "inputs: [x1]\nlayers:\n  - {size: 1, activation: sigmoid}\nloss: squared_error\n"
        "values:\n  inputs: {x1: 1e-200}\n  targets: {u1_1: 0.5}\n"
        "  params: {w_1_1_1: 0.5, b_1_1: 2e-200}\n"))
    assert worked.digits == 450
    value = worked.value(grads.derivation(net.symbol_by_name["b_1_1"]).closed)
    with mpmath.workdps(70):  # (σ(z) − y)·σ'(z), z = 2.5e-200: 6.25e-201 · 0.25
        assert abs(value / mpmath.mpf("1.5625e-201") - 1) < mpmath.mpf("1e-40")


def test_softmax_targets_that_sum_to_1_in_float64_only_are_taken_as_check_takes_them(
        tmp_path: Path) -> None:
    """Targets 0.3333333333333333, 0.3333333333333333 and 0.33333333333333337 sum to 1 in
    float64, not in 50 digits; at zero logits a − y is then about 10⁻¹⁷, and the value derive
    prints must be the one check works out (the last target the rest of 1), or a derivation
    derive printed is judged wrong."""
    from click.testing import CliRunner

    from symbackprop.cli.app import main

    spec = tmp_path / "thirds.yaml"
    spec.write_text(
        "inputs: [x]\nlayers: [{size: 3, activation: softmax}]\nloss: cross_entropy\n"
        "values:\n  params: {w_1_1_1: 0, w_1_2_1: 0, w_1_3_1: 0, b_1_1: 0, b_1_2: 0, "
        "b_1_3: 0}\n  inputs: {x: 0}\n  targets: {u1_1: 0.3333333333333333, "
        "u1_2: 0.3333333333333333, u1_3: 0.33333333333333337}\n", encoding="utf-8")
    net = build_network(load_spec(spec))
    ex = net.spec.values.examples[0]
    worked = worked_example(net, derive(net), net.spec.values.params, ex.inputs, ex.targets)
    with mpmath.workdps(60):
        assert abs(mpmath.fsum(worked.high[t] for t in net.targets) - 1) < mpmath.mpf(10) ** -60
    printed = CliRunner().invoke(main, ["derive", str(spec), "--format", "latex"])
    assert printed.exit_code == 0, printed.output
    derivation = tmp_path / "derivation.tex"
    derivation.write_text(printed.output, encoding="utf-8")
    checked = CliRunner().invoke(main, ["check", str(spec), "--derivation", str(derivation)])
    assert checked.exit_code == 0, checked.output
