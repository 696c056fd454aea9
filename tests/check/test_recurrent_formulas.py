"""check on the bundled RNN (Goodfellow, Bengio and Courville's names): BPTT formulas written
out step by step get the right verdicts, and dropping the sum over time or the recurrent
term is found."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from paths import SPECS

from symbackprop.cli.app import main

SPEC = str(SPECS / "rnn-bptt.yaml")
DH = r"\frac{{\partial L}}{{\partial h^{{({t})}}_{i}}}"


def _verdict(formula: str) -> str:
    result = CliRunner().invoke(main, ["check", SPEC, "--formula", formula])
    assert result.exit_code in (0, 1), result.output
    return result.output.splitlines()[0].rsplit(": ", 1)[1]


def _w_term(t: int, i: int, j: int) -> str:
    return (rf"(1 - (h^{{({t})}}_{i})^2) " + DH.format(t=t, i=i) + rf" h^{{({t - 1})}}_{j}")


def _recurrence(t: int, i: int, *, recurrent: bool) -> str:
    out = " + ".join(rf"V_{{{k},{i}}} (\hat{{y}}^{{({t})}}_{k} - y^{{({t})}}_{k})"
                     for k in (1, 2))
    if recurrent:
        out += " + " + " + ".join(
            rf"W_{{{k},{i}}} (1 - (h^{{({t + 1})}}_{k})^2) " + DH.format(t=t + 1, i=k)
            for k in (1, 2))
    return DH.format(t=t, i=i) + " = " + out


@pytest.mark.parametrize("i, j", [(1, 2), (2, 1)])
def test_the_sum_over_time_of_w_is_correct_and_its_last_term_alone_is_not(i: int, j: int
                                                                          ) -> None:
    lhs = rf"\frac{{\partial L}}{{\partial W_{{{i},{j}}}}} = "
    assert _verdict(lhs + " + ".join(_w_term(t, i, j) for t in (2, 3))) == "CORRECT"
    assert _verdict(lhs + _w_term(3, i, j)) == "INCORRECT"


def test_v_summed_over_the_steps_is_correct() -> None:
    terms = " + ".join(rf"(\hat{{y}}^{{({t})}}_1 - y^{{({t})}}_1) h^{{({t})}}_2" for t in (1, 2, 3))
    assert _verdict(r"\frac{\partial L}{\partial V_{1,2}} = " + terms) == "CORRECT"
    assert _verdict(r"\frac{\partial L}{\partial V_{1,2}} = (\hat{y}^{(3)}_1 - y^{(3)}_1) "
                    r"h^{(3)}_2") == "INCORRECT"


@pytest.mark.parametrize("t", [1, 2])
def test_the_recurrence_needs_its_recurrent_term_before_the_last_step(t: int) -> None:
    assert _verdict(_recurrence(t, 1, recurrent=True)) == "CORRECT"
    assert _verdict(_recurrence(t, 1, recurrent=False)) == "INCORRECT"


def test_at_the_last_step_the_recurrence_has_no_recurrent_term() -> None:
    assert _verdict(_recurrence(3, 2, recurrent=False)) == "CORRECT"
