"""derive's text format prints small and large numbers as ``-1.61662477e-292`` and
``2.5e+07``; ``check`` reads them back as scientific notation, each standing for the numbers
that round to it, so the printed derivation is judged correct and a changed digit or exponent
is not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import SPECS

from symbackprop.check import Checker
from symbackprop.cli.app import main
from symbackprop.network.build import build_network
from symbackprop.spec.load import load_spec

MAZUR = SPECS / "seed-004-mazur-2-2-2.yaml"
SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?e[-+][0-9]+")

VARIANTS = {
    # a weight of 1e-7 and an input of 3e-9: gradients near 10^{-11}
    "small": {"w1: 0.15": "w1: 1e-7", "i1: 0.05": "i1: 3e-9"},
    # values near the end of float64's range: products of them only in high precision
    "tiny": {"w1: 0.15": "w1: 1e-7", "i1: 0.05": "i1: 3.5e-290", "w5: 0.40": "w5: 2.5e-300"},
    # an input printed as 2.5e+07
    "large": {"i2: 0.10": "i2: 2.5e7", "w2: 0.20": "w2: 1e-8", "w4: 0.30": "w4: 3e-8"},
}


def variant(folder: Path, name: str) -> Path:
    text = MAZUR.read_text(encoding="utf-8")
    for old, new in VARIANTS[name].items():
        assert old in text
        text = text.replace(old, new)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def derive(*args: str) -> str:
    printed = CliRunner().invoke(main, ["derive", *args])
    assert printed.exit_code == 0, printed.output
    return printed.output


def check(spec: Path, derivation: str) -> list[tuple[int, str, str]]:
    result = Checker(build_network(load_spec(spec))).check_derivation(derivation)
    return [(s.line, s.verdict, s.text) for s in result.steps]


@pytest.mark.parametrize("form", ["chain", "closed", "delta"])
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_numbers_printed_with_an_exponent_read_back_as_correct(
        tmp_path: Path, name: str, form: str) -> None:
    spec = variant(tmp_path, name)
    printed = derive(str(spec), "--form", form)
    steps = check(spec, printed)
    wrong = [s for s in steps if s[1] not in ("correct", "definition")]
    assert not wrong, wrong
    read = [s for s in steps if SCIENTIFIC.search(s[2])]
    assert len(read) == len([line for line in printed.splitlines() if SCIENTIFIC.search(line)])
    assert read or form != "chain"  # each variant prints numbers with an exponent


@pytest.mark.parametrize(("name", "param", "number", "mutant"), [
    ("tiny", "w1", "-1.61662477e-292", "-1.61662478e-292"),   # the last digit
    ("tiny", "w1", "-1.61662477e-292", "-1.61662477e-293"),   # the exponent
    ("tiny", "w1", "-1.61662477e-292", "-1.61662477e-291"),
    ("tiny", "w1", "· 3.5e-290", "· 3.6e-290"),                # a factor's digit
    ("tiny", "w1", "· 3.5e-290", "· 3.5e-291"),                # a factor's exponent
    ("small", "w1", "· 3e-09", "· 3e-08"),                     # a whole mantissa
    ("small", "w1", "· 3e-09", "· 4e-09"),
    ("large", "w2", "· 2.5e+07", "· 2.5e+06"),
    ("large", "w2", "· 2.5e+07", "· 2.6e+07"),
])
def test_a_changed_digit_or_exponent_is_not_correct(
        tmp_path: Path, name: str, param: str, number: str, mutant: str) -> None:
    spec = variant(tmp_path, name)
    printed = derive(str(spec), "--param", param)
    assert printed.count(number) == 1, printed
    line = printed[:printed.index(number)].count("\n") + 1
    before = dict((s[0], s[1]) for s in check(spec, printed))
    assert before[line] == "correct"
    after = dict((s[0], s[1]) for s in check(spec, printed.replace(number, mutant)))
    assert after[line] == "incorrect"
