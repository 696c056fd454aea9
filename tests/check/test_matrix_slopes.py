"""A leaky ReLU in matrix form, written as derive writes it (lrelu_{1/5}'(z)): the slope must
be the layer's own α for the step to be judged."""

from __future__ import annotations

from pathlib import Path

import pytest
from checkers import checker

from symbackprop.errors import FormulaError

SPEC = """title: a leaky ReLU layer in matrix form
inputs: {size: 2}
layers:
- size: 3
  activation: {kind: leaky_relu, alpha: 0.2}
- size: 1
  activation: sigmoid
loss: {kind: squared_error, factor: 1/2, reduction: sum}
"""
STEP = (r"\delta^{{[1]}} = \left(\left(W^{{[2]}}\right)^{{\top}} \delta^{{[2]}}\right) \odot "
        r"\operatorname{{lrelu}}_{{{slope}}}'\left(z^{{[1]}}\right)")


def test_the_layers_slope_is_judged_and_another_is_not_read_as_it(tmp_path: Path) -> None:
    spec = tmp_path / "leaky.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    check = checker(spec)
    for slope in (r"\frac{1}{5}", "0.2"):
        result = check.check_derivation(STEP.format(slope=slope))
        assert [s.verdict for s in result.steps] == ["correct"], result.steps
    for slope in (r"\frac{1}{4}", "0.3"):  # another slope is never read as the layer's
        with pytest.raises(FormulaError, match="is not the layer's"):
            check.check_derivation(STEP.format(slope=slope))
