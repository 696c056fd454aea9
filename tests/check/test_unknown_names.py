"""Names that name nothing: the index out of range, its valid values, and suggestions written
in the spec's notation that read back to the network's quantities."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from paths import SPECS

from symbackprop.check.judging.verdict import Checker
from symbackprop.check.meaning.unknown_names import family_of, spelled, writable
from symbackprop.cli.check import check
from symbackprop.errors import FormulaError, SpecError
from symbackprop.network.build import build_network
from symbackprop.spec.load import load_spec

_checkers: dict[str, Checker] = {}
LINEAR = "seed-001-linear-1-1-2-1"
MAZUR = "seed-004-mazur-2-2-2"


def checker_of(name: str) -> Checker:
    if name not in _checkers:
        _checkers[name] = Checker(build_network(load_spec(SPECS / f"{name}.yaml")), points=2)
    return _checkers[name]


def refusal(spec: str, text: str) -> FormulaError:
    with pytest.raises(FormulaError) as info:
        checker_of(spec).read(f"{text} = 1")
    return info.value


def suggested(hint: str) -> list[str]:
    """The names a hint offers: every `name` after its first clause (which repeats the name
    that does not exist)."""
    _, _, offered = hint.partition(" in this network: ") if " in this network: " in hint \
        else ("", "", hint)
    return re.findall(r"`([^`]+)`", offered)


def names_a_quantity(checker: Checker, text: str) -> sp.Symbol:
    """The quantity ``text`` names on its own as a formula, or a failed test."""
    sides, reading = checker.read(text)
    (side,) = sides
    assert isinstance(side, sp.Symbol) and side in checker.ctx.quantities.latex, text
    assert not reading.notes, (text, reading.notes)
    return side


@pytest.mark.parametrize("spec, text, expected", [
    (LINEAR, r"w^{[2]}_{1, 2}", "no weight `w^{[2]}_{1,2}` in this network: its second index "
     "must be 1, not 2; layer 2 has `w^{[2]}_{1,1}` and `w^{[2]}_{2,1}`"),
    (LINEAR, "a_3_2", "no activation `a^{[3]}_2` in this network: its index must be 1, not 2;"
     " layer 3 has `a^{[3]}_1`"),
    (LINEAR, r"w^{[4]}_{1,1}", "no weight `w^{[4]}_{1,1}` in this network: its layer must be 1 "
     "to 3, not 4; did you mean `w^{[3]}_{1,1}`?"),
    (LINEAR, r"\delta^{[2]}_3", r"no δ `\delta^{[2]}_3` in this network: its index must be 1 "
     r"to 2, not 3; layer 2 has `\delta^{[2]}_1` and `\delta^{[2]}_2`"),
    (MAZUR, "out_{o3}", "no activation `out_{o3}` in this network: its index must be 1 to 2, "
     "not 3; did you mean `out_{o2}`?"),
    (MAZUR, "w9", "no weight `w_9` in this network: its index must be 1 to 8, not 9; did you "
     "mean `w_8`?"),
    (MAZUR, "outt_h1", "did you mean `out_{h1}`?"),
    (MAZUR, "sigmod", "did you mean `sigmoid`?"),
    ("seed-002-four-layer", "w^{1}_{15}", "its second index must be 11, 12, 13, 14, 21, 22, 23 "
     "or 24, not 15"),
])
def test_unknown_names_say_what_is_out_of_range(spec: str, text: str, expected: str) -> None:
    error = refusal(spec, text)
    assert str(error).startswith(f"unknown name `{text}` at character 1")
    assert error.hint is not None and expected in error.hint


def test_several_names_about_as_close_are_all_offered() -> None:
    hint = refusal(MAZUR, "h3").hint
    assert hint is not None and suggested(hint)[:2] == ["out_{h1}", "out_{h2}"]
    assert 1 < len(suggested(hint)) <= 3


@pytest.mark.parametrize("spec, text", [(MAZUR, "out"), ("softmax-cross-entropy", "a")])
def test_an_ambiguous_name_offers_each_reading(spec: str, text: str) -> None:
    error = refusal(spec, text)
    assert str(error).startswith(f"`{text}` is ambiguous at character 1 (write which one: ")
    offered = suggested(error.hint or "")
    assert len(offered) > 1 and len(set(offered)) == len(offered)
    for name in offered:
        names_a_quantity(checker_of(spec), name)


@pytest.mark.parametrize("spec", sorted(p.stem for p in SPECS.glob("*.yaml")))
def test_every_suggestion_reads_back_as_a_quantity(spec: str) -> None:
    """For a name of every family with an index that does not exist, each name the hint
    offers, pasted into a formula as it stands, names a quantity of the network."""
    checker = checker_of(spec)
    latex = checker.ctx.quantities.latex
    net = checker.ctx.net
    # the 2 of a layer_norm layer's σ² is a power, not an index of a family
    powers = {net.unit_by_name[lay.norm.variance].out for lay in net.spec.layers
              if lay.norm is not None}
    offered = 0
    for sym, tex in latex.items():
        _, values = family_of(tex)
        if not values or sym in powers:
            continue
        wrong = spelled([*values[:-1], values[-1] + 50], tex, values)
        assert wrong is not None
        with pytest.raises(FormulaError, match="unknown name") as info:
            checker.read(f"{wrong} = 1")
        for name in suggested(info.value.hint or ""):
            names_a_quantity(checker, name)
            offered += 1
    assert offered or not any(family_of(t)[1] for t in latex.values())


@pytest.mark.parametrize("spec", sorted(p.stem for p in SPECS.glob("*.yaml")))
def test_names_offered_for_a_misspelling_read_back(spec: str) -> None:
    """A quantity's name with a letter doubled names nothing; every name offered for it
    reads back as a quantity, the misspelt one among them."""
    checker = checker_of(spec)
    q = checker.ctx.quantities
    hits = 0
    for sym in q.latex:
        if q.kinds[sym] in ("cost", "count", "rate", "loss_gradient") or len(sym.name) < 3:
            continue
        typo = sym.name[:2] + sym.name[1:]
        try:
            checker.read(f"{typo} = 1")
        except FormulaError as error:
            offered = [names_a_quantity(checker, name) for name in suggested(error.hint or "")]
            hits += sym in offered
    assert hits


@pytest.mark.parametrize("spec", [LINEAR, MAZUR, "seed-000-renom-1-2-1", "relu-mlp"])
def test_writable_names_read_back_to_their_quantity(spec: str) -> None:
    checker = checker_of(spec)
    for sym in checker.ctx.quantities.latex:
        if checker.ctx.quantities.kinds[sym] in ("cost", "count", "rate", "loss_gradient"):
            continue
        text = writable(checker.ctx.table, sym)
        assert "\\mathrm" not in text and "_{1}" not in text, text
        assert names_a_quantity(checker, text) == sym


@pytest.mark.parametrize("param, expected", [
    ("w9", "its index must be 1 to 8, not 9; did you mean `w_8`?"),
    ("nope", "the parameters are `w_1`, `w_2`"),
])
def test_a_parameter_that_does_not_exist(param: str, expected: str) -> None:
    with pytest.raises(FormulaError, match=f"no parameter called `{param}`") as info:
        checker_of(MAZUR).resolve_param(param)
    assert expected in (info.value.hint or "")


def test_family_and_spelling() -> None:
    assert family_of(r"w^{[2]}_{1, 2}") == family_of("w_2_1_2") == ("w_#_#_#", (2, 1, 2))
    assert family_of(r"\mathrm{out}_{o3}") == ("out_o#", (3,))
    assert spelled([4, 1, 1], r"w^{[3]}_{1,2}", (3, 1, 2)) == r"w^{[4]}_{1,1}"
    assert spelled([4], r"x_{1,\mathrm{in}}", (1, 1)) is None


# ------------------------------------------------------------------ generated networks

def _unused(checker: Checker) -> int:
    """An index no name of the network has: without 0 (read as the letter o) and whose
    digits appear in no name, so that no generous reading reaches another quantity."""
    table = checker.ctx.table
    spellings = [*table.exact, *(k for k in table.squashed), *table.units]
    value = 1 + max((int(n) for s in spellings for n in re.findall(r"\d+", s)), default=0)
    while "0" in str(value) or any(str(value) in s for s in spellings):
        value += 1
    return value


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_an_index_that_does_not_exist_is_an_unknown_name(data: st.DataObject) -> None:
    """Every quantity's name, as reports print it and in LaTeX, with one index changed to
    one that does not exist, is refused as unknown: never read as another quantity."""
    from command_specs import command_cases, load_text

    case = data.draw(command_cases(clash_share=0.0))
    try:
        spec = load_text(case.text, case.suffix)
    except SpecError:
        assume(False)
        raise
    checker = Checker(build_network(spec), points=2)
    value = _unused(checker)
    q = checker.ctx.quantities
    indexed = [s for s in q.latex if re.search(r"\d", q.latex[s])
               and q.kinds[s] not in ("cost", "count", "rate", "loss_gradient")]
    assume(indexed)
    wrongs: list[str] = []
    for sym in indexed:
        for name in (checker.ctx.table.text_of(sym), q.latex[sym]):
            # a printed ^22 is ^2 and a 2: only a braced superscript takes several digits
            groups = [g for g in re.finditer(r"\d+", name) if name[g.start() - 1] != "^"
                      or len(str(value)) == 1]
            if not groups:
                continue
            g = groups[data.draw(st.integers(0, len(groups) - 1))]
            wrong = name[:g.start()] + str(value) + name[g.end():]
            with pytest.raises(FormulaError, match="unknown name") as info:
                checker.read(f"{wrong} = 1")
            assert "\n" not in str(info.value)
            wrongs.append(wrong)
    wrong = data.draw(st.sampled_from(wrongs))
    with tempfile.TemporaryDirectory() as folder:
        path = case.write(Path(folder))
        args = [str(path), "--param", spec.params[0].name, "--formula", f"{wrong} = 1"]
        result = CliRunner().invoke(check, args)
    assert result.exit_code == 2, result.output
    assert "unknown name" in result.output and result.output.count("\n") == 1, result.output
    assert "Traceback" not in result.output
