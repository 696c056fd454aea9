"""Rich display in Jupyter: each result of the tool as maths, through the same printers.

A :class:`~symbackprop.network.build.Network` shows its forward pass and loss, a
:class:`~symbackprop.network.derivation.Gradients` every gradient, a
:class:`~symbackprop.network.derivation.Derivation` its chain-rule rows, an evaluation and a
gradient check their tables. Importing this module registers them with
:mod:`symbackprop.network.display`; ``import symbackprop`` does.
"""

from __future__ import annotations

from typing import Any

from ..network.build import Network
from ..network.derivation import Derivation, Gradients
from ..network.display import register
from ..numeric.evaluation import Evaluation
from ..numeric.gradient_check import GradcheckReport
from .derivations import build_document, definition_rows, equations_block, param_block
from .escape import markdown_cell, markdown_text
from .numbers import number
from .numeric_reports import PASS_WORDS, gradcheck_summary
from .printing import partial_tex, tex, text

MAX_SHOWN = 24  # gradients shown in a notebook cell before the rest is left out


def _aligned(rows: list[str]) -> str:
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}\n$$"


def network_markdown(net: Any) -> str:
    """The title, then the forward pass and the loss."""
    block = equations_block(net, definition_rows(net), env="aligned")
    return f"**{markdown_text(net.spec.title)}**\n\n$$\n{block}\n$$"


def gradients_latex(grads: Any) -> str:
    """∂E/∂θ = … for every parameter (the first ones of a large network)."""
    net = grads.network
    rows = [f"{partial_tex(net, net.loss_symbol, p)} &= "
            f"{tex(net, grads.derivation(p).display)}" for p in net.trained[:MAX_SHOWN]]
    if len(net.trained) > MAX_SHOWN:
        rows.append(rf"&\text{{… and {len(net.trained) - MAX_SHOWN} more}}")
    return _aligned(rows)


def derivation_latex(d: Any) -> str:
    """The chain-rule rows of one parameter, as ``derive`` prints them."""
    grads = d.owner
    if grads is None:
        return f"$${tex(None, d.display)}$$"
    net = grads.network
    doc = build_document(net, grads, params=[d.param.name])
    return "$$\n" + param_block(doc, doc.params[0], env="aligned") + "\n$$"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join(markdown_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def evaluation_markdown(ev: Any) -> str:
    rows = [[f"`{ev.labels.get(name, name)}`", number(v["net"]), number(v["out"])]
            for name, v in ev.units.items()]
    grads = [[f"`{name}`", number(g)] + ([number(ev.updated[name])] if ev.updated else [])
             for name, g in ev.gradients.items()]
    after = f"after {ev.steps} update" + ("" if ev.steps == 1 else "s")
    header = ["parameter", "gradient"] + ([after] if ev.updated else [])
    return (_table(["unit", "net input", "activation"], rows)
            + f"\n\n**loss** {number(ev.loss)}\n\n" + _table(header, grads))


def gradcheck_markdown(report: Any) -> str:
    rows = [[f"`{r.name}`", f"{r.analytic:.12g}", f"{r.numeric:.12g}", f"{r.rel_error:.1e}",
             "**FAIL**" if r.status == "disagree" else PASS_WORDS[r.status]]
            for r in report.parameters]
    verdict = gradcheck_summary(report)
    if not report.ok:
        verdict = f"**{verdict}**"
    return (_table(["parameter", "symbolic", "finite difference", "relative error", ""], rows)
            + f"\n\n{verdict} ({report.method}: {markdown_text(report.rule)})")


def _summary(obj: Any) -> str:
    if isinstance(obj, Network):
        return (f"Network {obj.spec.title!r}: {len(obj.units)} units, "
                f"{len(obj.params)} parameters")
    if isinstance(obj, Gradients):
        return f"Gradients of {obj.network.spec.title!r}: {len(obj.network.params)} parameters"
    if isinstance(obj, Derivation):
        return f"Derivation of ∂/∂{obj.param.name}: {text(obj.display)}"
    if isinstance(obj, Evaluation):
        return f"Evaluation: loss {number(obj.loss)}"
    return f"Gradient check ({obj.method}): {gradcheck_summary(obj)}"


for _cls in (Network, Gradients, Derivation, Evaluation, GradcheckReport):
    register(_cls, "text", _summary)
register(Network, "markdown", network_markdown)
register(Gradients, "latex", gradients_latex)
register(Derivation, "latex", derivation_latex)
register(Evaluation, "markdown", evaluation_markdown)
register(GradcheckReport, "markdown", gradcheck_markdown)
