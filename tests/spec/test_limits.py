"""Bounds on a spec are checked before any work, and a user with a real need can raise them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from symbackprop.cli.app import main
from symbackprop.errors import SpecError
from symbackprop.network.build import build_network
from symbackprop.numeric.points import complete_values
from symbackprop.spec.limits import Limits, current_limits, limits_in_force
from symbackprop.spec.load import load_spec

WIDE = "inputs: {size: 40}\nlayers:\n  - {size: 30, activation: tanh}\n" \
       "  - {size: 2, activation: sigmoid}\nloss: mse\n"


def _spec(tmp_path: Path, text: str, name: str = "net.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_every_bound_can_be_raised_from_the_api(tmp_path: Path) -> None:
    p = _spec(tmp_path, WIDE)
    with pytest.raises(SpecError, match="more than 1000 parameters"):
        load_spec(p, Limits(max_params=1000))
    with pytest.raises(SpecError, match="more than 50 inputs and units"):
        load_spec(p, Limits(max_units=50))
    assert len(load_spec(p, Limits(max_params=40 * 30 + 30 + 30 * 2 + 2)).params) == 1292
    with limits_in_force(Limits(max_params=1000)):
        assert current_limits().max_params == 1000
        with pytest.raises(SpecError, match="parameters"):
            load_spec(p)
    assert current_limits() == Limits()


@pytest.mark.parametrize("option, value, message", [
    ("--max-params", "1000", "more than 1000 parameters"),
    ("--max-units", "50", "more than 50 inputs and units"),
    ("--max-bytes", "60", "file is larger than 60 bytes"),
    ("--max-depth", "2", "nested more than 2 levels"),
    ("--max-values", "5", "more than 5 values"),
])
def test_every_bound_is_an_option_of_the_command(tmp_path: Path, option: str, value: str,
                                                 message: str) -> None:
    p = _spec(tmp_path, WIDE)
    result = CliRunner().invoke(main, [option, value, "derive", "--form", "delta", str(p)])
    assert result.exit_code == 2 and message in result.stderr
    assert result.stderr.startswith(f"error: {p}:")
    result = CliRunner().invoke(main, ["derive", "--form", "delta", "--format", "json",
                                       str(p)])
    assert result.exit_code == 0, result.stderr


def test_bounds_come_from_the_environment(tmp_path: Path) -> None:
    p = _spec(tmp_path, WIDE)
    result = CliRunner().invoke(main, ["derive", str(p)], env={"SYMBACKPROP_MAX_PARAMS": "10"})
    assert result.exit_code == 2 and "more than 10 parameters" in result.stderr
    assert current_limits() == Limits()  # the bound ended with the command


def test_the_unit_count_is_refused_before_any_unit_is_made(tmp_path: Path) -> None:
    p = _spec(tmp_path, "inputs: [x]\nlayers:\n  - {units: 100000000, activation: tanh}\n"
                        "loss: mse\n")
    start = time.process_time()
    with pytest.raises(SpecError, match="inputs and units") as info:
        load_spec(p)
    assert time.process_time() - start < 0.5
    assert info.value.line == 3 and info.value.field == "layers[0].units"


def test_a_device_is_read_no_further_than_the_bound() -> None:
    zero = Path("/dev/zero")
    if not zero.exists():
        pytest.skip("no /dev/zero")
    with pytest.raises(SpecError, match="file is larger than 1000 bytes"):
        load_spec(zero, Limits(max_bytes=1000))


def test_an_alias_bomb_is_refused_without_expanding_it(tmp_path: Path) -> None:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 9) + "]"]
    lines += [f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, 12)]
    p = _spec(tmp_path, "\n".join(lines) + "\ninputs: *a11\n")
    start = time.process_time()
    with pytest.raises(SpecError, match="more than 2000000 values"):
        load_spec(p)
    assert time.process_time() - start < 0.5


def test_a_few_aliases_are_fine(tmp_path: Path) -> None:
    p = _spec(tmp_path, "inputs: &in [x1, x2]\nlayers:\n  - {size: 2, activation: tanh}\n"
                        "  - {size: 1, activation: sigmoid}\nloss: mse\n"
                        "values:\n  examples:\n    - {inputs: &v {x1: 1, x2: 2}, "
                        "targets: {u2_1: 0.5}}\n    - {inputs: *v, targets: {u2_1: 0.1}}\n")
    spec = load_spec(p)
    assert [e.inputs for e in spec.values.examples] == [{"x1": 1.0, "x2": 2.0}] * 2


def test_a_byte_order_mark_is_fine(tmp_path: Path) -> None:
    p = tmp_path / "net.yaml"
    p.write_bytes(b"\xef\xbb\xbf" + WIDE.encode())
    assert len(load_spec(p).inputs) == 40


def test_gradcheck_fills_in_softmax_targets_that_sum_to_one(tmp_path: Path) -> None:
    p = _spec(tmp_path, "inputs: [x1]\nlayers:\n  - {size: 3, activation: softmax}\n"
                        "loss: cross_entropy\nvalues:\n  inputs: {x1: 0.5}\n"
                        "  targets: {u1_1: 0.2}\n")
    spec = load_spec(p)
    values, _ = complete_values(build_network(spec), spec.values, seed=3)
    targets = values.examples[0].targets
    assert targets["u1_1"] == 0.2
    assert sum(targets.values()) == pytest.approx(1.0)
    assert min(targets.values()) >= 0
    result = CliRunner().invoke(main, ["gradcheck", str(p)])
    assert result.exit_code == 0, result.stdout + result.stderr

