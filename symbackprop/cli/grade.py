"""The ``grade`` command: one student's submission against an assignment, as an autograder
platform reads the results."""

from __future__ import annotations

import click

from .support import reports_errors, write_output

EPILOG = r"""
Examples:

\b
  symbackprop grade assignment.yaml answers.yaml -o results.json --format gradescope
  symbackprop grade /grade/serverFilesCourse/assignment.yaml /grade/student/answers.tex \
      -o /grade/results/results.json --format prairielearn

\b
The assignment names the spec, the questions (a parameter's gradient, a quantity, or a
derivation), their points and partial credit by diagnosis code; the submission is a YAML or
CSV file of answers (id = the question's id), or a .tex/.md derivation with one section per
question opened by `% question: q1` or `<!-- question: q1 -->` (docs/autograder.md).

Exit status: 0 whenever grading ran, whatever the grade (a missing or unreadable answer
scores 0 with the reason, in the results file); 2 for an assignment or spec that cannot be
read.
""".replace("\\b\n", "\b\n")


@click.command("grade", epilog=EPILOG)
@click.argument("assignment", type=click.Path(dir_okay=False))
@click.argument("submission", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(("gradescope", "prairielearn", "json")),
              default="json", show_default=True, help="Results as this platform reads them.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the random evaluation points.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the results to this file instead of stdout.")
@reports_errors
def grade(assignment: str, submission: str, fmt: str, seed: int, output: str | None) -> None:
    """Grade SUBMISSION, one student's answers, against ASSIGNMENT: a score per question,
    with the verdict, the diagnosis and its codes, and a counterexample."""
    from ..check.grading.autograder import grade_submission, render_results

    graded = grade_submission(assignment, submission, seed=seed)
    write_output(render_results(graded, fmt), output)
