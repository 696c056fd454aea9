"""Render derivations as text, LaTeX fragments, Markdown or JSON.

A derivation is built once as rows of (text, LaTeX) and then formatted; the library returns
strings and the CLI prints them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from .build import Network
from .derive import Derivation, Factor, Gradients, chain_product
from .printing import number, partial_tex, partial_text, tex, text

FORMS = ("chain", "closed", "delta")
FORMATS = ("text", "latex", "markdown", "json")


@dataclass(frozen=True)
class Row:
    """One ``= …`` step of a derivation, in both notations."""

    text: str
    latex: str
    kind: str  # factors | values | numbers | result | delta | sum


@dataclass
class ParamDerivation:
    name: str
    lhs_text: str
    lhs_latex: str
    rows: list[Row]
    derivation: Derivation
    value: float | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class DerivationDocument:
    """Derivations of the requested parameters plus the shared definitions."""

    network: Network
    form: str
    params: list[ParamDerivation]
    definitions: list[Row]  # forward pass and loss
    deltas: list[Row]  # δ recurrences (delta form)
    notes: list[str]
    cost: Row | None


def symbol_values(net: Network, grads: Gradients, values: Any
                  ) -> dict[sp.Symbol, float] | None:
    """Numeric value of every symbol at the spec's single worked example, if it has one."""
    if values is None or len(values.examples) != 1 or set(values.params) != {
            p.name for p in net.params}:
        return None
    from .numeric import compile_network  # local: numbers are optional

    compiled = compile_network(net, grads, module="numpy")
    ex = values.examples[0]
    result = compiled.run(values.params, ex.inputs, ex.targets)
    out: dict[sp.Symbol, float] = {}
    for p in net.params:
        out[p] = float(values.params[p.name])
    for s, i in zip(net.inputs, net.spec.inputs, strict=True):
        out[s] = float(ex.inputs[i.name])
    for u in net.outputs:
        assert u.target is not None
        out[u.target] = float(ex.targets[u.name])
    for u in net.units:
        out[u.net] = float(result.nets[u.name])
        out[u.out] = float(result.outs[u.name])
    for u in net.units:
        out[u.delta] = 0.0
    out[net.loss_symbol] = float(result.loss)
    return out


def _numeric(expr: sp.Expr, at: dict[sp.Symbol, float]) -> float:
    from .numeric import namespace

    free = sorted(expr.free_symbols, key=lambda s: s.name)
    f = sp.lambdify(free, expr, modules=[namespace("numpy", [expr]), "numpy"])
    return float(f(*[at[s] for s in free]))


def _num_tex(value: float) -> str:
    s = number(value, 6)
    if "e" in s:
        mant, _, exp = s.partition("e")
        return rf"{mant} \times 10^{{{int(exp)}}}"
    return s


def _path_rows(net: Network, paths: Sequence[Sequence[Factor]],
               at: dict[sp.Symbol, float] | None) -> list[Row]:
    sym_text = " + ".join(" · ".join(partial_text(f.numerator, f.denominator) for f in p)
                          for p in paths)
    sym_tex = " + ".join(r" \cdot ".join(partial_tex(net, f.numerator, f.denominator)
                                         for f in p) for p in paths)
    rows = [Row(sym_text, sym_tex, "factors")]

    def wrap(expr: sp.Expr, s: str, is_tex: bool) -> str:
        if isinstance(expr, sp.Add) or (expr.could_extract_minus_sign() and len(paths[0]) > 1):
            return rf"\left({s}\right)" if is_tex else f"({s})"
        return s

    val_text = " + ".join(" · ".join(wrap(f.value, text(f.value), False) for f in p)
                          for p in paths)
    val_tex = " + ".join(r" \cdot ".join(wrap(f.value, tex(net, f.value), True) for f in p)
                         for p in paths)
    rows.append(Row(val_text, val_tex, "values"))
    if at is not None:
        nums = [[_numeric(f.value, at) for f in p] for p in paths]

        def fmt(v: float, is_tex: bool) -> str:
            s = _num_tex(v) if is_tex else number(v, 6)
            return (rf"\left({s}\right)" if is_tex else f"({s})") if v < 0 else s

        rows.append(Row(" + ".join(" · ".join(fmt(v, False) for v in p) for p in nums),
                        " + ".join(r" \cdot ".join(fmt(v, True) for v in p) for p in nums),
                        "numbers"))
    return rows


def build_document(net: Network, grads: Gradients, *, params: Sequence[str] | None = None,
                   form: str = "chain", values: Any = None,
                   progress: Callable[[str], None] | None = None) -> DerivationDocument:
    """Assemble the derivations of ``params`` (all by default) in the requested form."""
    chosen = _select(net, params)
    at = symbol_values(net, grads, values) if values is not None else None
    loss_name = net.loss_symbol
    docs: list[ParamDerivation] = []
    notes = list(grads.notes)
    for p in chosen:
        d = grads.derivation(p) if form != "delta" else None
        rows: list[Row] = []
        if form == "delta":
            expr = grads.gradient(p)
            rows.append(Row(text(expr), tex(net, expr), "delta"))
            deriv = Derivation(p, grads.uses(p), expr, expr, expr, None)
        else:
            assert d is not None
            deriv = d
            if form == "chain" and d.paths is not None and d.paths:
                rows.extend(_path_rows(net, d.paths, at))
            elif form == "chain":
                notes.append(f"{p.name}: more than {64} paths; showing the δ form")
                rows.append(Row(text(d.delta_form), tex(net, d.delta_form), "delta"))
            rows.append(Row(text(d.display), tex(net, d.display), "result"))
        value = _numeric(deriv.closed, at) if at is not None and form != "delta" else None
        if value is not None:
            rows.append(Row(number(value), _num_tex(value), "value"))
        docs.append(ParamDerivation(
            name=p.name, lhs_text=partial_text(loss_name, p),
            lhs_latex=partial_tex(net, loss_name, p), rows=_dedupe(rows), derivation=deriv,
            value=value,
        ))
        if progress is not None:
            progress(p.name)
    definitions = definition_rows(net)
    deltas = delta_rows(net, grads) if form == "delta" else []
    cost = None
    if net.spec.cost is not None:
        c = net.spec.cost
        cost = Row(
            f"∂{_plain(c.latex)}/∂θ = 1/{c.examples} Σ_{c.index}=1..{c.examples} "
            f"∂{loss_name.name}^({c.index})/∂θ for every parameter θ",
            rf"\frac{{\partial {c.latex}}}{{\partial \theta}} = \frac{{1}}{{{c.examples}}}"
            rf"\sum_{{{c.index}=1}}^{{{c.examples}}} \frac{{\partial {net.latex_of(loss_name)}"
            rf"^{{({c.index})}}}}{{\partial \theta}}",
            "cost",
        )
    return DerivationDocument(net, form, docs, definitions, deltas, notes, cost)


def _plain(latex: str) -> str:
    from .naming import plain_name

    return plain_name(latex)


def _dedupe(rows: list[Row]) -> list[Row]:
    out: list[Row] = []
    for r in rows:
        if out and out[-1].text == r.text:
            continue
        out.append(r)
    return out


def _select(net: Network, params: Sequence[str] | None) -> list[sp.Symbol]:
    from .errors import SymbackpropError, did_you_mean

    if not params:
        return list(net.params)
    by_name = {p.name: p for p in net.params}
    chosen = []
    for name in params:
        if name not in by_name:
            raise SymbackpropError(f"no parameter called `{name}`", field="--param",
                                   hint=did_you_mean(name, by_name))
        chosen.append(by_name[name])
    return chosen


def definition_rows(net: Network) -> list[Row]:
    """The forward pass and the loss, one equation per row."""
    rows = []
    for u in net.units:
        d = net.net_display(u)
        rows.append(Row(f"{u.net.name} = {text(d)}", f"{net.latex_of(u.net)} = {tex(net, d)}",
                        "forward"))
        a = net.out_definitions[u.out]
        rows.append(Row(f"{u.out.name} = {text(a)}", f"{net.latex_of(u.out)} = {tex(net, a)}",
                        "forward"))
    rows.append(Row(f"{net.loss_symbol.name} = {text(net.loss)}",
                    f"{net.latex_of(net.loss_symbol)} = {tex(net, net.loss)}", "loss"))
    return rows


def delta_rows(net: Network, grads: Gradients) -> list[Row]:
    """δ_u = ∂E/∂net_u for every unit, from the output layer back."""
    rows = []
    for u in reversed(net.units):
        expr = grads.deltas[u.name]
        if u.name not in grads.output_delta:
            terms = [chain_product([c.delta, w], evaluate=False)
                     for c, w in grads.consumer_weights[u.name]]
            total = sp.Add(*terms, evaluate=False) if len(terms) > 1 else terms[0]
            expr = chain_product([total, grads.local_derivative(u)], evaluate=False)
        else:
            expr = grads.display_delta(u.name)
        rows.append(Row(f"{u.delta.name} = {text(expr)}",
                        f"{net.latex_of(u.delta)} = {tex(net, expr)}", "delta"))
    return rows


# ----------------------------------------------------------------------------- formats


def to_text(doc: DerivationDocument) -> str:
    net = doc.network
    lines = [net.spec.title, ""]
    lines.append("Forward pass and loss:")
    lines += [f"  {r.text}" for r in doc.definitions]
    if doc.deltas:
        lines += ["", "Local gradients δ = ∂E/∂net, from the output back:"]
        lines += [f"  {r.text}" for r in doc.deltas]
    for pd in doc.params:
        lines += ["", pd.lhs_text]
        for r in pd.rows:
            lines.append(f"  = {r.text}")
    if doc.cost is not None:
        lines += ["", doc.cost.text]
    for n in doc.notes:
        lines += ["", f"note: {n}"]
    return "\n".join(lines) + "\n"


def latex_block(lhs: str, rows: Sequence[str]) -> str:
    """An ``align*`` block: lhs on the first row, each further step on its own row."""
    body = [f"{lhs}\n  &= {rows[0]}"] + [f"  &= {r}" for r in rows[1:]]
    return "\\begin{align*}\n" + " \\\\\n".join(body) + "\n\\end{align*}"


def to_latex(doc: DerivationDocument) -> str:
    from .latex import break_rows

    parts = [f"% {doc.network.spec.title}: derivations ({doc.form} form)"]
    if doc.deltas:
        parts.append("\\begin{align*}\n" + " \\\\\n".join(
            break_rows([r.latex.replace(" = ", " &= ", 1) for r in doc.deltas]))
            + "\n\\end{align*}")
    for pd in doc.params:
        parts.append(latex_block(pd.lhs_latex, break_rows([r.latex for r in pd.rows])))
    if doc.cost is not None:
        parts.append(f"\\[\n{doc.cost.latex}\n\\]")
    return "\n\n".join(parts) + "\n"


def to_markdown(doc: DerivationDocument) -> str:
    net = doc.network
    out = [f"# {net.spec.title}", "", "## Forward pass and loss", "", "$$",
           "\\begin{aligned}",
           " \\\\\n".join(r.latex.replace(" = ", " &= ", 1) for r in doc.definitions),
           "\\end{aligned}", "$$"]
    if doc.deltas:
        out += ["", "## Local gradients", "", "$$", "\\begin{aligned}",
                " \\\\\n".join(r.latex.replace(" = ", " &= ", 1) for r in doc.deltas),
                "\\end{aligned}", "$$"]
    out += ["", "## Gradients"]
    for pd in doc.params:
        out += ["", f"### `{pd.name}`", "", "$$", "\\begin{aligned}",
                f"{pd.lhs_latex} &= " + " \\\\\n&= ".join(r.latex for r in pd.rows),
                "\\end{aligned}", "$$"]
    if doc.cost is not None:
        out += ["", "$$", doc.cost.latex, "$$"]
    for n in doc.notes:
        out += ["", f"> {n}"]
    return "\n".join(out) + "\n"


def to_json(doc: DerivationDocument) -> str:
    net = doc.network
    params: list[dict[str, Any]] = []
    for pd in doc.params:
        d = pd.derivation
        entry: dict[str, Any] = {
            "name": pd.name,
            "latex_name": net.latex_of(d.param),
            "expression": text(d.display),
            "latex": tex(net, d.display),
            "closed": text(d.closed),
            "delta_form": text(d.delta_form),
            "delta_form_latex": tex(net, d.delta_form),
            "steps": [{"kind": r.kind, "text": r.text, "latex": r.latex} for r in pd.rows],
        }
        if d.paths is not None:
            entry["chain"] = [[{
                "numerator": f.numerator.name, "denominator": f.denominator.name,
                "factor": partial_text(f.numerator, f.denominator),
                "factor_latex": partial_tex(net, f.numerator, f.denominator),
                "value": text(f.value), "value_latex": tex(net, f.value),
            } for f in path] for path in d.paths]
        if pd.value is not None:
            entry["numeric"] = pd.value
        params.append(entry)
    data = {
        "title": net.spec.title,
        "form": doc.form,
        "loss": {"name": net.loss_symbol.name, "expression": text(net.loss),
                 "latex": tex(net, net.loss)},
        "definitions": [{"text": r.text, "latex": r.latex} for r in doc.definitions],
        "deltas": [{"text": r.text, "latex": r.latex} for r in doc.deltas],
        "parameters": params,
        "notes": doc.notes,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render(doc: DerivationDocument, fmt: str) -> str:
    return {"text": to_text, "latex": to_latex, "markdown": to_markdown, "json": to_json}[fmt](
        doc)
