"""The gradient sections of the notes: derivations, one descent step, the worked example.

A parameter whose derivation follows the same steps as one already shown (w6, w7, w8 after
w5) gets one line, its values, numbers and result, the way Mazur writes "we can repeat this
process"; ``full`` derives every parameter factor by factor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from ..network.build import Network
from ..network.chains import backward_order, chain_terms
from ..network.derivation import Gradients
from ..network.functions import UnspecifiedPrime
from ..render.derivations import ParamDerivation, _numeric, build_document, value_of
from ..render.latex import TEXT_WIDTH_EM, Step, aligned_rows, latex_width
from ..render.numbers import number_tex, rounded
from ..render.printing import NetworkLatexPrinter, Partial, superscript
from .document import Block, Equations, Heading, Math, Para, Table

MAX_DERIVED = 12  # parameters listed before a large network shows one of each kind only
COMPACT_KINDS = ("values", "numbers", "value")


def numbers_steps(formula: sp.Expr, at: dict[sp.Symbol, float], net: Network,
                  value: float | None = None) -> list[Step]:
    """``formula``, then the formula with the numbers in, then its value (an unspecified
    function evaluated as the stand-in asked for in ``net``)."""
    if value is None:
        value = _numeric(formula, at, net)
    steps = [Step(formula)]
    if formula.free_symbols and not formula.is_Symbol:
        subs: dict[sp.Expr, sp.Expr] = {
            s: rounded(value_of(at, s)) for s in formula.free_symbols if s in at}
        # an unspecified activation's slope (∂a/∂z in the formula) enters as its number, not
        # as f'(0.3): a name the formula does not use
        subs.update({d: rounded(_numeric(d, at, net)) for d in formula.atoms(UnspecifiedPrime)})
        if _defined_at(formula, subs):
            with sp.evaluate(False):
                steps.append(Step(formula.xreplace(subs)))
    steps.append(Step(latex=number_tex(value)))  # worked out in high precision
    return steps


def _defined_at(formula: sp.Expr, subs: dict[sp.Expr, sp.Expr]) -> bool:
    """Whether ``formula`` with the rounded numbers in is a number: a value that underflowed
    to 0 (softplus(−1005)) would put log(0) or 0.5/0 on the page, so that line is left out
    and the value, computed without the underflow, follows the formula directly. A function
    SymPy cannot evaluate (g(0) of an unspecified g) is not a pole: its line stays."""
    if not any(v.is_zero for v in subs.values()):
        return True  # only a zero can be a logarithm's or a denominator's pole here
    value = formula.xreplace(subs)
    return not value.has(sp.zoo, sp.oo, -sp.oo, sp.nan) and value.is_finite is not False


def backward_params(net: Network, grads: Gradients) -> list[sp.Symbol]:
    """Parameters from the output layer back (w5 … w8, b2 before w1 … w4, b1), as the
    backward pass meets them; within a layer in the spec's order."""
    order = backward_order(net)
    height: dict[str, int] = {}
    for u in order:  # a unit's height: the longest way from it to an output, in units
        height[u.name] = 1 + max((height[c.name] for c in grads.consumers[u.name]), default=-1)
    position = {p: k for k, p in enumerate(net.trained)}

    def key(p: sp.Symbol) -> tuple[int, bool, int]:
        uses = grads.uses(p)
        nearest = min((height[u.unit.name] for u in uses), default=len(order))
        return (nearest, all(u.source is None for u in uses), position[p])

    return sorted(net.trained, key=key)


def pattern(grads: Gradients, p: sp.Symbol) -> tuple[Any, ...]:
    """What a derivation looks like: parameters with the same pattern are derived alike."""
    uses = grads.uses(p)
    terms = chain_terms(grads, p)
    shape = None if terms is None else tuple(
        (len(t), tuple(len(f.expansion) for f in t)) for t in terms)
    return (all(u.source is None for u in uses), tuple(sorted(u.unit.layer for u in uses)),
            shape)


def derivations_section(net: Network, grads: Gradients, params: Sequence[str] | None,
                        at: dict[sp.Symbol, float] | None, *, full: bool) -> list[Block]:
    ordered = backward_params(net, grads)
    firsts: dict[tuple[Any, ...], sp.Symbol] = {}
    for p in ordered:
        firsts.setdefault(pattern(grads, p), p)
    leaders = set(firsts.values())
    note = ""
    if params:
        chosen = list(params)
        in_full = set(chosen)
    elif len(ordered) > MAX_DERIVED and not full:
        chosen = [p.name for p in ordered if p in leaders]
        in_full = set(chosen)
        note = (f" The network has {len(ordered)} parameters; one of each kind is shown, "
                "and the others follow the same steps.")
    else:
        chosen = [p.name for p in ordered]
        in_full = set(chosen) if full else {p.name for p in leaders}
    doc = build_document(net, grads, params=chosen, form="chain",
                         values=net.spec.values if at is not None else None)
    numbers = "their numbers and " if at is not None else ""
    intro = ("Each parameter's derivative by the chain rule: its factors, their values, "
             f"{numbers}the result. ")
    if len(in_full) < len(chosen):
        intro += ("A parameter derived by the same steps as one before it is given in one "
                  "line, from its values on.")
    out: list[Block] = [Heading("Gradients, step by step"), Para((intro + note,))]
    if net.frozen:
        out.append(Para(frozen_words(net, at)))
    printer = NetworkLatexPrinter(net)
    widest = max((latex_width(pd.lhs_latex) for pd in doc.params), default=0.0)
    for pd in doc.params:
        rows = pd.rows if pd.name in in_full else [r for r in pd.rows
                                                   if r.kind in COMPACT_KINDS]
        out.append(Equations(tuple(_derivation_rows(pd, rows, printer, widest))))
    return out


def frozen_words(net: Network, at: dict[sp.Symbol, float] | None) -> tuple[str | Math, ...]:
    """The frozen parameters in words: they keep their values and have no gradient."""
    names: list[str | Math] = []
    for k, p in enumerate(net.frozen):
        if k:
            names.append(" and " if k == len(net.frozen) - 1 else ", ")
        shown = net.latex_of(p) if at is None else f"{net.latex_of(p)} = {number_tex(at[p])}"
        names.append(Math(shown))
    one = len(net.frozen) == 1
    return ("The parameter " if one else "The parameters ", *names,
            " is frozen: it is" if one else " are frozen: they are",
            " not trained, so no gradient or update is derived for ",
            "it" if one else "them", ", and a step of gradient descent leaves ",
            "it" if one else "them", " unchanged. The other gradients use ",
            "its value" if one else "their values", " as given.")


def _derivation_rows(pd: ParamDerivation, rows: Sequence[Any], printer: Any,
                     widest: float) -> list[str]:
    steps = [Step(r.expr) if r.expr is not None else Step(latex=r.latex) for r in rows]
    width = TEXT_WIDTH_EM - max(0.0, widest - latex_width(pd.lhs_latex))
    return aligned_rows(pd.lhs_latex, steps, printer, width=width, pack=True)


def descent_section(net: Network, grads: Gradients, at: dict[sp.Symbol, float], *,
                    full: bool = False) -> list[Block]:
    """One table: each parameter, its gradient, its value after one step, its check (and with
    ``full`` the finite difference it was checked against)."""
    from ..numeric.evaluation import evaluate
    from ..numeric.gradient_check import gradcheck

    spec = net.spec
    report = gradcheck(net, grads, spec.values)
    checks = {r.name: r for r in report.parameters}
    lr = spec.values.learning_rate
    updated = evaluate(net, grads, spec.values).updated if lr is not None else None
    loss = net.latex_of(net.loss_symbol)
    theta = r"\theta"
    header: list[str | Math] = ["parameter", Math(theta),
                                Math(rf"\partial {loss} / \partial {theta}")]
    if updated is not None:
        header.append(Math(superscript(theta, "+")))
    if full:
        header.append("finite difference")
    header.append("check")
    rows: list[tuple[str | Math, ...]] = []
    for p in backward_params(net, grads):
        check = checks.get(p.name)  # a large network's check samples its parameters
        row: list[str | Math] = [Math(net.latex_of(p)), Math(number_tex(at[p])),
                                 Math(number_tex(_numeric(grads.gradient(p), at, net)))]
        if updated is not None:
            row.append(Math(number_tex(updated[p.name])))
        if full:
            row.append("" if check is None else Math(number_tex(check.numeric)))
        row.append("not sampled" if check is None else
                   Math(_sci(check.rel_error)) if check.ok else "FAIL")
        rows.append(tuple(row))
    out: list[Block] = [Heading("One step of gradient descent" if lr is not None
                                else "Checking the gradients")]
    words: list[str | Math] = []
    if lr is not None and updated is not None:
        eta = spec.notation.learning_rate
        p = backward_params(net, grads)[0]
        rule = rf"{theta}^{{+}} = {theta} - {eta}\, \partial {loss} / \partial {theta}"
        gradient = _numeric(grads.gradient(p), at, net)
        example = (rf"{superscript(net.latex_of(p), '+')} = {number_tex(at[p])} - "
                   rf"{operand(lr)} \cdot {operand(gradient)} = "
                   rf"{number_tex(updated[p.name])}")
        words += ["With learning rate ", Math(f"{eta} = {number_tex(lr)}"),
                  " every trained parameter takes the step " if net.frozen
                  else " every parameter takes the step ", Math(rule), " at once"]
        if grads.sign < 0:  # δ = −∂E/∂net: the step adds, as the spec's convention writes it
            words += [", which in the local gradients above is ",
                      Math(rf"w^{{+}} = w + {eta}\, \delta\, x"), " (the local gradient of the "
                      "unit the weight feeds times the activation it carries; ",
                      Math(rf"b^{{+}} = b + {eta}\, \delta"), " for a bias)"]
        words += ["; for example ", Math(example), ". "]
    words += _check_words(report, loss)
    if net.frozen:
        kept = frozen_words(net, at)
        words += [" ", *kept[:kept.index(" is frozen: it is" if len(net.frozen) == 1
                                         else " are frozen: they are")],
                  " keep their values: they are frozen." if len(net.frozen) > 1
                  else " keeps its value: it is frozen."]
    out += [Para(tuple(words)), Table(tuple(header), tuple(rows))]
    return out


def operand(value: float) -> str:
    """A number after an operator: a negative one in parentheses (``0.05 \\cdot (-0.1375)``).

    >>> operand(-0.1375), operand(0.5)
    ('\\left(-0.1375\\right)', '0.5')
    """
    tex = number_tex(value)
    return rf"\left({tex}\right)" if tex.startswith("-") else tex


def _check_words(report: Any, loss: str, column: str = "check") -> list[str | Math]:
    """How the last column was computed, in math where the rule is the exact one."""
    from ..numeric.gradient_check import ABS_TOL, REL_TOL, RULE, STEP

    if report.rule != RULE:
        return [f"The {column} column compares each gradient with finite differences: "
                f"{report.rule}."]
    from ..numeric.lambdified import HIGH_PRECISION_DIGITS

    h = rf"h = {number_tex(float(STEP))} \max(1, |\theta|)"
    difference = (rf"\bigl({loss}(\theta + h) - {loss}(\theta - h)\bigr) / 2h")
    return [f"The {column} column is the relative difference between each gradient and the "
            "central difference ", Math(difference), " with ", Math(h),
            f", computed with {HIGH_PRECISION_DIGITS} significant digits; a gradient passes "
            "when it is below ", Math(number_tex(REL_TOL)), " (or the absolute difference "
            "below ", Math(number_tex(ABS_TOL)), ")."]


def full_worked_example(net: Network, grads: Gradients, at: dict[sp.Symbol, float]
                        ) -> list[Block]:
    """The δ form of every gradient with numbers, and every update (the finite differences
    are a column of the descent table)."""
    from ..numeric.evaluation import evaluate

    spec = net.spec
    printer = NetworkLatexPrinter(net)
    rows: list[str] = []
    for p in backward_params(net, grads):
        g = grads.gradient(p)
        rows += aligned_rows(printer.doprint(Partial(net.loss_symbol, p)),
                             numbers_steps(g, at, net), printer, pack=True)
    out: list[Block] = [
        Heading("Worked example in full"),
        Para(("Each gradient from the local gradients (weight: the local gradient of the unit "
              "it feeds times the activation it carries):",)),
        Equations(tuple(rows), compact=True),
    ]
    lr = spec.values.learning_rate
    if lr is not None:
        ev = evaluate(net, grads, spec.values)
        assert ev.updated is not None
        eta = sp.Symbol("learning_rate")
        names = {eta: spec.notation.learning_rate}
        rows = []
        for p in backward_params(net, grads):
            new = sp.Symbol(p.name + "_new")
            names[new] = superscript(net.latex_of(p), "+")
            update_printer = NetworkLatexPrinter(net, extra_names=names)
            formula = sp.Add(p, -sp.Mul(eta, Partial(net.loss_symbol, p)), evaluate=False)
            with sp.evaluate(False):
                nums = sp.Add(rounded(at[p]), -sp.Mul(
                    rounded(lr), rounded(_numeric(grads.gradient(p), at, net))))
            rows += aligned_rows(update_printer.doprint(new), [
                Step(formula), Step(nums), Step(latex=number_tex(ev.updated[p.name]))],
                update_printer, pack=True)
        out += [Para(("Every update:",)), Equations(tuple(rows), compact=True)]
    return out


def _sci(value: float) -> str:
    if value == 0:
        return "0"
    mant, _, exp = f"{value:.1e}".partition("e")
    return rf"{mant} \times 10^{{{int(exp)}}}"
