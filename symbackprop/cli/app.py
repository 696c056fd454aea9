"""The ``symbackprop`` command line: a thin layer over the library.

Every command parses its arguments, calls the library, prints. SymPy is imported only
inside the commands, so ``--help`` answers at once.
"""

from __future__ import annotations

from typing import Any

import click

from .support import CheckFailed, progress_bar, reports_errors, write_output


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="symbackprop")
def main() -> None:
    """Exact, readable, verified backpropagation gradients for a network spec.

    \b
    Examples:
      symbackprop derive specs/seed-004-mazur-2-2-2.yaml --param w5
      symbackprop eval specs/seed-004-mazur-2-2-2.yaml --steps 3
      symbackprop gradcheck specs/seed-004-mazur-2-2-2.yaml
      symbackprop check specs/seed-004-mazur-2-2-2.yaml --param w6 \\
          --formula '-(target_o2 - out_o2)*out_o2*(1 - out_o2)*out_h2'
      symbackprop notes specs/seed-004-mazur-2-2-2.yaml -o notes.tex --pdf
      symbackprop codegen specs/seed-002-four-layer.yaml -o grad.py
      python -m symbackprop derive SPEC --format latex -o grads.tex

    Exit status: 0 ok, 1 a check failed, 2 usage or input error.
    """


def _load(spec_path: str) -> tuple[Any, Any, Any]:
    from ..network.build import build_network
    from ..network.derivation import derive
    from ..spec.load import load_spec

    spec = load_spec(spec_path)
    net = build_network(spec)
    return spec, net, derive(net)


@main.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--param", "params", multiple=True, metavar="NAME",
              help="Derive only this parameter (repeatable). Default: all.")
@click.option("--form", type=click.Choice(["chain", "closed", "delta"]), default="chain",
              show_default=True,
              help="chain: factors, their values, the result; closed: the result only; "
                   "delta: δ recurrences and ∂E/∂w = δ·a (scales to large networks).")
@click.option("--format", "fmt", type=click.Choice(["text", "latex", "markdown", "json"]),
              default="text", show_default=True, help="Output format.")
@click.option("--numbers/--no-numbers", default=True, show_default=True,
              help="With the spec's values, show each factor's number.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (whole or not at all) instead of stdout.")
@reports_errors
def derive(spec: str, params: tuple[str, ...], form: str, fmt: str, numbers: bool,
           output: str | None) -> None:
    """Derive ∂E/∂θ for every weight and bias of SPEC by the chain rule.

    \b
    Examples:
      symbackprop derive specs/seed-004-mazur-2-2-2.yaml
      symbackprop derive specs/seed-004-mazur-2-2-2.yaml --param w1 --format latex
      symbackprop derive specs/seed-002-four-layer.yaml --form delta --format markdown
    """
    from ..render.derivations import build_document, render

    s, net, grads = _load(spec)
    values = s.values if numbers and s.values.examples else None
    count = len(params) or len(net.params)
    with progress_bar(count, "deriving") as tick:
        doc = build_document(net, grads, params=list(params), form=form, values=values,
                             progress=tick)
    write_output(render(doc, fmt), output)


@main.command("eval")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--at", "at", type=click.Path(dir_okay=False), default=None,
              help="A values file (inputs, targets, params, learning_rate, examples). "
                   "Default: the spec's own values.")
@click.option("--steps", type=click.IntRange(min=1), default=1, show_default=True,
              help="Gradient-descent steps to take (needs a learning rate).")
@click.option("--lr", type=float, default=None,
              help="Learning rate (default: the spec's learning_rate, if any).")
@click.option("--frozen", multiple=True, metavar="NAME",
              help="Keep this parameter fixed during the steps (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@reports_errors
def eval_command(spec: str, at: str | None, steps: int, lr: float | None,
                 frozen: tuple[str, ...], fmt: str) -> None:
    """Forward values, loss, gradients and descent steps of SPEC at its values.

    \b
    Examples:
      symbackprop eval specs/seed-004-mazur-2-2-2.yaml
      symbackprop eval specs/seed-004-mazur-2-2-2.yaml --steps 10000 --frozen b1 --frozen b2
      symbackprop eval SPEC --at values.yaml --lr 0.1 --format json
    """
    from ..numeric.evaluation import evaluate
    from ..render.escape import json_text
    from ..render.numeric_reports import evaluation_json, evaluation_text
    from ..spec.load import load_values

    s, net, grads = _load(spec)
    values = load_values(at, s) if at else s.values
    with progress_bar(steps if (lr or values.learning_rate) else 0, "descending") as tick:
        result = evaluate(net, grads, values, steps=steps, learning_rate=lr, frozen=frozen,
                          progress=tick)
    if fmt == "json":
        write_output(json_text(evaluation_json(result)), None)
    else:
        write_output(evaluation_text(net, result), None)


@main.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--at", "at", type=click.Path(dir_okay=False), default=None,
              help="A values file; missing values are drawn at random.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed for random points, directions and samples.")
@click.option("--method", type=click.Choice(["auto", "full", "directional"]), default="auto",
              show_default=True,
              help="full: every parameter; directional: random directions plus a sample of "
                   "parameters; auto: full up to 2000 parameters.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@reports_errors
def gradcheck(spec: str, at: str | None, seed: int, method: str, fmt: str) -> None:
    """Compare the symbolic gradients of SPEC with finite differences.

    Exits with status 1 if any gradient disagrees.

    \b
    Examples:
      symbackprop gradcheck specs/seed-004-mazur-2-2-2.yaml
      symbackprop gradcheck specs/softmax-cross-entropy.yaml --seed 7 --format json
      symbackprop gradcheck big.yaml --method directional
    """
    from ..numeric.gradient_check import check_count
    from ..numeric.gradient_check import gradcheck as run_gradcheck
    from ..render.escape import json_text
    from ..render.numeric_reports import gradcheck_json, gradcheck_text
    from ..spec.load import load_values

    s, net, grads = _load(spec)
    values = load_values(at, s) if at else s.values
    with progress_bar(check_count(net, method), "checking") as tick:
        report = run_gradcheck(net, grads, values, seed=seed, method=method, progress=tick)
    if fmt == "json":
        write_output(json_text(gradcheck_json(report)), None)
    else:
        write_output(gradcheck_text(report), None)
    if not report.ok:
        raise CheckFailed("")


def _add_commands() -> None:
    """Commands that live in their own modules (each imports SymPy only when it runs)."""
    from .check import check
    from .codegen import codegen
    from .notes import graph, notes

    for command in (check, notes, graph, codegen):
        main.add_command(command)


_add_commands()
