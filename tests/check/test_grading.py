"""Reading a class's answers file: a CSV row whose formula holds an unquoted comma."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import ROOT

from symbackprop.check import read_answers
from symbackprop.cli.app import main
from symbackprop.errors import SpecError

MAZUR = ROOT / "specs" / "seed-004-mazur-2-2-2.yaml"
UNQUOTED = ("id,param,formula\na1,w5,out_h1\n"
            "a2,w5,\\frac{\\partial L}{\\partial w^{[2]}_{1,1}} = x\n")


def test_an_unquoted_comma_names_the_row_and_says_to_quote(tmp_path: Path) -> None:
    answers = tmp_path / "class.csv"
    answers.write_text(UNQUOTED, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        read_answers(answers)
    message = str(caught.value)
    assert ":3:" in message and "4 fields" in message and "double quotes" in message
    result = CliRunner().invoke(main, ["check", str(MAZUR), "--answers", str(answers)])
    assert result.exit_code == 2 and "unclosed" not in result.output


def test_the_same_formula_quoted_is_read_whole(tmp_path: Path) -> None:
    answers = tmp_path / "class.csv"
    answers.write_text(UNQUOTED.replace("\\frac{\\partial L}{\\partial w^{[2]}_{1,1}} = x",
                                        '"\\frac{\\partial L}{\\partial w^{[2]}_{1,1}} = x"')
                       + "a3,w5,out_h1,\n", encoding="utf-8")
    rows = read_answers(answers)
    assert rows[1]["formula"] == "\\frac{\\partial L}{\\partial w^{[2]}_{1,1}} = x"
    assert rows[2]["formula"] == "out_h1"  # an empty field after the last column is no comma
