"""The ``notes`` and ``graph`` commands: lecture notes and computation graphs of a spec."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .support import (
    input_paths,
    level_option,
    reports_errors,
    say_why_no_numbers,
    write_output,
)

FORMAT_BY_SUFFIX = {".md": "markdown", ".markdown": "markdown", ".html": "html",
                    ".htm": "html", ".qmd": "quarto"}
NOTES_FORMATS = ["latex", "markdown", "html", "beamer", "quarto"]


def _split(values: tuple[str, ...]) -> list[str]:
    return [name for v in values for name in v.replace(",", " ").split()]


@click.command("notes")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the notes here (whole or not at all) instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(NOTES_FORMATS), default=None,
              help="A LaTeX document, Markdown with $…$ math, a self-contained web page "
                   "(MathML, inline SVG), beamer slides, or Quarto slides (.qmd). Default: "
                   "by the output's extension (.md, .html, .qmd), else LaTeX.")
@click.option("--pdf", is_flag=True,
              help="Also run pdflatex and write the PDF next to the .tex output (LaTeX or "
                   "beamer).")
@click.option("--param", "--params", "params", multiple=True, metavar="NAMES",
              help="Derive only these parameters (repeatable or comma-separated).")
@click.option("--numbers/--no-numbers", default=True, show_default=True,
              help="With the spec's values, follow every formula by its numbers.")
@click.option("--full", is_flag=True,
              help="Keep everything: every parameter derived factor by factor, the δ form of "
                   "each gradient with numbers, every update, the finite differences.")
@click.option("--define", "defines", multiple=True, metavar="F=STAND_IN",
              help="Evaluate the unspecified function F as STAND_IN (tanh, sigmoid, sin, "
                   "softplus, linear) in the numbers; repeatable.")
@reports_errors
def notes(spec: str, output: str | None, fmt: str | None, pdf: bool, params: tuple[str, ...],
          numbers: bool, full: bool, defines: tuple[str, ...]) -> None:
    """Write lecture notes on backpropagation through SPEC.

    The notes hold a diagram of the network (and of each convolution, pooling and recurrent
    layer), the forward pass and loss, each activation's derivative derived step by step,
    the local-gradient recurrences (index form, and matrix or tensor form), every
    parameter's chain-rule derivation and, when the spec has values, a worked example with a
    gradient-descent step and a finite-difference check.

    \b
    Examples:
      symbackprop notes specs/seed-004-mazur-2-2-2.yaml -o mazur.tex --pdf
      symbackprop notes specs/seed-004-mazur-2-2-2.yaml --params w5,w1 -o w.tex
      symbackprop notes specs/seed-002-four-layer.yaml -o notes.md   # Markdown
      symbackprop notes specs/seed-004-mazur-2-2-2.yaml -o mazur.html  # web page
      symbackprop notes specs/seed-004-mazur-2-2-2.yaml --format beamer -o deck.tex --pdf
      symbackprop notes specs/seed-004-mazur-2-2-2.yaml -o deck.qmd    # Quarto slides

    The format follows the output's extension (.md: Markdown, .html: web page, .qmd:
    Quarto) unless --format says.
    """
    from ..errors import SymbackpropError
    from ..files import check_not_an_input, is_file_target
    from ..network.build import build_network
    from ..network.derivation import derive
    from ..notes.sections import build_notes
    from ..spec.load import load_spec, parse_definitions

    if fmt is None:
        fmt = FORMAT_BY_SUFFIX.get(Path(output).suffix.lower(), "latex") if output \
            else "latex"
    to_file = output not in (None, "-") and is_file_target(output or "")
    if pdf and to_file and Path(output or "").suffix.lower() != ".tex":
        raise SymbackpropError(f"--pdf writes the LaTeX it compiles to a .tex file, not "
                               f"{Path(output or '').name}", field="--pdf",
                               hint=f"name it {Path(output or 'notes').stem}.tex")
    if pdf and (fmt not in ("latex", "beamer") or not to_file):
        raise SymbackpropError("--pdf needs LaTeX output to a file (notes or beamer slides)",
                               field="--pdf",
                               hint="add -o NOTES.tex (and --format beamer for slides)")
    target = Path(output).with_suffix(".pdf") if pdf and output else None
    if target is not None and target == Path(output or ""):
        raise SymbackpropError("the LaTeX output and the PDF would be the same file",
                               field="--pdf", hint="name the LaTeX output NOTES.tex")
    if target is not None:
        check_not_an_input(target, input_paths())
    loaded = load_spec(spec)
    net = build_network(loaded).with_stand_ins(parse_definitions(defines, loaded))
    if numbers:
        say_why_no_numbers(net, loaded.values)
    built = build_notes(net, derive(net), params=_split(params), numbers=numbers, full=full)
    document = _render(built, net, fmt)
    write_output(document, output)
    if pdf:
        from ..notes.pdflatex import write_pdf

        assert target is not None
        write_pdf(document, target, inputs=input_paths())
        click.echo(f"wrote {output} and {target}", err=True)


def _render(built: Any, net: Any, fmt: str) -> str:
    """The notes in ``fmt``, one of ``NOTES_FORMATS``."""
    if fmt == "html":
        from ..notes.html import notes_html

        return notes_html(built, net)
    if fmt == "beamer":
        from ..notes.beamer import notes_beamer

        return notes_beamer(built, net)
    if fmt == "quarto":
        from ..notes.quarto import notes_quarto

        return notes_quarto(built, net)
    from ..notes.document import render_notes

    return render_notes(built, fmt)


@click.command("graph")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["tikz", "dot"]), default="tikz",
              show_default=True, help="A standalone TikZ document, or Graphviz DOT.")
@click.option("--param", default=None, metavar="NAME",
              help="Highlight the paths from this parameter to the loss.")
@click.option("--numbers/--no-numbers", default=True, show_default=True,
              help="With the spec's values, show every node's value and edge's number.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (whole or not at all) instead of stdout.")
@click.option("--define", "defines", multiple=True, metavar="F=STAND_IN",
              help="Evaluate the unspecified function F as STAND_IN (tanh, sigmoid, sin, "
                   "softplus, linear) in the numbers; repeatable.")
@level_option
@reports_errors
def graph(spec: str, fmt: str, param: str | None, numbers: bool, output: str | None,
          defines: tuple[str, ...], level: str) -> None:
    """Draw the computation graph of SPEC, each edge labelled with its local derivative.

    \b
    Examples:
      symbackprop graph specs/seed-004-mazur-2-2-2.yaml --format dot | dot -Tpng -o g.png
      symbackprop graph specs/seed-004-mazur-2-2-2.yaml --param w5 -o graph.tex
      symbackprop graph specs/seed-001-linear-1-1-2-1.yaml --level op --format dot
    """
    from ..network.build import build_network
    from ..network.derivation import derive
    from ..render.graph import computation_graph
    from ..render.tikz_graph import render_graph
    from ..spec.load import load_spec, parse_definitions

    s = load_spec(spec)
    net = build_network(s).with_stand_ins(parse_definitions(defines, s))
    if numbers:
        say_why_no_numbers(net, s.values)
    # an unspecified loss has no numbers: the graph is drawn without them
    values = s.values if numbers and s.values.examples and s.loss.kind != "unspecified" \
        else None
    if level == "op":
        from ..render.op_level import op_document
        from ..render.op_level import render_graph as render_op_graph

        write_output(render_op_graph(op_document(net, values), fmt), output)
        return
    cg = computation_graph(net, derive(net), values=values, param=param)
    write_output(render_graph(cg, fmt), output)
