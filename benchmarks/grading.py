"""Benchmark: grading a class's answers with ``symbackprop check --answers``, in 1 and 2 jobs.

A class of N answers on seed 004's network is written to a CSV file: per parameter, the true
gradient in plain syntax and in LaTeX, wrong ones (sign, a constant factor, another
parameter's gradient, a missing factor), update rules (descent and ascent), and whole
derivations (seed 004's w5 and w1, with the learning rate and a weight varied). Every answer
differs in its text (a class hands in many identical answers, which are graded once; that
would flatter the figure), so N answers are N checks; with --distinct-expressions every
formula is also a new expression once read (the worst case for what a checker keeps between
answers). The command runs in a new process; its wall time, its CPU time (with its worker
processes) and the answers a minute are printed with the load average.

A second table times one derivation of 20 or more lines (seed 004's derivations of w5 and
w1 one after the other, with the forward pass, the update and a worked number for each),
checked with ``check --derivation`` in a new process (what a student waits for) and in this
process once the checker is built (what each further derivation costs a grader).

    python benchmarks/grading.py [--answers 10000] [--jobs 1,2] [--distinct-expressions]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sympy as sp

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "seed-004-mazur-2-2-2.yaml"
DERIVATIONS = ROOT / "tests" / "data" / "derivations"


def class_answers(count: int, *, distinct_expressions: bool = False) -> list[dict[str, str]]:
    """``count`` distinct answers, in the proportions a class might hand in.

    With ``distinct_expressions`` every formula is also a new expression (its gradient times
    ((θ + n)² − θ² − 2nθ)/n², which is 1 but is not simplified when read), and every
    derivation ends with such a line, so that nothing a checker keeps from one answer
    applies whole to another.
    """
    from symbackprop.network.build import build_network
    from symbackprop.network.derivation import derive
    from symbackprop.spec.load import load_spec

    net = build_network(load_spec(SPEC))
    grads = derive(net)
    params = list(net.params)
    latex = {s: net.latex_of(s) for s in net.latex_names}
    w5 = (DERIVATIONS / "seed-004-w5.tex").read_text(encoding="utf-8")
    w1 = (DERIVATIONS / "seed-004-w1.tex").read_text(encoding="utf-8")
    rates = ("\\alpha", "\\eta", "\\gamma", "\\epsilon", "\\lambda")
    rows = []
    for n in range(count):
        p = params[n % len(params)]
        g = grads.derivation(p).closed
        one = sp.Integer(1)
        if distinct_expressions:
            m = sp.Integer(n + 1)
            one = sp.Mul(sp.Add((p + m) ** 2, -p ** 2, -2 * m * p, evaluate=False),
                         sp.Pow(m ** 2, -1), evaluate=False)
            g = sp.Mul(g, one, evaluate=False)
        k = sp.Rational(n + 2, n + 1)  # makes each answer's text its own
        kind = n % 10
        row = {"id": f"s{n}", "param": p.name}
        if kind == 0:
            row["formula"] = sp.sstr(sp.Mul(k, g / k, evaluate=False))
        elif kind == 1:
            row["formula"] = sp.latex(sp.Mul(k, g / k, evaluate=False), symbol_names=latex)
        elif kind == 2:
            row["formula"] = sp.sstr(-g) + f" + 0*{n}"
        elif kind == 3:
            row["formula"] = sp.sstr(g * k)
        elif kind == 4:
            other = params[(n + 3) % len(params)]
            row["formula"] = sp.sstr(grads.derivation(other).closed) + f" + 0*{n}"
        elif kind == 5:
            row["formula"] = sp.sstr(sp.factor(g) / next(iter(sp.Mul.make_args(sp.factor(g)))))
            row["formula"] += f" + 0*{n}"
        elif kind == 6:
            sign = "-" if n % 20 == 6 else "+"
            factor = f"\\left({sp.latex(one)}\\right) " if distinct_expressions else ""
            row["formula"] = (f"{p.name}^{{+}} = {p.name} {sign} {rates[n % 5]} \\cdot {k} "
                              f"\\cdot \\frac{{1}}{{{k}}} {factor}\\frac{{\\partial E}}"
                              f"{{\\partial {p.name}}}")
        elif kind in (7, 8):
            row["derivation"] = w5.replace("\\alpha", rates[n % 5]) + f"\n% answer {n}\n"
            del row["param"]
        else:
            row["derivation"] = w1.replace("w_{6}]", "w_{7}]" if n % 3 else "w_{6}]") + \
                f"\n% answer {n}\n"
            del row["param"]
        if distinct_expressions and "derivation" in row:
            q = net.symbol_by_name["w5" if kind in (7, 8) else "w1"]
            last = sp.Mul(grads.derivation(q).closed, one.xreplace({p: q}), evaluate=False)
            row["derivation"] += (f"\\partial E_{{total}}/\\partial w_{{{q.name[1:]}}} = "
                                  f"{sp.sstr(last)}\n")
        rows.append(row)
    return rows


def long_derivation() -> str:
    """Seed 004's w5 and w1 derivations one after the other, with the forward pass and a
    worked value for each: over 20 lines, every one judged."""
    forward = [r"in_{h1} = w_{1} i_{1} + w_{2} i_{2} + b_{1}",
               r"out_{h1} = \frac{1}{1 + e^{-in_{h1}}}",
               r"in_{o1} = w_{5} out_{h1} + w_{6} out_{h2} + b_{2}",
               r"E_{total} = \frac{1}{2}(target_{o1} - out_{o1})^2 + "
               r"\frac{1}{2}(target_{o2} - out_{o2})^2"]
    worked = [r"\partial E_{total}/\partial w_{5} = 0.74136507 \cdot 0.186815602 \cdot "
              r"0.593269992 = 0.082167041",
              r"w_{5}^{+} = 0.4 - 0.5 \cdot 0.082167041 = 0.35891648"]
    parts = [(DERIVATIONS / f"seed-004-{p}.tex").read_text(encoding="utf-8")
             for p in ("w5", "w1")]
    return "\n".join([*forward, parts[0], *worked, parts[1]]) + "\n"


def derivation_rows(runs: int = 5) -> list[str]:
    """The time to check one long derivation: a new process, and in this process."""
    from symbackprop.check import Checker
    from symbackprop.network.build import build_network
    from symbackprop.spec.load import load_spec

    text = long_derivation()
    lines = sum(1 for line in text.splitlines() if line.strip() and not line.startswith("%"))
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.tex"
        path.write_text(text, encoding="utf-8")
        walls = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "symbackprop", "check", str(SPEC),
                            "--derivation", str(path)], capture_output=True, text=True)
            walls.append(time.perf_counter() - start)
        out.append(f"| new process | {lines} | {min(walls):.2f} s | "
                   f"{sorted(walls)[runs // 2]:.2f} s |")
    checker = Checker(build_network(load_spec(SPEC)))
    checker.check(None, text)  # the checker warmed up, as a grader's is
    inner = []
    rates = ("\\eta", "\\gamma", "\\epsilon", "\\lambda", "\\mu", "\\rho", "\\kappa")
    for k in range(runs):  # another student's: the rate named otherwise, a line added
        other = text.replace("\\alpha", rates[k % len(rates)]) + \
            f"\\partial E_{{total}}/\\partial w_{{5}} = {k + 2} \\cdot " \
            f"\\frac{{\\partial E_{{total}}}}{{\\partial w_{{5}}}} / {k + 2}\n"
        start = time.perf_counter()
        checker.check(None, other)
        inner.append(time.perf_counter() - start)
    out.append(f"| warmed checker (another version) | {lines} | {min(inner):.3f} s | "
               f"{sorted(inner)[runs // 2]:.3f} s |")
    return out


def grade(path: Path, jobs: int) -> tuple[float, float, str]:
    """Wall and CPU seconds of one ``check --answers`` run, and its summary line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "symbackprop", "check", str(SPEC),
                           "--answers", str(path), "--jobs", str(jobs)],
                          capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--distinct-expressions", action="store_true",
                        help="make every formula a new expression too (the worst case)")
    args = parser.parse_args()
    rows = class_answers(args.answers, distinct_expressions=args.distinct_expressions)
    print(f"{len(os.sched_getaffinity(0))} cores; load average "
          f"{os.getloadavg()[0]:.2f} at start")
    lines = ["| answers | jobs | wall | CPU (all processes) | answers a minute (wall) | "
             "answers a minute per core (CPU) | summary |",
             "|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "class.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=["id", "param", "formula", "derivation"])
            writer.writeheader()
            writer.writerows(rows)
        for jobs in (int(j) for j in args.jobs.split(",")):
            wall, cpu, summary = grade(path, jobs)
            lines.append(f"| {len(rows):,} | {jobs} | {wall:.1f} s | {cpu:.1f} s | "
                         f"{len(rows) / wall * 60:,.0f} | {len(rows) / cpu * 60:,.0f} | "
                         f"{summary} |")
            print(f"  graded with {jobs} jobs", file=sys.stderr)
    print("\n".join(lines))
    print("\nChecking one derivation with check --derivation (least and median of 5)\n")
    print("| where | lines | least | median |\n|---|---|---|---|")
    print("\n".join(derivation_rows()))
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
