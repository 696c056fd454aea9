"""The ``symbackprop codegen`` command: write a standalone NumPy gradient module."""

from __future__ import annotations

import click

from .support import progress_bar, reports_errors, write_output


@click.command("codegen")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--target", type=click.Choice(["numpy"]), default="numpy", show_default=True,
              help="The array library the module uses.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the module to this file (whole or not at all) instead of stdout.")
@click.option("--define", "defines", multiple=True, metavar="F=STAND_IN",
              help="Evaluate the unspecified function F as STAND_IN (tanh, sigmoid, sin, "
                   "softplus, linear); repeatable, and needed for every unspecified F.")
@reports_errors
def codegen(spec: str, target: str, output: str | None, defines: tuple[str, ...]) -> None:
    """Write a Python module with loss(params, x, t) and loss_and_grad(params, x, t) for SPEC.

    The module imports only NumPy, works on a batch of examples at once and checks its own
    gradient when run as a script. Layered networks get matrix code; any other network gets
    one line per net input, activation, δ and gradient.

    \b
    Examples:
      symbackprop codegen specs/seed-004-mazur-2-2-2.yaml -o grad.py
      python grad.py            # compares the gradient with central differences
    """
    from ..network.build import build_network
    from ..network.derivation import derive
    from ..numeric.codegen import count_steps, generate
    from ..spec.load import load_spec, parse_definitions

    loaded = load_spec(spec)
    net = build_network(loaded).with_stand_ins(parse_definitions(defines, loaded))
    grads = derive(net)
    with progress_bar(count_steps(net), "generating") as tick:
        module = generate(net, grads, target=target, progress=tick)
    write_output(module.source, output)
