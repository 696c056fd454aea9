"""The ``check`` command: verdicts on hand-written formulas and derivations, one or a class."""

from __future__ import annotations

import click

from ..check.grading.limits import DEFAULT_CPU_SECONDS, DEFAULT_MEMORY_MB
from ..check.reading.vocabulary import SYNTAXES
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
                 \frac{\partial w_7}{\partial h_1}\frac{\partial o_2}{\partial w_7}
                 \frac{\partial L}{\partial o_2} + \frac{\partial h_1}{\partial w_1}
                 \frac{\partial w_5}{\partial h_1}\frac{\partial o_1}{\partial w_5}
                 \frac{\partial L}{\partial o_1}'
  symbackprop check specs/seed-004-mazur-2-2-2.yaml \
      --formula 'w_{5}^{+} = w_{5} - \alpha \partial E_{total}/\partial w_{5}'
  symbackprop check specs/seed-004-mazur-2-2-2.yaml --derivation steps.tex
  symbackprop check specs/seed-004-mazur-2-2-2.yaml --answers class.csv --jobs 2 \
      --format csv --summary mistakes.csv

\b
A derivation has one step per line (LaTeX or plain; align, &= and \\ are understood, and a
line starting with = continues the one before). Each step is checked; the report names the
first wrong line and marks later lines that only inherit its error as consequences. Words
around a step (Let … then, Step 3:, a closing period, # comments, list marks) are set aside;
a line that still cannot be read is UNREAD, with the reason, never the first wrong line, and
the verdict says how many lines were not judged.

Exit status: 0 correct (or all answers graded), 1 incorrect, 2 unreadable input.
""".replace("\\b\n", "\b\n")


@click.command("check", epilog=EPILOG)
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--param", "-p", help="The parameter whose gradient the formula claims to be "
              "(not needed when the formula starts with ∂L/∂param =); a generic w, b or θ "
              "in a formula stands for it.")
@click.option("--formula", "-f", help="The formula, in plain math or LaTeX (A = B = C, and "
              "update rules, too).")
@click.option("--formula-file", type=click.Path(dir_okay=False),
              help="Read the formula from a file instead ('-' for stdin).")
@click.option("--derivation", "-d", type=click.Path(dir_okay=False),
              help="Check a derivation, one step per line, from a file ('-' for stdin).")
@click.option("--answers", "-a", type=click.Path(dir_okay=False),
              help="Grade many answers: a YAML or CSV file with id and param, formula or "
                   "derivation.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes for --answers.")
@click.option("--answer-cpu", type=click.IntRange(0, 86_400), default=DEFAULT_CPU_SECONDS,
              show_default=True, metavar="SECONDS",
              help="CPU seconds one answer may take to check (0: no limit); an answer over "
                   "it is reported as too long to check.")
@click.option("--answer-memory", type=click.IntRange(0, 1_048_576), default=DEFAULT_MEMORY_MB,
              show_default=True, metavar="MB",
              help="Megabytes of memory the process checking one answer may hold, the "
                   "checker's own included (0: no limit).")
@click.option("--syntax", type=click.Choice(SYNTAXES), default="auto", show_default=True,
              help="How to read formulas (an answers row may give its own).")
@click.option("--format", "fmt", type=click.Choice(("text", "json", "csv")), default="text",
              show_default=True, help="Output format (csv only with --answers).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the random evaluation points.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the report to this file instead of stdout.")
@click.option("--summary", type=click.Path(dir_okay=False),
              help="With --answers: also write the class summary as CSV to this file (how "
                   "many answers made each mistake, by diagnosis code).")
@reports_errors
def check(spec: str, param: str | None, formula: str | None, formula_file: str | None,
          derivation: str | None, answers: str | None, jobs: int, answer_cpu: int,
          answer_memory: int, syntax: str, fmt: str, seed: int, output: str | None,
          summary: str | None) -> None:
    """Check a hand-written formula or derivation against the exact gradients of SPEC.

    Each step is evaluated at many random points in 50-digit arithmetic (numbers at the
    spec's worked example), with a symbolic check where it succeeds. A wrong step gets a
    counterexample and a diagnosis: another parameter's gradient, a swapped symbol, a sign,
    a constant factor, a missing activation-derivative factor or path, gradient ascent in
    an update rule. Chains of ∂A/∂B factors are checked factor by factor against the
    network's graph; formulas with free indices (w^{l}_{jk}) for every index value.
    Each answer is checked under a CPU-time and a memory limit (docs/limits.md).
    """
    from ..check import check_derivation, check_formula, grade_answers, render_check, render_grades
    from ..check.grading.limits import AnswerLimits, run_limited
    from ..check.judging.verdict import checker_for

    given = [x for x in (formula, formula_file, derivation, answers) if x is not None]
    if len(given) != 1:
        raise InputError("give exactly one of --formula, --formula-file, --derivation or "
                          "--answers")
    if answers is not None and param is not None:
        raise InputError("--param is for one formula; each answer names its own param")
    if fmt == "csv" and answers is None:
        raise InputError("--format csv is for --answers; use text or json")
    if jobs > 1 and answers is None:
        raise InputError("--jobs is for --answers")
    if summary is not None and answers is None:
        raise InputError("--summary is for --answers")
    limits = AnswerLimits(answer_cpu, answer_memory)
    if answers is not None:
        from ..check.grading.report import render_mistakes

        rows = grade_answers(spec, answers, seed=seed, syntax=syntax, jobs=jobs,
                             limits=limits)
        write_output(render_grades(rows, fmt), output)
        if summary is not None:
            write_output(render_mistakes(rows), summary)
        return
    if derivation is not None:
        text = _read_text(derivation, "derivation")
        checker = checker_for(spec, seed=seed)
        result = run_limited(lambda: check_derivation(checker, text, param=param,
                                                      syntax=syntax), limits)
    else:
        text = formula if formula is not None else _read_text(str(formula_file), "formula")
        checker = checker_for(spec, seed=seed)
        result = run_limited(lambda: check_formula(checker, param, text, syntax=syntax),
                             limits)
    write_output(render_check(result, fmt), output)
    if not result.correct:
        raise CheckFailed("")


def _read_text(path: str, what: str) -> str:
    """The text in ``path`` (``-``: stdin), read only up to a bound and never waiting on a
    FIFO without a writer (:mod:`symbackprop.input_files`); a file that cannot be read is a
    :class:`SpecError` naming it, the field and what to do."""
    from ..errors import SpecError
    from ..input_files import read_input, shown_name

    option = "--derivation" if what == "derivation" else "--formula-file"
    try:
        data = read_input(path, MAX_FORMULA_FILE_BYTES, what=f"the {what} file",
                          hint=f"a {what} file holds one answer; a class's answers go in "
                               "a file for --answers")
    except SpecError as exc:
        raise SpecError(f"cannot read the {what}: {exc.message}", file=exc.file,
                        line=exc.line, field=option, hint=exc.hint) from None
    try:
        return data.decode("utf-8").rstrip()  # leading blank lines keep line numbers
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SpecError(f"cannot read the {what}: not UTF-8 text", file=shown_name(path),
                        line=line, field=option, hint="save it as UTF-8") from None
    try:
        return data.decode("utf-8").rstrip()  # leading blank lines keep line numbers
    except UnicodeDecodeError:
        raise InputError(f"{shown_name(path)}: cannot read the {what} (not UTF-8 text)"
                         ) from None
