"""The ``check`` command: verdicts on hand-written gradient formulas, one or a whole class."""

from __future__ import annotations

from pathlib import Path

import click

from ..check.tokens import SYNTAXES
from .support import CheckFailed, InputError, reports_errors, write_output

MAX_FORMULA_FILE_BYTES = 1_000_000

EPILOG = r"""
Examples:

\b
  symbackprop check specs/seed-004-mazur-2-2-2.yaml --param w5 \
      --formula '-(target_o1 - out_o1)*out_o1*(1-out_o1)*out_h1'
  symbackprop check specs/seed-004-mazur-2-2-2.yaml --param w1 --format json \
      --formula '-(target_{o1}-out_{o1})\,out_{o1}(1-out_{o1})\,w_{5}\,out_{h1}(1-out_{h1})\,i_{1}'
  symbackprop check specs/seed-003-stackexchange-2-2-2.yaml \
      --formula '\frac{\partial L}{\partial w_1} = \frac{\partial h_1}{\partial w_1}
                 \frac{\partial o_1}{\partial h_1}\frac{\partial L}{\partial o_1} + ...'
  symbackprop check specs/seed-004-mazur-2-2-2.yaml --answers class.csv --format csv

Exit status: 0 correct (or all answers graded), 1 incorrect, 2 unreadable input.
""".replace("\\b\n", "\b\n")


@click.command("check", epilog=EPILOG)
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--param", "-p", help="The parameter whose gradient the formula claims to be "
              "(not needed when the formula starts with ∂L/∂param =).")
@click.option("--formula", "-f", help="The formula, in plain math or LaTeX.")
@click.option("--formula-file", type=click.Path(dir_okay=False),
              help="Read the formula from a file instead ('-' for stdin).")
@click.option("--answers", "-a", type=click.Path(dir_okay=False),
              help="Grade many answers: a YAML or CSV file with id, param, formula.")
@click.option("--syntax", type=click.Choice(SYNTAXES), default="auto", show_default=True,
              help="How to read formulas (an answers row may give its own).")
@click.option("--format", "fmt", type=click.Choice(("text", "json", "csv")), default="text",
              show_default=True, help="Output format (csv only with --answers).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the random evaluation points.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the report to this file instead of stdout.")
@reports_errors
def check(spec: str, param: str | None, formula: str | None, formula_file: str | None,
          answers: str | None, syntax: str, fmt: str, seed: int, output: str | None) -> None:
    """Check a hand-written gradient formula against the exact gradient of SPEC.

    The verdict comes from evaluation at many random points in 50-digit arithmetic, with a
    symbolic check where it succeeds. A wrong formula gets a counterexample and a diagnosis:
    another parameter's gradient, a swapped symbol, a sign, a constant factor, a missing
    activation-derivative factor or a missing path. Chains of ∂A/∂B factors are checked
    factor by factor against the network's graph.
    """
    from ..check import check_formula, grade_answers, render_check, render_grades

    given = [x for x in (formula, formula_file, answers) if x is not None]
    if len(given) != 1:
        raise InputError("give exactly one of --formula, --formula-file or --answers")
    if answers is not None and param is not None:
        raise InputError("--param is for one formula; each answer names its own param")
    if fmt == "csv" and answers is None:
        raise InputError("--format csv is for --answers; use text or json")
    if answers is not None:
        rows = grade_answers(spec, answers, seed=seed, syntax=syntax)
        write_output(render_grades(rows, fmt), output)
        return
    text = formula if formula is not None else _read_formula(str(formula_file))
    result = check_formula(spec, param, text, syntax=syntax, seed=seed)
    write_output(render_check(result, fmt), output)
    if not result.correct:
        raise CheckFailed("")


def _read_formula(path: str) -> str:
    """The formula in ``path`` (or stdin), read only up to a bound."""
    if path == "-":
        data = click.get_text_stream("stdin").read(MAX_FORMULA_FILE_BYTES + 1)
    else:
        try:
            with Path(path).open(encoding="utf-8") as fh:
                data = fh.read(MAX_FORMULA_FILE_BYTES + 1)
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read the formula ({exc})") from None
    if len(data) > MAX_FORMULA_FILE_BYTES:
        raise InputError(f"{path}: the formula file is larger than "
                         f"{MAX_FORMULA_FILE_BYTES} bytes")
    return data.strip()
