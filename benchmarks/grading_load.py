"""Load test: many submissions of ten answers each, graded under the per-answer limits.

Each synthetic submission on seed 004's network holds nine ordinary answers (right and wrong
formulas, update rules and derivations, as in benchmarks/grading.py, every one distinct) and
one hostile answer, in turn: parentheses nested to the parser's bound, a huge exponent
(w5^{10^9}), a 5,000-digit integer, a giant sum (2,400 terms, near the token bound), and a
sum of 64th powers. One submission in ``--costly-every`` also holds the costliest answer
known (three nested ∂/∂w5 over twenty distinct σ factors, three minutes of CPU without a
limit), which takes its whole CPU allowance and is reported as too long to check. The
submissions are generated from a fixed seed, so every run grades the same answers.

All answers are graded as one class (distinct texts, so none is graded twice) with the
default limits (10 CPU seconds and 512 MB an answer) in ``--jobs`` workers. Printed: the
answers a minute per core (CPU time of this process and its workers), the median and p95
CPU latency per answer, the peak resident memory of any process, and the verdicts; and,
for the ordinary answers alone, the answers a minute per core without limits (checked in
this process, as before limits existed) and with them (in a worker), which is what the
isolation costs.

    python benchmarks/grading_load.py [--submissions 1000] [--jobs 1] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

SPEC = ROOT / "specs" / "seed-004-mazur-2-2-2.yaml"
COSTLY = (r"\frac{\partial}{\partial w_5}" * 3 + r"\left(" +
          "".join(rf"\sigma(w_5 i_1 + {k} w_1)" for k in range(1, 21)) + r"\right)")
PARAMS = ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2")


def hostile(n: int, rng: random.Random) -> dict[str, str]:
    """The n-th submission's hostile answer (each text its own)."""
    param = PARAMS[n % len(PARAMS)]
    kind = n % 5
    if kind == 0:
        depth = 55 + n % 10  # up to and past the parser's bound of 60
        formula = "(" * depth + f"w5 + {n}" + ")" * depth
    elif kind == 1:
        formula = f"w5^{{10^{{9}}}} + {n}"
    elif kind == 2:
        formula = "".join(rng.choice("123456789") for _ in range(5000)) + f"*w5 + {n}"
    elif kind == 3:
        formula = " + ".join(f"{rng.randint(1, 99)}*w{1 + k % 8}*out_h{1 + k % 2}"
                             for k in range(600)) + f" + {n}"
    else:
        formula = " + ".join(f"(w{k} + out_h1 + {n})^64" for k in range(1, 9))
    return {"param": param, "formula": formula}


def submissions(count: int, costly_every: int) -> list[dict[str, str]]:
    """``count`` submissions of ten answers, as rows of one class."""
    from grading import class_answers

    ordinary = class_answers(count * 9)
    rng = random.Random(23)
    rows: list[dict[str, str]] = []
    for n in range(count):
        mine = [dict(row, id=f"sub{n}-{k}") for k, row in
                enumerate(ordinary[n * 9:(n + 1) * 9])]
        bad = dict(hostile(n, rng), id=f"sub{n}-9")
        if costly_every and n % costly_every == costly_every - 1:
            bad = {"id": f"sub{n}-9", "param": "w5", "formula": COSTLY + f" + {n}"}
        rows += [*mine, bad]
    return rows


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def grade(rows: list[dict[str, str]], *, jobs: int, limited: bool
          ) -> tuple[float, float, list[float], Counter[str]]:
    """Wall and CPU seconds, each answer's CPU seconds (limited) and the verdicts."""
    from symbackprop.check.grading.answers import grade as grade_one
    from symbackprop.check.grading.grading import _key
    from symbackprop.check.grading.limits import AnswerLimits
    from symbackprop.check.grading.parallel import grade_keys
    from symbackprop.check.judging.verdict import checker_for

    keys = [k for _, k in (_key(n, row, "auto") for n, row in enumerate(rows, 1))
            if isinstance(k, tuple)]
    start_wall, start_cpu = time.perf_counter(), cpu()
    if limited:
        graded = grade_keys(SPEC, keys, seed=0, jobs=jobs, limits=AnswerLimits())
        verdicts = Counter(r.verdict if r.verdict != "error" or "to check" not in (r.error or "")
                           else r.error.split(" (")[0] for r in graded.rows.values())
        seconds = list(graded.seconds.values())
    else:
        checker = checker_for(SPEC)
        verdicts = Counter(grade_one(checker, key).verdict for key in keys)
        seconds = []
    return time.perf_counter() - start_wall, cpu() - start_cpu, seconds, verdicts


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def one_run(rows_file: Path, run: str, jobs: int) -> str:
    """One row of the table, measured in a new process (so that no run inherits what an
    earlier one left in memory)."""
    import subprocess

    done = subprocess.run([sys.executable, __file__, "--rows", str(rows_file), "--run", run,
                           "--jobs", str(jobs)], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def measure(rows_file: Path, run: str, jobs: int) -> None:
    rows = json.loads(rows_file.read_text(encoding="utf-8"))
    if run != "all":
        rows = [r for r in rows if not r["id"].endswith("-9")]
    limited = run != "ordinary-unlimited"
    wall, spent, seconds, verdicts = grade(rows, jobs=jobs, limited=limited)
    latency = (f"{statistics.median(seconds) * 1000:.1f} / "
               f"{statistics.quantiles(seconds, n=20)[-1] * 1000:.1f} ms" if seconds else "")
    what = "all" if run == "all" else "ordinary"
    print(f"| {len(rows):,} {what} | {'10 s, 768 MB' if limited else 'none'} | {jobs} | "
          f"{wall:.1f} s | {spent:.1f} s | {len(rows) / spent * 60:,.0f} | {latency} | "
          f"{peak_mb():.0f} MB | {', '.join(f'{v} {k}' for k, v in sorted(verdicts.items()))} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--costly-every", type=int, default=50,
                        help="one submission in N holds the costliest answer (0: none)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--quick", action="store_true",
                        help="100 submissions, two with the costliest answer")
    parser.add_argument("--rows", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        measure(args.rows, args.run, args.jobs)
        return
    if args.quick:
        args.submissions = 100
    rows = submissions(args.submissions, args.costly_every)
    print(f"{len(os.sched_getaffinity(0))} cores; load average "
          f"{os.getloadavg()[0]:.2f} at start")
    lines = ["| answers | limits | jobs | wall | CPU (all processes) | answers a minute per "
             "core (CPU) | median / p95 CPU per answer | peak RSS | verdicts |",
             "|---|---|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        rows_file = Path(tmp) / "rows.json"
        rows_file.write_text(json.dumps(rows), encoding="utf-8")
        for run, jobs in (("ordinary-unlimited", 1), ("ordinary", 1), ("all", args.jobs)):
            lines.append(one_run(rows_file, run, jobs))
            print(f"  measured {run}", file=sys.stderr)
    print("\n".join(lines))
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
