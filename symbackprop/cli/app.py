"""The ``symbackprop`` command line: a thin layer over the library.

Every command parses its arguments, calls the library, prints. SymPy is imported only
inside the commands, so ``--help`` answers at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from .support import (
    CheckFailed,
    collector_paused,
    level_option,
    progress_bar,
    reports_errors,
    say_why_no_numbers,
    write_output,
)

F = TypeVar("F", bound=Callable[..., Any])


def _limit_option(name: str, what: str) -> Callable[[F], F]:
    from ..spec.limits import DEFAULT_LIMITS

    default = getattr(DEFAULT_LIMITS, name)
    return click.option(f"--{name.replace('_', '-')}", name, type=click.IntRange(min=1),
                        default=default, show_default=True, metavar="N",
                        envvar=f"SYMBACKPROP_{name.upper()}",
                        help=f"Refuse specs and values files with more than N {what} "
                             "(docs/limits.md).")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="symbackprop")
@_limit_option("max_bytes", "bytes")
@_limit_option("max_depth", "levels of nesting")
@_limit_option("max_values", "values (each YAML alias counted in full)")
@_limit_option("max_units", "inputs and units")
@_limit_option("max_params", "weights and biases")
@_limit_option("max_formula_length", "characters in one formula of a node or of the loss")
def main(max_bytes: int, max_depth: int, max_values: int, max_units: int,
         max_params: int, max_formula_length: int) -> None:
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

    \b
    Bounds on what a spec may ask for come before the command:
      symbackprop --max-params 5000000 derive big.yaml
    """
    from ..spec.limits import MAX_DEPTH_CEILING, Limits, set_limits

    if max_depth > MAX_DEPTH_CEILING:
        raise click.BadParameter(f"at most {MAX_DEPTH_CEILING}", param_hint="--max-depth")
    reset = set_limits(Limits(max_bytes=max_bytes, max_depth=max_depth,
                              max_values=max_values, max_units=max_units,
                              max_params=max_params, max_formula_length=max_formula_length))
    click.get_current_context().call_on_close(reset)


def _load(spec_path: str) -> tuple[Any, Any, Any]:
    from ..network.build import build_network
    from ..network.derivation import derive
    from ..spec.load import load_spec

    with collector_paused():
        spec = load_spec(spec_path)
        net = build_network(spec)
        return spec, net, derive(net)


def _point(spec_path: str, spec: Any, at: tuple[str, ...]) -> Any:
    """The values ``--at`` gives (files and NAME=NUMBER), merged over the spec's."""
    from ..errors import SymbackpropError
    from ..spec.point import values_at

    if spec_path == "-" and "-" in at:
        raise SymbackpropError("the spec and a values file cannot both come from standard "
                               "input", field="--at -", hint="give one of them as a file")
    return values_at(at, spec) if at else spec.values


define_option = click.option(
    "--define", "defines", multiple=True, metavar="F=STAND_IN",
    help="Evaluate the unspecified function F as STAND_IN (tanh, sigmoid, sin, softplus, "
         "linear) in numbers; repeatable. Symbols and formulas keep F.")


def _with_stand_ins(spec: Any, net: Any, values: Any, defines: tuple[str, ...]) -> Any:
    """``net`` with the stand-ins of ``values`` (a values file) and ``--define`` applied, and
    the weight decay's λ of ``values``."""
    from ..spec.load import parse_definitions

    net = net.with_weight_decay(values.weight_decay)
    return net.with_stand_ins({**values.functions, **parse_definitions(defines, spec)})


def _stand_in_line(net: Any) -> str:
    from ..numeric.stand_ins import describe_stand_ins

    said = describe_stand_ins(net)
    return f"stand-in: {said} (an unspecified function, evaluated as asked)\n" if said else ""


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
@click.option("--at", "at", type=click.Path(dir_okay=False), multiple=True, metavar="FILE|N=V",
              help="Show the numbers at the values in this file, or at one value (x1=2, "
                   "w5=0.1), merged over the spec's; repeatable.")
@click.option("--standalone", is_flag=True,
              help="With --format latex: a complete document that compiles on its own.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (whole or not at all) instead of stdout.")
@define_option
@level_option
@reports_errors
@collector_paused()
def derive(spec: str, params: tuple[str, ...], form: str, fmt: str, numbers: bool,
           at: tuple[str, ...], standalone: bool, output: str | None,
           defines: tuple[str, ...], level: str) -> None:
    """Derive ∂E/∂θ for every weight and bias of SPEC by the chain rule.

    \b
    Examples:
      symbackprop derive specs/seed-004-mazur-2-2-2.yaml
      symbackprop derive specs/seed-004-mazur-2-2-2.yaml --param w1 --format latex
      symbackprop derive specs/seed-002-four-layer.yaml --form delta --format markdown
      symbackprop derive specs/seed-004-mazur-2-2-2.yaml --param w5 --at other.yaml
      symbackprop derive SPEC --format latex --standalone -o grads.tex
      symbackprop derive specs/seed-001-linear-1-1-2-1.yaml --level op
    """
    from ..errors import SymbackpropError
    from ..render.derivations import build_document, render, standalone_latex

    if standalone and fmt != "latex":
        raise SymbackpropError("--standalone makes a LaTeX document", field="--standalone",
                               hint="add --format latex")
    s, net, grads = _load(spec)
    point = _point(spec, s, at)
    net = _with_stand_ins(s, net, point, defines)
    # an unspecified loss has no numbers: its derivations are shown without them
    values = point if numbers and point.examples and s.loss.kind != "unspecified" else None
    if numbers:
        say_why_no_numbers(net, point)
    if level == "op":
        from ..render.op_level import op_document, render_derivation

        doc = op_document(net, values, params)
        write_output(render_derivation(doc, fmt, standalone), output)
        return
    count = len(params) or len(net.trained)
    with progress_bar(count, "deriving") as tick:
        doc = build_document(net, grads, params=list(params), form=form, values=values,
                             progress=tick)
        text = standalone_latex(doc) if standalone else render(doc, fmt)
    write_output(text, output)


@main.command("eval")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--at", "at", type=click.Path(dir_okay=False), multiple=True, metavar="FILE|N=V",
              help="A values file (inputs, targets, params, learning_rate, examples), or one "
                   "value (x1=2, w5=0.1), merged over the spec's own values: what it gives "
                   "replaces the spec's; repeatable.")
@click.option("--steps", type=click.IntRange(min=1), default=1, show_default=True,
              help="Gradient-descent steps to take (needs a learning rate).")
@click.option("--lr", type=float, default=None,
              help="Learning rate (default: the spec's learning_rate, if any).")
@click.option("--frozen", multiple=True, metavar="NAME",
              help="Keep this parameter fixed during the steps (repeatable).")
@click.option("--exact", is_flag=True,
              help="Exact fractions (553/20) where every value is rational: linear, ReLU "
                   "and leaky ReLU units at values written as decimals or fractions.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@define_option
@reports_errors
def eval_command(spec: str, at: tuple[str, ...], steps: int, lr: float | None,
                 frozen: tuple[str, ...], exact: bool, fmt: str,
                 defines: tuple[str, ...]) -> None:
    """Forward values, loss, gradients and descent steps of SPEC at its values.

    \b
    Examples:
      symbackprop eval specs/seed-004-mazur-2-2-2.yaml
      symbackprop eval specs/seed-004-mazur-2-2-2.yaml --steps 10000 --frozen b1 --frozen b2
      symbackprop eval SPEC --at values.yaml --lr 0.1 --format json
      symbackprop eval SPEC --define f=tanh     # an unspecified f needs a stand-in
      symbackprop eval specs/seed-001-linear-1-1-2-1.yaml --at point.yaml --exact

    With a learning rate, round k of --steps N is one forward pass, backward pass and
    update; its loss is the loss of its forward pass, after k − 1 updates.
    """
    from ..numeric.evaluation import evaluate
    from ..render.escape import json_text
    from ..render.numeric_reports import evaluation_json, evaluation_text, exact_json

    s, net, grads = _load(spec)
    values = _point(spec, s, at)
    net = _with_stand_ins(s, net, values, defines)
    if exact:
        from ..numeric.exact import evaluate_exact

        exact_result = evaluate_exact(net, grads, values, steps=steps, learning_rate=lr,
                                      frozen=frozen)
        write_output(json_text(exact_json(net, exact_result)) if fmt == "json"
                     else evaluation_text(net, exact_result), None)
        return
    with progress_bar(steps if (lr or values.learning_rate) else 0, "descending") as tick:
        result = evaluate(net, grads, values, steps=steps, learning_rate=lr, frozen=frozen,
                          progress=tick)
    if fmt == "json":
        data = evaluation_json(result, net)
        if net.stand_ins:
            data["stand_ins"] = dict(net.stand_ins)
        write_output(json_text(data), None)
    else:
        write_output(_stand_in_line(net) + evaluation_text(net, result), None)


@main.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--at", "at", type=click.Path(dir_okay=False), multiple=True, metavar="FILE|N=V",
              help="A values file, or one value (x1=2), merged over the spec's values; "
                   "repeatable. What is still missing is drawn at random.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed for random points, directions and samples.")
@click.option("--method", type=click.Choice(["auto", "full", "directional"]), default="auto",
              show_default=True,
              help="full: every parameter; directional: random directions plus a sample of "
                   "parameters; auto: full up to 2000 parameters.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@define_option
@reports_errors
def gradcheck(spec: str, at: tuple[str, ...], seed: int, method: str, fmt: str,
              defines: tuple[str, ...]) -> None:
    """Compare the symbolic gradients of SPEC with finite differences.

    Exits with status 1 if any gradient disagrees.

    \b
    Examples:
      symbackprop gradcheck specs/seed-004-mazur-2-2-2.yaml
      symbackprop gradcheck specs/softmax-cross-entropy.yaml --seed 7 --format json
      symbackprop gradcheck big.yaml --method directional
      symbackprop gradcheck specs/seed-000-renom-1-2-1.yaml --define f=sin

    An unspecified function with no stand-in asked for is checked with tanh, sigmoid and
    sin in turn, and an unspecified loss with a squared error and an asymmetric exponential
    loss in turn: a derivation that holds for every f and C must pass with each. A gradient
    too small for the precision to resolve is reported not checked and does not fail.
    """
    from ..numeric.gradient_check import check_count
    from ..numeric.gradient_check import gradcheck as run_gradcheck
    from ..numeric.loss_stand_ins import loss_trials
    from ..numeric.stand_ins import stand_in_trials
    from ..render.escape import json_text
    from ..render.numeric_reports import gradcheck_json, gradcheck_text

    s, net, grads = _load(spec)
    values = _point(spec, s, at)
    net = _with_stand_ins(s, net, values, defines)
    trials = [t for each in stand_in_trials(net) for t in loss_trials(each, grads)]
    runs = []
    for trial in trials:
        with progress_bar(check_count(trial.net, method), "checking") as tick:
            runs.append((trial, run_gradcheck(trial.net, trial.grads, values, seed=seed,
                                              method=method, progress=tick)))
    ok = all(report.ok for _, report in runs)
    if fmt == "json":
        data = [{**gradcheck_json(report), "stand_ins": dict(trial.net.stand_ins),
                 **({"stand_in_loss": {"name": _loss_name(net), "kind": trial.loss.name,
                                       "formula": trial.loss.formula}} if trial.loss else {})}
                for trial, report in runs]
        out: Any = data[0] if len(data) == 1 else {"ok": ok, "runs": data}
        write_output(json_text(out), None)
    else:
        unknown = [*net.functions, *([_loss_name(net)] if runs[0][0].loss else [])]
        heading = (f"the derivation holds for every {', '.join(unknown)}: checked with "
                   f"{len(runs)} stand-ins in turn\n\n" if len(runs) > 1 else "")
        write_output(heading + "\n".join(_stand_in_line(trial.net) + _loss_line(net, trial)
                                          + gradcheck_text(report)
                                          for trial, report in runs), None)
    if not ok:
        raise CheckFailed("")


def _loss_name(net: Any) -> str:
    """The name of an unspecified loss as the spec gives it (``loss: {name: C}``)."""
    return str(net.spec.loss.name or net.loss_symbol.name)


def _loss_line(net: Any, trial: Any) -> str:
    if trial.loss is None:
        return ""
    return (f"stand-in loss: {_loss_name(net)} = {trial.loss.name}, "
            f"{trial.loss.formula} (the loss is unspecified)\n")


def run() -> None:
    """The ``symbackprop`` command (and ``python -m symbackprop``): :data:`main` in a
    process that ends with it."""
    from .support import ends_with_command

    ends_with_command()
    main()


def _add_commands() -> None:
    """Commands that live in their own modules (each imports SymPy only when it runs)."""
    from .check import check
    from .codegen import codegen
    from .grade import grade
    from .names import names
    from .notes import graph, notes

    for command in (check, grade, notes, graph, codegen, names):
        main.add_command(command)


_add_commands()
