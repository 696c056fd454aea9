"""The content of the lecture notes, one function per section.

Every formula is a SymPy expression printed in the spec's notation and broken to the page
width; every number comes from the tool's own numeric evaluation
(:mod:`symbackprop.numeric.lambdified`) and the finite-difference check
(:mod:`symbackprop.numeric.gradient_check`).

The notes say each thing once: with the spec's values, a formula is followed on its own line
by its numbers and its value (``in_h1 = w1 i1 + w2 i2 + b1 = 0.15 · 0.05 + … = 0.3775``), so
there is no separate worked example to repeat it. ``full`` adds what a handout can leave out:
every parameter derived factor by factor, the δ form of each gradient with numbers, every
update, and the finite-difference values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sympy as sp

from ..network.build import Network, Unit
from ..network.chains import backward_order
from ..network.derivation import Gradients
from ..network.functions import function_latex
from ..network.losses import describe_loss, loss_scale
from ..render.derivations import (
    cost_row,
    cost_symbols,
    definition_rows,
    layer_matrix_form,
    symbol_values,
)
from ..render.latex import TEXT_WIDTH_EM, Step, aligned_rows, latex_width
from ..render.local_gradient import generic_unit_names
from ..render.matrix_printing import MatrixLatexPrinter
from ..render.printing import NetworkLatexPrinter, Partial
from ..render.tikz import network_mermaid, network_tikz
from ..spec.tex import vet_math
from .document import Block, Equations, Figure, Heading, Math, Notes, Para
from .gradients import derivations_section, descent_section, full_worked_example, numbers_steps
from .identities import (
    ACTIVATION_IDENTITIES,
    NAMES,
    SOFTMAX_CE_STEPS,
    SOFTMAX_STEPS,
    bce_sigmoid_identity,
    loss_derivative_steps,
)
from .kind_figures import kind_figures
from .layer_rules import (
    attention_blocks,
    batch_norm_blocks,
    dropout_blocks,
    embedding_blocks,
    norm_blocks,
    pool_blocks,
)
from .reasons import matrix_reason
from .tensor_notes import tensor_numbers, tensor_section

ACTIVATION_TITLES = {"sigmoid": "The sigmoid", "tanh": "tanh", "softplus": "softplus",
                     "relu": "ReLU", "leaky_relu": "Leaky ReLU", "linear": "A linear unit"}


def build_notes(net: Network, grads: Gradients, *, params: Sequence[str] | None = None,
                numbers: bool = True, full: bool = False) -> Notes:
    """Assemble the notes of ``net``: diagram, forward pass, derivatives, local gradients,
    every gradient and (with the spec's values and ``numbers``) one step of descent.

    ``full`` keeps everything: each parameter derived factor by factor, the δ form of each
    gradient with its numbers, every update and the finite-difference values.
    """
    values = net.spec.values
    numeric = numbers and values.examples and net.spec.loss.kind != "unspecified"
    at = symbol_values(net, grads, values) if numeric else None  # no numbers for C(a, y)
    blocks: list[Block] = []
    blocks += intro(net)
    blocks += network_section(net)
    blocks += kind_figures(net, at)
    blocks += forward_section(net, at)
    blocks += tensor_numbers(net, at)
    blocks += derivatives_section(net, grads, at)
    blocks += delta_section(net, grads, at)
    blocks += derivations_section(net, grads, params, at, full=full)
    if at is not None:
        blocks += descent_section(net, grads, at, full=full)
        if full:
            blocks += full_worked_example(net, grads, at)
    if net.spec.cost is not None:
        blocks += batch_section(net)
    return Notes(net.spec.title, blocks)


def _eq(net: Network, lhs: sp.Expr, steps: Sequence[Step], printer: Any = None, *,
        pack: bool = True, widest: float = 0.0) -> list[str]:
    """Rows of ``lhs = steps``, broken to the page in a display whose widest left-hand side
    is ``widest`` em (one display aligns a section's equations on their ``=``)."""
    printer = printer or NetworkLatexPrinter(net)
    left = printer.doprint(lhs)
    return aligned_rows(left, steps, printer, width=page_width(left, widest), pack=pack)


def page_width(lhs: str, widest: float) -> float:
    """The width left to an equation whose left-hand side is ``lhs`` in a display whose
    widest left-hand side is ``widest`` em."""
    return TEXT_WIDTH_EM - max(0.0, widest - latex_width(lhs))


def _m(net: Network, expr: sp.Expr) -> Math:
    """Math in running text: partial derivatives written ∂E/∂w, not as fractions."""
    return Math(NetworkLatexPrinter(net, inline_partials=True).doprint(expr))


# ----------------------------------------------------------------------------- sections


def intro(net: Network) -> list[Block]:
    """The spec's description (``$…$`` in it is math when it is vetted math) and source."""
    spec = net.spec
    out: list[Block] = []
    for paragraph in re.split(r"\n\s*\n", spec.description.strip()):
        if paragraph.strip():
            out.append(Para(text_with_math(" ".join(paragraph.split()))))
    if spec.source:
        out.append(Para((f"Source: {spec.source}.",)))
    return out


def text_with_math(text: str) -> tuple[str | Math, ...]:
    """Prose in which ``$…$`` holds math: vetted math is typeset, anything else stays text.

    >>> text_with_math("with $a^{[1]}_1$ and $\\\\input{x}$")
    ('with ', Math(latex='a^{[1]}_1'), ' and ', '$\\\\input{x}$')
    """
    parts: list[str | Math] = []
    pieces = re.split(r"(\$[^$]+\$)", text)
    for piece in pieces:
        if not piece:
            continue
        if len(piece) > 2 and piece.startswith("$") and piece.endswith("$") and vet_math(
                piece[1:-1]) is None:
            parts.append(Math(piece[1:-1]))
        elif parts and isinstance(parts[-1], str):
            parts[-1] += piece
        else:
            parts.append(piece)
    return tuple(parts)


def network_section(net: Network) -> list[Block]:
    biases = "; a box below a layer is a bias" if any(u.bias for u in net.units) else ""
    caption = ("Each circle is a unit (its activation), each arrow a weight" + biases +
               "; the dashed arrows feed the loss.")
    if any(len(net.layer_units(lay.position)) > 6 for lay in net.spec.layers):
        caption += " Wide layers show their first and last units only."
    return [Heading("The network"), Figure(network_tikz(net), network_mermaid(net), caption)]


def _decay_words(net: Network) -> tuple[str | Math, ...]:
    """The weight decay in words: what it adds to the loss and to each weight's gradient."""
    if net.decay is None:
        return ()
    lam = net.latex_of(net.decay)
    what = "weight and bias" if net.spec.weight_decay and net.spec.weight_decay.biases \
        else "weight (not the biases)"
    return (", plus the weight decay ", Math(rf"\frac{{{lam}}}{{2}} \sum w^2"),
            f" over every {what}, so that each of their gradients has the extra term ",
            Math(rf"{lam} w"))


def forward_section(net: Network, at: dict[sp.Symbol, float] | None) -> list[Block]:
    loss = describe_loss(net.spec.loss)
    with_numbers = (" With the spec's values each line goes on to its numbers and its value "
                    "(numbers inside a formula are rounded to six digits; values are exact to "
                    "the nine shown).") if at is not None else ""
    out: list[Block] = [
        Heading("Forward pass and loss"),
        Para(("Each unit adds up its weighted inputs" +
              (" and its bias" if any(u.bias for u in net.units) else "") +
              " (the net input) and applies its activation; the loss ",
              _m(net, net.loss_symbol), f" is {loss}", *_decay_words(net), ".",
              with_numbers)),
    ]
    rows: list[str] = []
    definitions = definition_rows(net)
    printer = NetworkLatexPrinter(net)
    widest = max((latex_width(printer.doprint(r.lhs)) for r in definitions), default=0.0)
    for r in definitions:
        assert r.lhs is not None and r.expr is not None
        steps = numbers_steps(r.expr, at, net) if at is not None else [Step(r.expr)]
        rows += _eq(net, r.lhs, steps, printer, widest=widest)
    out.append(Equations(tuple(rows)))
    return out


def derivatives_section(net: Network, grads: Gradients, at: dict[sp.Symbol, float] | None
                        ) -> list[Block]:
    """Each activation's derivative derived step by step, then the loss's."""
    out: list[Block] = [Heading("Derivatives of the activations and the loss")]
    printer = NetworkLatexPrinter(None, extra_names=NAMES)
    seen: dict[str, Unit] = {}
    for u in net.units:
        seen.setdefault(u.activation.kind, u)
    net_printer = NetworkLatexPrinter(net)
    lefts = [printer.doprint(ACTIVATION_IDENTITIES[k]().lhs) for k in seen
             if k in ACTIVATION_IDENTITIES]
    lefts += [net_printer.doprint(Partial(net.loss_symbol, u.out)) for u in net.outputs]
    widest = max((latex_width(x) for x in lefts), default=0.0)
    for kind, example in seen.items():
        if kind == "linear":
            slope: tuple[str | Math, ...] = (": ", _m(net, sp.Eq(
                Partial(example.out, example.net), 1, evaluate=False))) \
                if example.out != example.net else ()
            out.append(Para(("A linear unit passes its net input on, so its slope is 1",
                             *slope, ".")))
        elif kind in ACTIVATION_IDENTITIES:
            ident = ACTIVATION_IDENTITIES[kind]()
            out.append(Para((ACTIVATION_TITLES[kind] + ":",)))
            steps = [Step(s, tag=r or None) for s, r in zip(ident.steps, ident.remarks,
                                                           strict=True)]
            left = printer.doprint(ident.lhs)
            out.append(Equations(tuple(aligned_rows(left, steps, printer, pack=True,
                                                    width=page_width(left, widest)))))
            out.append(_in_the_network(net, grads, example, kind))
        elif kind == "softmax":
            out += [Para(("The softmax couples its layer:",)), Equations(SOFTMAX_STEPS),
                    Para(("where ", Math(r"\mathbb{I}[k = i]"), " is 1 when ", Math("k = i"),
                          " and 0 otherwise.",))]
        elif kind == "unspecified":
            first: dict[str, Unit] = {}
            for u in net.units:
                if u.activation.kind == "unspecified":
                    first.setdefault(u.activation.fname or "f", u)
            names = sorted(first)
            slopes = [_m(net, Partial(first[n].out, first[n].net)) for n in names]
            out.append(Para(("The activation" + ("s " if len(names) > 1 else " "),
                             *_join_math([function_latex(n) for n in names]),
                             " are" if len(names) > 1 else " is",
                             " left unspecified, so the derivative" +
                             ("s stay symbols: " if len(names) > 1 else " stays a symbol: "),
                             *_join_math_parts(slopes), ".")))
            if net.stand_ins:
                said = ", ".join(f"{n} as {net.stand_ins[n]}" for n in names
                                 if n in net.stand_ins)
                out.append(Para((f"The numbers below evaluate {said}: a stand-in asked "
                                 "for, since an unspecified function has no values.",)))
    out += loss_derivative_section(net, grads, widest)
    return out


def _in_the_network(net: Network, grads: Gradients, unit: Unit, kind: str) -> Para:
    """``∂out_u/∂net_u = out_u(1 − out_u)``: the identity in the network's own names."""
    same = [u for u in net.units if u.activation.kind == kind]
    eq = sp.Eq(Partial(unit.out, unit.net), grads.local_derivative(unit), evaluate=False)
    lead = "In the network, for example, " if len(same) > 1 else "In the network, "
    return Para((lead, _m(net, eq), "."))


def _join_math_parts(parts: Sequence[Math]) -> list[str | Math]:
    out: list[str | Math] = []
    for k, p in enumerate(parts):
        if k:
            out.append(" and " if k == len(parts) - 1 else ", ")
        out.append(p)
    return out


def _join_math(names: Sequence[str]) -> list[str | Math]:
    parts: list[str | Math] = []
    for k, n in enumerate(names):
        if k:
            parts.append(" and " if k == len(names) - 1 else ", ")
        parts.append(Math(n))
    return parts


def loss_derivative_section(net: Network, grads: Gradients, widest: float = 0.0
                            ) -> list[Block]:
    """∂E/∂out of each output, derived; then the a − y simplification of matched pairs."""
    rows: list[str] = []
    for k, u in enumerate(net.outputs):
        direct = grads.direct_loss[u.name]
        steps = loss_derivative_steps(net, u, direct) if k == 0 else [direct]
        rows += _eq(net, Partial(net.loss_symbol, u.out), [Step(s) for s in steps],
                    widest=widest)
    out: list[Block] = [Para(("The loss, by each output:",)),
                        Equations(tuple(rows), compact=True)]
    act = net.spec.layers[-1].activation.kind
    loss = net.spec.loss.kind
    if act == "sigmoid" and loss == "binary_cross_entropy":
        ident = bce_sigmoid_identity()
        printer = NetworkLatexPrinter(None, extra_names=NAMES)
        steps = [Step(s, tag=r or None) for s, r in zip(ident.steps, ident.remarks,
                                                       strict=True)]
        left = printer.doprint(ident.lhs)
        out += [Para(("A sigmoid output with binary cross-entropy simplifies: with ",
                      Math(r"L = -\left(y \log a + (1 - y) \log(1 - a)\right)"), ",")),
                Equations(tuple(aligned_rows(left, steps, printer,
                                             width=page_width(left, widest))))]
    elif act == "softmax" and loss == "cross_entropy":
        out += [Para(("A softmax output with cross-entropy ", Math(r"L = -\sum_k y_k \log a_k"),
                      " simplifies in the same way:")), Equations(SOFTMAX_CE_STEPS)]
    if (act, loss) in (("sigmoid", "binary_cross_entropy"), ("softmax", "cross_entropy")):
        scale = loss_scale(net.spec.loss, len(net.outputs))
        if scale != 1:  # a factor or a mean over the outputs scales a − y as it scales L
            out.append(Para(("The spec's loss is ",
                             Math(rf"{net.latex_of(net.loss_symbol)} = {sp.latex(scale)}\, L"),
                             ", so its local gradient at each output is ",
                             Math(rf"{sp.latex(scale)} \left(a_j - y_j\right)"), ".")))
    return out


def delta_definition(net: Network) -> tuple[str | Math, ...]:
    """``δ^{[l]}_j = ∂L/∂z^{[l]}_j`` in the spec's own names."""
    loss = net.latex_of(net.loss_symbol)
    names = generic_unit_names(net)
    negative = net.spec.notation.delta_sign == "negative"
    minus, what = ("-", "the negative of the derivative") if negative else ("", "the derivative")
    words = (" (so every update adds: a weight moves by the learning rate times its local "
             "gradient times the activation it carries)") if negative else ""
    if names is not None:
        delta, net_input = names
        return ("The local gradient ",
                Math(rf"{delta} = {minus}\partial {loss} / \partial {net_input}"),
                f" of a unit is {what} of the loss by the unit's net input{words}.")
    u = net.units[0]
    rhs = Partial(net.loss_symbol, u.net)
    eq = sp.Eq(u.delta, sp.Mul(-1, rhs, evaluate=False) if negative else rhs, evaluate=False)
    return (f"The local gradient of a unit is {what} of the loss by its net input{words}, "
            "for example ", _m(net, eq), ".")


_FORMULA_DELTAS = (
    " Each node's net input is its formula and its activation the identity. At a node the "
    "loss reads, the local gradient is the loss's derivative by the node; at any other node "
    "it is the sum, over the nodes whose formulas read it, of their local gradients times "
    "the derivative of their formula by it. Each parameter's gradient is then the sum, over "
    "the nodes whose formulas use it, of their local gradients times the derivative of their "
    "formula by the parameter. From the output back:")


def delta_section(net: Network, grads: Gradients, at: dict[sp.Symbol, float] | None
                  ) -> list[Block]:
    out: list[Block] = [
        Heading("Local gradients"),
        Para((*delta_definition(net), _FORMULA_DELTAS if net.spec.formulas else
              " At an output unit it is the loss's derivative times the activation's; at any "
              "other unit it is the weighted sum of the local gradients of the units it "
              "feeds, times its own activation's derivative. Each weight's gradient is then "
              "the local gradient of the unit it feeds times the activation it carries, and a "
              "bias's gradient is the local gradient (summed over the units that share it). "
              "From the output back:")),
    ]
    rows: list[str] = []
    order = backward_order(net)
    printer = NetworkLatexPrinter(net)
    widest = max((latex_width(printer.doprint(u.delta)) for u in order), default=0.0)
    for u in order:
        recurrence = grads.recurrence(u.name)
        steps = numbers_steps(recurrence, at, net, value=at[u.delta]) if at is not None else [
            Step(recurrence)]
        rows += _eq(net, u.delta, steps, printer, widest=widest)
    out.append(Equations(tuple(rows)))
    out += pool_blocks(net)
    out += dropout_blocks(net)
    out += embedding_blocks(net)
    out += attention_blocks(net)
    out += batch_norm_blocks(net)
    out += norm_blocks(net)
    out += matrix_section(net, grads)
    out += tensor_section(net, grads)
    return out


def matrix_section(net: Network, grads: Gradients) -> list[Block]:
    if generic_unit_names(net) is None:
        return []  # units named one by one (seed 000) have no layer vectors to name
    form = layer_matrix_form(net, grads)
    if form is None:
        return []  # written with δ = ∂L/∂z and a bias vector b, neither of which holds here
    out: list[Block] = [Heading("Matrix form", 2)]
    if not form.applies:
        out.append(Para(("The matrix form does not apply to this network: ",
                         *matrix_reason(net, form.reason),
                         ". The index form above holds for any network.")))
        return out
    out.append(Para(("A whole layer at once, with ", Math(r"\odot"),
                     " the elementwise product and ", Math(r"\mathbf{1}"),
                     " a vector of ones:"), into=True))
    printer = MatrixLatexPrinter(net, extra_names=form.names)
    shapes, *rest = form.sections[:-1]
    out.append(Equations((_shape_row(printer, shapes[1]),), unbreakable=True, with_next=True))
    rows: list[str] = []
    for _title, mrows in rest:
        rows += _matrix_rows(printer, mrows)
    out.append(Equations(tuple(rows), unbreakable=True, compact=True))
    return out


def _shape_row(printer: Any, rows: Sequence[Any]) -> str:
    """Every shape on one line (``x \\in ℝ^{2×1}, W^{(1)} \\in ℝ^{2×2}, …``), wrapped to the
    page: a list of shapes is not worth a page break."""
    items = [f"{printer.doprint(r.lhs)} \\in {printer.doprint(r.rhs)}" for r in rows]
    lines: list[str] = []
    current = ""
    for item in items:
        candidate = f"{current},\\; {item}" if current else item
        if current and latex_width(candidate) > TEXT_WIDTH_EM - 2:
            lines.append(current + ",")
            current = item
        else:
            current = candidate
    lines.append(current)
    return " \\\\\n".join(f"&{ln}" for ln in lines)


def _matrix_rows(printer: Any, rows: Sequence[Any]) -> list[str]:
    out: list[str] = []
    for r in rows:
        rel = r"\in" if r.relation == "in" else "="
        out += aligned_rows(printer.doprint(r.lhs), [Step(r.rhs, relation=rel)], printer)
    return out


def batch_section(net: Network) -> list[Block]:
    c = net.spec.cost
    assert c is not None
    row = cost_row(net)
    assert row is not None and row.lhs is not None and row.expr is not None
    cost, m, i, loss_i, _theta, names = cost_symbols(net)
    printer = NetworkLatexPrinter(net, extra_names=names)
    defn = sp.Eq(cost, sp.Mul(1 / m, sp.Sum(loss_i, (i, 1, m)), evaluate=False),
                 evaluate=False)
    rows = aligned_rows(printer.doprint(defn.lhs), [Step(defn.rhs)], printer)
    rows += aligned_rows(printer.doprint(row.lhs), [Step(row.expr)], printer)
    out: list[Block] = [
        Heading("Mini-batch: averaging over examples"),
        Para(("Over ", Math(c.examples), " examples the cost ", Math(names[cost]),
              " is the mean of the losses, so every gradient is the mean of the examples' "
              "gradients: run the forward and backward pass for each example ",
              Math(c.index), " and average.")),
        Equations(tuple(rows)),
    ]
    form = layer_matrix_form(net)
    if form is not None and form.applies:
        mprinter = MatrixLatexPrinter(net, extra_names=form.names)
        _title, mrows = form.sections[-1]
        where = "rows" if net.spec.notation.layout == "row" else "columns"
        out += [Para((f"In matrix form, with the examples as the {where} of a matrix:",)),
                Equations(tuple(_matrix_rows(mprinter, mrows)), unbreakable=True,
                          compact=True)]
    return out
