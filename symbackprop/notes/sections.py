"""The content of the lecture notes, one function per section.

Every formula is a SymPy expression printed in the spec's notation and broken to the page
width; every number comes from the tool's own numeric evaluation
(:mod:`symbackprop.numeric.lambdified`) and the finite-difference check
(:mod:`symbackprop.numeric.gradient_check`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sympy as sp

from ..network.build import Network
from ..network.derivation import Gradients
from ..network.losses import describe_loss
from ..render.derivations import (
    _numeric,
    build_document,
    cost_row,
    definition_rows,
    param_block,
    symbol_values,
)
from ..render.latex import TEXT_WIDTH_EM, Step, aligned_rows
from ..render.matrix import MatrixLatexPrinter, matrix_form
from ..render.printing import NetworkLatexPrinter, Partial, number_tex, rounded, superscript
from ..render.tikz import network_mermaid, network_tikz
from .document import Block, Equations, Figure, Heading, Math, Notes, Para, Table
from .identities import (
    ACTIVATION_IDENTITIES,
    NAMES,
    SOFTMAX_CE_STEPS,
    SOFTMAX_STEPS,
    bce_sigmoid_identity,
)

MAX_DERIVED = 12  # per-parameter derivations shown in full before choosing a subset


def build_notes(net: Network, grads: Gradients, *, params: Sequence[str] | None = None,
                numbers: bool = True) -> Notes:
    """Assemble the notes of ``net``: diagram, forward pass, identities, δ, derivations,
    and (with the spec's values and ``numbers``) a worked example."""
    return Notes(net.spec.title, all_sections(net, grads, params=params, numbers=numbers))


def all_sections(net: Network, grads: Gradients, *, params: Sequence[str] | None,
                 numbers: bool) -> list[Block]:
    values = net.spec.values
    at = symbol_values(net, grads, values) if numbers and values.examples else None
    blocks: list[Block] = []
    blocks += intro(net)
    blocks += network_section(net)
    blocks += forward_section(net)
    blocks += identities_section(net)
    blocks += delta_section(net, grads)
    blocks += derivations_section(net, grads, params, at)
    if at is not None:
        blocks += worked_example(net, grads, at)
    if net.spec.cost is not None:
        blocks += batch_section(net)
    return blocks


def _eq(net: Network, lhs: sp.Expr, steps: Sequence[Step], printer: Any = None) -> list[str]:
    printer = printer or NetworkLatexPrinter(net)
    return aligned_rows(printer.doprint(lhs), steps, printer, width=TEXT_WIDTH_EM)


def _m(net: Network, expr: sp.Expr) -> Math:
    return Math(NetworkLatexPrinter(net).doprint(expr))


# ----------------------------------------------------------------------------- sections


def intro(net: Network) -> list[Block]:
    spec = net.spec
    out: list[Block] = []
    for paragraph in re.split(r"\n\s*\n", spec.description.strip()):
        if paragraph.strip():
            out.append(Para((" ".join(paragraph.split()),)))
    if spec.source:
        out.append(Para((f"Source: {spec.source}.",)))
    return out


def network_section(net: Network) -> list[Block]:
    caption = ("The network, layer by layer: each circle shows a unit's activation, each edge "
               "its weight; the dashed edges feed the loss.")
    if any(len(net.layer_units(lay.position)) > 6 for lay in net.spec.layers):
        caption += " Wide layers show their first and last units only."
    return [Heading("The network"), Figure(network_tikz(net), network_mermaid(net), caption)]


def forward_section(net: Network) -> list[Block]:
    loss = describe_loss(net.spec.loss)
    out: list[Block] = [
        Heading("Forward pass and loss"),
        Para(("Each unit adds up its weighted inputs and its bias (the net input) and applies "
              "its activation; the loss ", _m(net, net.loss_symbol), f" is {loss}.")),
    ]
    rows: list[str] = []
    for r in definition_rows(net):
        assert r.lhs is not None and r.expr is not None
        rows += _eq(net, r.lhs, [Step(r.expr)])
    out.append(Equations(tuple(rows)))
    return out


def identities_section(net: Network) -> list[Block]:
    out: list[Block] = [Heading("Derivatives of the activations")]
    printer = NetworkLatexPrinter(None, extra_names=NAMES)
    kinds: list[str] = []
    for u in net.units:
        if u.activation.kind not in kinds:
            kinds.append(u.activation.kind)
    for kind in kinds:
        if kind in ACTIVATION_IDENTITIES:
            ident = ACTIVATION_IDENTITIES[kind]()
            out.append(Heading(ident.title.replace("_", " "), 2))
            steps = [Step(s, tag=r or None) for s, r in zip(ident.steps, ident.remarks,
                                                           strict=True)]
            rows = aligned_rows(printer.doprint(ident.lhs), steps, printer)
            out += [Equations(tuple(rows)), Para((ident.result + ".",))]
        elif kind == "softmax":
            out += [Heading("softmax", 2), Equations(SOFTMAX_STEPS),
                    Para(("with ", Math(r"\delta_{ki}"), " = 1 when k = i and 0 otherwise "
                          "(the Kronecker delta).",))]
        elif kind == "unspecified":
            names = sorted({u.activation.fname or "f" for u in net.units
                            if u.activation.kind == "unspecified"})
            out.append(Para(("The activation ", *_join_math(names),
                             " is left unspecified, so its derivative stays ",
                             *_join_math([f"{n}'" for n in names]), ".")))
    out += output_gradient_section(net)
    return out


def _join_math(names: Sequence[str]) -> list[str | Math]:
    parts: list[str | Math] = []
    for k, n in enumerate(names):
        if k:
            parts.append(", ")
        parts.append(Math(n))
    return parts


def output_gradient_section(net: Network) -> list[Block]:
    """∂L/∂out for the outputs and the a − y simplifications of matched pairs."""
    from ..network.derivation import derive

    out: list[Block] = [Heading("Derivative of the loss", 2)]
    grads = derive(net)
    rows: list[str] = []
    for u in net.outputs:
        rows += _eq(net, Partial(net.loss_symbol, u.out), [Step(grads.direct_loss[u.name])])
    out.append(Equations(tuple(rows)))
    act = net.spec.layers[-1].activation.kind
    loss = net.spec.loss.kind
    if act == "sigmoid" and loss == "binary_cross_entropy":
        ident = bce_sigmoid_identity()
        printer = NetworkLatexPrinter(None, extra_names=NAMES)
        steps = [Step(s, tag=r or None) for s, r in zip(ident.steps, ident.remarks,
                                                       strict=True)]
        out += [Para(("A sigmoid output with binary cross-entropy simplifies: with ",
                      Math(r"L = -\left(y \log a + (1 - y) \log(1 - a)\right)"), ",")),
                Equations(tuple(aligned_rows(printer.doprint(ident.lhs), steps, printer)))]
    elif act == "softmax" and loss == "cross_entropy":
        out += [Para(("A softmax output with cross-entropy ", Math(r"L = -\sum_k y_k \log a_k"),
                      " simplifies in the same way:")), Equations(SOFTMAX_CE_STEPS)]
    return out


def delta_section(net: Network, grads: Gradients) -> list[Block]:
    loss = net.latex_of(net.loss_symbol)
    out: list[Block] = [
        Heading("Local gradients"),
        Para(("The local gradient of a unit is ",
              Math(rf"\delta = \frac{{\partial {loss}}}{{\partial \text{{net}}}}"),
              ", the derivative of the loss by the unit's net input. At an output unit it is "
              "the loss derivative times the activation derivative; at any other unit it is "
              "the weighted sum of the local gradients of the units it feeds, times its own "
              "activation derivative. A weight's gradient is then the local gradient of the "
              "unit it feeds times the activation it carries; a bias's gradient is the local "
              "gradient itself (summed over every unit that uses it).")),
    ]
    rows: list[str] = []
    for u in reversed(net.units):
        rows += _eq(net, u.delta, [Step(grads.recurrence(u.name))])
    out.append(Equations(tuple(rows)))
    form = matrix_form(net, grads)
    out.append(Heading("Matrix form", 2))
    if not form.applies:
        out.append(Para((f"The matrix form does not apply to this network: {form.reason}. "
                         "The index form above holds for any network.",)))
        return out
    out.append(Para(("For a layered network the same recurrences hold for whole layers at "
                     "once. ", Math(r"\odot"), " is the elementwise product and ",
                     Math(r"\mathbf{1}"), " a vector of ones.")))
    printer = MatrixLatexPrinter(net, extra_names=form.names)
    for title, mrows in form.sections[:-1]:
        out.append(Para((title[0].upper() + title[1:] + ":",)))
        out.append(Equations(tuple(_matrix_rows(printer, mrows))))
    return out


def _matrix_rows(printer: Any, rows: Sequence[Any]) -> list[str]:
    out: list[str] = []
    for r in rows:
        rel = r"\in" if r.relation == "in" else "="
        out += aligned_rows(printer.doprint(r.lhs), [Step(r.rhs, relation=rel)], printer)
    return out


def derivations_section(net: Network, grads: Gradients, params: Sequence[str] | None,
                        at: dict[sp.Symbol, float] | None) -> list[Block]:
    names = list(params) if params else [p.name for p in net.params]
    note = ""
    if not params and len(names) > MAX_DERIVED:
        names = representative(net)
        note = (f" The network has {len(net.params)} parameters; shown here are the first "
                "weight and bias of each layer, and the others follow the same pattern.")
    doc = build_document(net, grads, params=names, form="chain",
                         values=net.spec.values if at is not None else None)
    loss = net.latex_of(net.loss_symbol)
    out: list[Block] = [
        Heading("Gradients, step by step"),
        Para(("For each parameter: the chain of factors from the loss back to the parameter "
              "(a sum over paths where the parameter reaches the loss in several ways), each "
              "factor's value, ", "their numbers, " if at is not None else "",
              "the result, and ", "its value." if at is not None else "nothing more.",
              note)),
    ]
    del loss
    for pd in doc.params:
        block = param_block(doc, pd)
        inner = block.split("\n")[1:-1]
        out.append(Equations(tuple(r.rstrip(" \\") for r in " \n".join(inner).split(" \\\\\n"))))
    return out


def representative(net: Network) -> list[str]:
    """The first weight and the first bias of every layer."""
    chosen: list[str] = []
    for lay in net.spec.layers:
        units = net.layer_units(lay.position)
        for u in units[:1]:
            if u.incoming:
                chosen.append(u.incoming[0][1].name)
            if u.bias is not None and u.bias.name not in chosen:
                chosen.append(u.bias.name)
    return chosen


def worked_example(net: Network, grads: Gradients, at: dict[sp.Symbol, float]) -> list[Block]:
    from ..numeric.evaluation import evaluate
    from ..numeric.gradient_check import gradcheck

    spec = net.spec
    out: list[Block] = [
        Heading("Worked example"),
        Para(("With the spec's values each formula is followed by the same formula with the "
              "numbers substituted, then its value (numbers inside the formulas are rounded to "
              "six digits; values are computed exactly and shown to nine).",)),
    ]
    rows: list[str] = []
    for _sym in (*net.inputs, *net.params):
        pass
    for u in net.units:
        for lhs in (u.net, u.out):
            definition = net.net_display(u) if lhs == u.net else net.out_definitions[u.out]
            rows += _numbers_rows(net, lhs, definition, at)
    rows += _numbers_rows(net, net.loss_symbol, net.loss, at)
    out += [Para(("Forward pass:",)), Equations(tuple(rows))]
    rows = []
    delta_values = {u.delta: _numeric(grads.closed_delta(u.name), at) for u in net.units}
    at_d = {**at, **delta_values}
    for u in reversed(net.units):
        rows += _numbers_rows(net, u.delta, grads.recurrence(u.name), at_d,
                              value=delta_values[u.delta])
    out += [Para(("Local gradients, from the output back:",)), Equations(tuple(rows))]
    rows = []
    gradient_values = {}
    for p in net.params:
        g = grads.gradient(p)
        value = _numeric(g, at_d)
        gradient_values[p] = value
        rows += _numbers_rows(net, Partial(net.loss_symbol, p), g, at_d, value=value)
    out += [Para(("Gradients:",)), Equations(tuple(rows))]
    lr = spec.values.learning_rate
    if lr is not None:
        ev = evaluate(net, grads, spec.values)
        assert ev.updated is not None
        eta = sp.Symbol("learning_rate")
        printer = NetworkLatexPrinter(net, extra_names={eta: spec.notation.learning_rate})
        rows = []
        for p in net.params:
            new = sp.Symbol(p.name + "_new")
            printer._settings["symbol_names"][new] = superscript(net.latex_of(p), "+")
            formula = sp.Add(p, -sp.Mul(eta, Partial(net.loss_symbol, p)), evaluate=False)
            with sp.evaluate(False):
                nums = sp.Add(rounded(at[p]), -sp.Mul(rounded(lr),
                                                      rounded(gradient_values[p])))
            rows += aligned_rows(printer.doprint(new), [
                Step(formula), Step(nums), Step(latex=number_tex(ev.updated[p.name]))], printer)
        out += [Para(("Gradient descent with learning rate ",
                      Math(f"{spec.notation.learning_rate} = {number_tex(lr)}"),
                      " updates every parameter at once:")), Equations(tuple(rows))]
    report = gradcheck(net, grads, spec.values)
    table_rows = tuple((Math(net.latex_of(net.symbol_by_name[r.name])),
                        Math(number_tex(r.analytic)), Math(number_tex(r.numeric)),
                        Math(_sci(r.rel_error)), "ok" if r.ok else "FAIL")
                       for r in report.parameters)
    out += [Para(("Finite-difference check: each gradient above against a central difference "
                  "of the loss.",)),
            Table(("parameter", "symbolic", "finite difference", "relative error", ""),
                  table_rows, caption=report.rule[0].upper() + report.rule[1:] + ".")]
    return out


def _sci(value: float) -> str:
    if value == 0:
        return "0"
    mant, _, exp = f"{value:.1e}".partition("e")
    return rf"{mant} \times 10^{{{int(exp)}}}"


def _numbers_rows(net: Network, lhs: sp.Expr, formula: sp.Expr, at: dict[sp.Symbol, float],
                  value: float | None = None) -> list[str]:
    """``lhs = formula = formula with numbers = value``."""
    if value is None:
        value = _numeric(formula, at)
    subs = {s: rounded(at[s]) for s in formula.free_symbols if s in at}
    with sp.evaluate(False):
        numbers = formula.xreplace(subs)
    steps = [Step(formula)]
    if formula.free_symbols and not formula.is_Symbol:
        steps.append(Step(numbers))
    steps.append(Step(latex=number_tex(value)))
    return _eq(net, lhs, steps)


def batch_section(net: Network) -> list[Block]:
    c = net.spec.cost
    assert c is not None
    row = cost_row(net)
    assert row is not None and row.lhs is not None and row.expr is not None
    from ..render.derivations import cost_symbols

    cost, m, i, loss_i, _theta, names = cost_symbols(net)
    printer = NetworkLatexPrinter(net, extra_names=names)
    defn = sp.Eq(cost, sp.Mul(1 / m, sp.Sum(loss_i, (i, 1, m)), evaluate=False),
                 evaluate=False)
    rows = aligned_rows(printer.doprint(defn.lhs), [Step(defn.rhs)], printer)
    rows += aligned_rows(printer.doprint(row.lhs), [Step(row.expr)], printer)
    out: list[Block] = [
        Heading("Mini-batch: averaging over examples"),
        Para(("Over ", Math(c.examples), " examples the cost ", Math(c.latex),
              " is the mean of the losses, so every gradient is the mean of the examples' "
              "gradients: run the forward and backward pass for each example ",
              Math(c.index), " and average.")),
        Equations(tuple(rows)),
    ]
    form = matrix_form(net)
    if form.applies:
        mprinter = MatrixLatexPrinter(net, extra_names=form.names)
        _title, mrows = form.sections[-1]
        out += [Para(("In matrix form, with the examples as the columns of a matrix:",)),
                Equations(tuple(_matrix_rows(mprinter, mrows)))]
    return out
