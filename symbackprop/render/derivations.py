"""Render derivations as text, LaTeX fragments, Markdown or JSON.

A derivation is built once as rows of (text, LaTeX) and then formatted; the library returns
strings and the CLI prints them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

from ..network.build import Network, Unit
from ..network.chains import backward_order, chain_terms
from ..network.derivation import MAX_PATHS, Derivation, Gradients
from ..network.kinds.conv import IndexForms
from ..network.kinds.recurrent import recurrence_lines, step_forms
from ..network.kinds.rules import kind_rules
from ..numeric.worked import Precise, given_values, printable
from ..spec.naming import plain_name
from ..spec.typesetting import upright
from .chain_rows import (
    expanded_expr,
    factors_expr,
    has_expansion,
    has_given,
    numbers_expr,
    same_product,
    values_expr,
)
from .decay_rows import decay_product, with_decay
from .derivation_document import DerivationDocument, ParamDerivation, Row
from .escape import markdown_text
from .latex_blocks import equations_block, param_block
from .local_gradient import local_gradient_text
from .numbers import SIGNIFICANT_DIGITS, number, number_tex, rounded
from .printing import NetworkLatexPrinter, Partial, partial_tex, partial_text, tex, text

FORMS = ("chain", "closed", "delta")
# a gradient written out with more nodes than this is shown in its δ form (chain and closed)
MAX_RESULT_NODES = 2000
FORMATS = ("text", "latex", "markdown", "json")

# Builders of the δ form that print the same document faster where they apply: each takes
# (net, grads, chosen params, progress) and returns a document, or None. The templated
# builder for layered networks adds itself (symbackprop/render/__init__.py imports it).
DELTA_FAST_PATHS: list[Callable[..., DerivationDocument | None]] = []


class SymbolValues(dict[sp.Symbol, float]):
    """Every symbol's value at a worked example in float64, knowing its network and the
    same values in high precision (:mod:`symbackprop.numeric.worked`), from which every
    printed number is worked out."""

    network: Network
    worked: Any


def symbol_values(net: Network, grads: Gradients, values: Any
                  ) -> dict[sp.Symbol, float] | None:
    """Numeric value of every symbol at the spec's single worked example, if it has one."""
    if values is None or len(values.examples) != 1 or set(values.params) != {
            p.name for p in net.params}:
        return None
    from ..numeric.worked import worked_example  # local: numbers are optional

    ex = values.examples[0]
    worked = worked_example(net, grads, values.params, ex.inputs, ex.targets)
    out = SymbolValues({s: float(v) if v is not None else math.nan
                        for s, v in worked.high.items()})
    out.network = net
    out.worked = worked
    return out


def value_of(at: dict[sp.Symbol, float], symbol: sp.Symbol) -> Any:
    """``symbol``'s value at the worked example ``at``, in high precision where it has it
    (an activation of 1e-400 is not float64's 0)."""
    worked = getattr(at, "worked", None)
    value = worked.high.get(symbol) if worked is not None else None
    return at[symbol] if value is None else value


def _numeric(expr: sp.Expr, at: dict[sp.Symbol, float], net: Network) -> float:
    """``expr``'s value at the worked example ``at``, to print: from its high-precision
    values where ``at`` has them (a float that keeps those digits, 0 where the value is 0 to
    their error, nan where it is not defined), else in float64."""
    worked = getattr(at, "worked", None)
    if worked is not None:
        value = worked.value(expr)
        return math.nan if value is None else Precise(value, given_values(net))
    import numpy as np  # local: printing needs no numbers

    from ..numeric.identifiers import lambdify_by_position
    from ..numeric.lambdified import namespace

    free = sorted(expr.free_symbols, key=lambda s: s.name)
    f = lambdify_by_position(free, expr, modules=[namespace("numpy", [expr], net), "numpy"])
    with np.errstate(all="ignore"):
        return float(f(*[np.float64(at[s]) for s in free]))


def larger_than(expr: sp.Expr, limit: int) -> bool:
    """Whether ``expr``'s tree has more than ``limit`` nodes (shared subtrees counted each
    time they are printed), counting no further than that."""
    return any(count > limit for count, _ in enumerate(sp.preorder_traversal(expr), 1))


def expr_row(net: Network, expr: sp.Expr, kind: str) -> Row:
    """A row whose text and LaTeX are both printed from ``expr``."""
    return Row(text(expr, net), lambda: tex(net, expr), kind, expr)


def chain_rows(net: Network, grads: Gradients, param: sp.Symbol,
               at: dict[sp.Symbol, float] | None) -> list[Row] | None:
    """The chain factors (and their expansion), their values and (with values) their numbers,
    split as the spec's ``notation.chain`` asks; None when there are too many paths.

    With several uses of the parameter, or several paths, each row is a sum of chains.
    """
    terms = chain_terms(grads, param)
    if terms is None:
        return None
    rows = [expr_row(net, factors_expr(terms), "factors")]
    if has_expansion(terms):
        rows.append(expr_row(net, expanded_expr(terms), "expanded"))
    values = values_expr(terms)
    rows.append(expr_row(net, values, "values"))
    display = grads.derivation(param).display
    # a given ∂E/∂out of a deeper unit is then written out in full; a given δ stays
    closed = has_given(terms) and net.spec.notation.chain != "net" and not display.has(
        *(u.delta for u in net.units))
    if closed:
        rows.append(expr_row(net, display, "result"))
    if at is not None:
        from ..numeric.worked import MAX_PRINTED_DIGITS, decimal_exponent

        shown = True
        digits = 0  # check folds the row's numbers into constants of about this many digits

        def number_of(v: sp.Expr) -> sp.Expr:
            nonlocal shown, digits
            value = _numeric(v, at, net)
            shown = shown and printable(value)
            if not shown:
                return sp.S.Zero
            digits += abs(decimal_exponent(value)) + SIGNIFICANT_DIGITS
            return rounded(value)

        numbers = numbers_expr(terms, number_of)
        if shown and digits <= MAX_PRINTED_DIGITS:
            # a factor that is not defined, or beyond what check reads, is not printed
            rows.append(expr_row(net, numbers, "numbers"))
    if not has_given(terms) and not same_product(values, display):
        rows.append(expr_row(net, display, "result"))  # a factored form worth its own row
    return rows


def build_document(net: Network, grads: Gradients, *, params: Sequence[str] | None = None,
                   form: str = "chain", values: Any = None,
                   progress: Callable[[str], None] | None = None, templates: bool = True
                   ) -> DerivationDocument:
    """Assemble the derivations of ``params`` (all by default) in the requested form.

    The δ form of a layered network is printed from one template per row shape
    (:mod:`symbackprop.render.templated`); ``templates=False`` prints every row itself.
    """
    chosen = _select(net, params)
    if form == "delta" and templates:
        for fast_path in DELTA_FAST_PATHS:
            fast = fast_path(net, grads, chosen, progress)
            if fast is not None:
                return fast
    # the δ form shows no numbers: its rows are the same with values or without
    at = symbol_values(net, grads, values) if values is not None and form != "delta" else None
    loss_name = net.loss_symbol
    docs: list[ParamDerivation] = []
    notes = list(grads.notes)
    if at is not None and net.stand_ins:
        from ..numeric.stand_ins import describe_stand_ins

        notes.append(f"the numbers assume {describe_stand_ins(net)}: stand-ins asked for "
                     "for the unspecified functions")
    forms = IndexForms(net.spec) if any(lay.conv for lay in net.spec.layers) else None
    steps = step_forms(net, grads)  # BPTT: a recurrent layer's sums over time
    # gradients shown in δ form (too large written out, or too many paths): the δ recurrences
    # are printed too
    too_large: list[str] = []
    many_paths = False
    for p in chosen:
        d = grads.derivation(p) if form != "delta" else None
        index = forms.of(p.name) if forms is not None else None  # a shared kernel's one sum
        rows: list[Row] = [Row(index.text, index.latex, "delta")] if index is not None else []
        # BPTT's sum over time closes the rows: the rows before it name each step
        over_time = steps.of(p.name) if steps is not None else None
        large = d is not None and larger_than(d.display, MAX_RESULT_NODES)
        if form == "delta":
            rows += gradient_rows(net, grads, p)
            deriv = delta_derivation(grads, p)
        elif large:  # written out, the result would fill pages: its δ form says the same
            assert d is not None
            deriv = d
            too_large.append(p.name)
            rows.append(expr_row(net, d.delta_form, "delta"))
        else:
            assert d is not None
            deriv = d
            chain = with_decay(net, p, chain_rows(net, grads, p, at), at and (
                lambda s: rounded(_numeric(s, at, net))), lambda e, k: expr_row(net, e, k)) \
                if form == "chain" and d.uses else None
            if chain is not None:
                rows.extend(chain)
            else:
                if form == "chain" and d.uses:
                    notes.append(f"{p.name}: more than {MAX_PATHS} paths; showing the δ form")
                    many_paths = True
                    rows.append(expr_row(net, d.delta_form, "delta"))
                rows.append(expr_row(net, d.display, "result"))
        # the δ symbols have values at the worked example: a large result is summed from them
        value = _numeric(deriv.delta_form if large else deriv.closed, at, net) \
            if at is not None and form != "delta" else None
        if value is not None and printable(value):
            rows.append(Row(number(value), number_tex(value), "value"))
        if over_time is not None:
            rows.append(Row(over_time.text, over_time.latex, "delta"))
        docs.append(ParamDerivation(
            name=p.name, lhs_text=partial_text(loss_name, p),
            lhs_latex=partial_tex(net, loss_name, p), rows=_dedupe(rows), derivation=deriv,
            value=value, written_out=not large,
        ))
        if progress is not None:
            progress(p.name)
    if too_large:
        shown = ", ".join(too_large[:3]) + (f" and {len(too_large) - 3} more"
                                            if len(too_large) > 3 else "")
        notes.append(f"{shown}: written out, each gradient has more than {MAX_RESULT_NODES:,} "
                     "terms; shown in δ form, with the δ recurrences")
    definitions = definition_rows(net)
    uses_deltas = form == "delta" or (form == "chain" and net.spec.notation.chain == "net") \
        or bool(too_large) or many_paths
    deltas = delta_rows(net, grads) if uses_deltas else []
    if steps is not None:  # ∂L/∂h^{(t)}, the recurrence of BPTT
        deltas = [Row(t, x, "delta") for t, x in recurrence_lines(steps)] + deltas
    matrix = printed_matrix_form(net, grads) if form == "delta" else None
    cost = cost_row(net)
    return DerivationDocument(net, form, docs, definitions, deltas, notes, cost, matrix)


def layer_matrix_form(net: Network, grads: Gradients | None = None) -> Any:
    """The matrix form; None where the network is not plain layered
    (:func:`~symbackprop.render.matrix_layers.not_layered`: δ = −∂E/∂net, a constant bias or
    a weight decay among the reasons)."""
    from .matrix import matrix_form

    return matrix_form(net, grads)


def printed_matrix_form(net: Network, grads: Gradients) -> Any:
    """What ``derive --form delta`` prints beside the index form: the matrix form, or for
    convolution, pooling and recurrent layers the tensor form
    (:func:`~symbackprop.render.tensor.tensor_form`), each with its reason where it does
    not apply."""
    from .tensor import tensor_form

    form = layer_matrix_form(net, grads)
    if form.applies:
        return form
    tensors = tensor_form(net, grads)
    return form if tensors is None else tensors


def gradient_rows(net: Network, grads: Gradients, p: sp.Symbol) -> list[Row]:
    """The δ form of ∂E/∂p: Σ δ_v · source over the places p is used, each δ first (δ·a, as
    the seeds and the chain form write it, whatever the names' alphabetical order); with
    δ = −∂E/∂net, −Σ δ_v · source."""
    with sp.evaluate(False):
        expr = sp.Add(*[u.unit.delta if u.source is None else u.unit.delta * u.source
                        for u in grads.uses(p)])
        if grads.sign < 0:
            expr = sp.Mul(-1, *(expr.args if isinstance(expr, sp.Mul) else (expr,)))
        decay = decay_product(net, p)
        expr = expr if decay is None else sp.Add(expr, decay)
    return [expr_row(net, expr, "delta")]


def delta_derivation(grads: Gradients, p: sp.Symbol) -> Derivation:
    expr = grads.gradient(p)
    return Derivation(p, grads.uses(p), expr, expr, expr, None, owner=grads)


def _dedupe(rows: list[Row]) -> list[Row]:
    out: list[Row] = []
    for r in rows:
        if out and out[-1].text == r.text:
            continue
        out.append(r)
    return out


def _select(net: Network, params: Sequence[str] | None) -> list[sp.Symbol]:
    from ..errors import SymbackpropError, did_you_mean

    if not params:
        return list(net.trained)
    by_name = {p.name: p for p in net.trained}
    chosen = []
    for name in params:
        if name in {p.name for p in net.frozen}:
            raise SymbackpropError(f"`{name}` is frozen: no gradient is derived for it",
                                   field="--param", file=net.spec.file,
                                   hint="name a parameter that is trained, or take it out "
                                        "of the spec's `frozen` list")
        if name not in by_name:
            raise SymbackpropError(f"no parameter called `{name}`", field="--param",
                                   hint=did_you_mean(name, by_name))
        chosen.append(by_name[name])
    return chosen


def equation_row(net: Network, lhs: sp.Expr, rhs: sp.Expr, kind: str) -> Row:
    """``lhs = rhs`` as one row; ``expr`` keeps the right-hand side for line breaking."""
    eq = sp.Eq(lhs, rhs, evaluate=False)
    return Row(text(eq, net), lambda: tex(net, eq), kind, rhs, lhs)


def definition_rows(net: Network) -> list[Row]:
    """The forward pass and the loss, one equation per row, each quantity defined before it
    is used: the units of a softmax layer have all their net inputs before any activation,
    since each activation reads every net input of the layer."""
    rows = []
    coupled: list[Unit] = []  # softmax units whose activation waits for the layer's net inputs
    for k, u in enumerate(net.units):
        if u.activation.kind == "softmax" and u.out != u.net:
            rows.append(equation_row(net, u.net, net.net_display(u), "forward"))
            coupled.append(u)
        else:
            rows += unit_definition_rows(net, u)
        following = net.units[k + 1] if k + 1 < len(net.units) else None
        if coupled and (following is None or following.layer != u.layer):
            rows += [equation_row(net, c.out, net.out_definitions[c.out], "forward")
                     for c in coupled]
            coupled = []
    rows.append(loss_row(net))
    return rows


def unit_definition_rows(net: Network, u: Unit) -> list[Row]:
    """net_u = Σ w · source + b and out_u = act(net_u) (one row when a linear unit's value
    has the same name as its net input, as seed 004's ``out = Σ w_i x_i``)."""
    rows = [equation_row(net, u.net, net.net_display(u), "forward")]
    if u.out != u.net:
        rows.append(equation_row(net, u.out, net.out_definitions[u.out], "forward"))
    return rows


def loss_row(net: Network) -> Row:
    return equation_row(net, net.loss_symbol, net.objective, "loss")


def delta_rows(net: Network, grads: Gradients) -> list[Row]:
    """δ_u = ∂E/∂net_u for every unit, from the output layer back."""
    return [delta_row(net, grads, u) for u in backward_order(net)]


def delta_row(net: Network, grads: Gradients, u: Unit) -> Row:
    """δ_u in terms of the δ of the units u feeds."""
    return equation_row(net, u.delta, grads.recurrence(u.name), "delta")


def cost_symbols(net: Network) -> tuple[sp.Symbol, sp.Symbol, sp.Symbol, sp.Symbol, sp.Symbol,
                                        dict[sp.Symbol, str]]:
    """Symbols of the mini-batch cost: J, m, i, L^(i), θ and their LaTeX names."""
    c = net.spec.cost
    assert c is not None
    loss = net.latex_of(net.loss_symbol)
    names = {
        sp.Symbol(plain_name(c.latex)): upright(c.latex),
        sp.Symbol(c.examples, positive=True, integer=True): c.examples,
        sp.Symbol(c.index, positive=True, integer=True): c.index,
        # braced as check reads it back: ∂E^{(i)}/∂θ
        sp.Symbol(f"{net.loss_symbol.name}^{{({c.index})}}"): rf"{{{loss}}}^{{({c.index})}}",
        sp.Symbol("θ"): r"\theta",
    }
    cost, m, i, loss_i, theta = names
    return cost, m, i, loss_i, theta, names


def cost_row(net: Network) -> Row | None:
    """∂J/∂θ = 1/m Σ_i ∂L^(i)/∂θ when the spec defines a cost over m examples."""
    if net.spec.cost is None:
        return None
    cost, m, i, loss_i, theta, names = cost_symbols(net)
    rhs = sp.Mul(1 / m, sp.Sum(Partial(loss_i, theta), (i, 1, m)), evaluate=False)
    eq = sp.Eq(Partial(cost, theta), rhs, evaluate=False)
    printer = NetworkLatexPrinter(net, extra_names=names)
    return Row(text(eq) + ", for every parameter θ", printer.doprint(eq), "cost", rhs,
               Partial(cost, theta))


# ----------------------------------------------------------------------------- formats


def to_text(doc: DerivationDocument) -> str:
    net = doc.network
    lines = [net.spec.title, ""]
    lines.append("Forward pass and loss:")
    lines += [f"  {r.text}" for r in doc.definitions]
    if doc.deltas:
        lines += ["", f"Local gradients {local_gradient_text(net)}, from the output back:"]
        lines += [f"  {r.text}" for r in doc.deltas]
        lines += [f"  {rule.text}" for rule in kind_rules(net.spec)]  # as a lecture says it
    if doc.matrix is not None:
        lines += ["", *doc.matrix.text_lines()]
    for pd in doc.params:
        lines += ["", pd.lhs_text]
        for r in pd.rows:
            lines.append(f"  = {r.text}")
    if doc.cost is not None:
        lines += ["", doc.cost.text]
    for n in doc.notes:
        lines += ["", f"note: {n}"]
    return "\n".join(lines) + "\n"


def to_latex(doc: DerivationDocument) -> str:
    """LaTeX for a document (:func:`symbackprop.render.derivation_latex.document_latex`)."""
    from .derivation_latex import document_latex

    return document_latex(doc)


def standalone_latex(doc: DerivationDocument) -> str:
    """A complete document: ``derive --format latex --standalone``
    (:func:`symbackprop.render.derivation_latex.standalone_document`)."""
    from .derivation_latex import standalone_document

    return standalone_document(doc)


def to_markdown(doc: DerivationDocument) -> str:
    net = doc.network
    out = [f"# {markdown_text(net.spec.title)}", "", "## Forward pass and loss", "", "$$",
           equations_block(net, doc.definitions, env="aligned"), "$$"]
    if doc.deltas:
        out += ["", "## Local gradients", "", "$$",
                equations_block(net, doc.deltas, env="aligned"), "$$"]
        out += [line for rule in kind_rules(net.spec) for line in ("", "$$", rule.latex, "$$")]
    if doc.matrix is not None:
        out += ["", f"## {doc.matrix.heading}", "", doc.matrix.markdown()]
    out += ["", "## Gradients"]
    for pd in doc.params:
        out += ["", f"### `{pd.name}`", "", "$$", param_block(doc, pd, env="aligned"), "$$"]
    if doc.cost is not None:
        out += ["", "$$", doc.cost.latex, "$$"]
    for n in doc.notes:
        out += ["", f"> {markdown_text(n)}"]
    return "\n".join(out) + "\n"


def to_json(doc: DerivationDocument) -> str:
    """JSON in the layout of ``docs/json.md`` (see :mod:`symbackprop.render.derivation_json`)."""
    from .derivation_json import to_json as lean_json

    return lean_json(doc)


def render(doc: DerivationDocument, fmt: str) -> str:
    return {"text": to_text, "latex": to_latex, "markdown": to_markdown, "json": to_json}[fmt](
        doc)
