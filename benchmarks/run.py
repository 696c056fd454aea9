"""Benchmarks: derivation, generated gradient code and gradient checks, side by side.

Run from the repository root (see benchmarks/README.md)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/run.py

Three tables are printed:

1. derivation time and emitted text size against the number of parameters, for symbackprop's
   δ-form and for naive SymPy (``diff`` of the fully substituted loss per parameter, run in a
   subprocess that is killed at the time limit);
2. the generated ``loss_and_grad`` of 784-30-10 at batch 1, 64 and 1024 against a hand-written
   NumPy backprop and PyTorch CPU autograd (when torch is installed), as ratios;
3. gradient-check time, full against directional.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "benchmarks" / "specs"
THREADS = 2  # BLAS and PyTorch threads (--threads; set before NumPy loads its BLAS)
SIZES = ("2-2-2", "4-4-4-1", "8-8-8-2", "16-16-16-4", "784-30-10", "784-100-100-10")
sys.path.insert(0, str(ROOT))


def spec_path(size: str) -> Path:
    return SPECS / f"mlp-{size}.yaml"


def median_time(func: Callable[[], Any], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[k]) for r in rows)) for k, h in enumerate(header)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + " |"
              for r in rows]
    return "\n".join(lines)


def size_text(n: int) -> str:
    for unit, scale in (("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


# ------------------------------------------------------------------------ 1. derivation


def delta_form(size: str) -> dict[str, Any]:
    """Median seconds of each stage of the δ-form derivation, and the size of its text.

    ``spec`` reads and validates the spec and builds the symbolic network (one symbol per
    quantity); ``derive`` is the derivation proper (one local derivative per activation, one
    output δ per output activation; each unit's recurrence and each parameter's gradient are
    built when asked); ``expand`` then builds every recurrence and every gradient.
    """
    from symbackprop.cli.support import collector_paused
    from symbackprop.network.build import build_network
    from symbackprop.network.derivation import derive
    from symbackprop.spec.load import load_spec

    stages: dict[str, list[float]] = {"spec": [], "derive": [], "expand": []}
    cpu: list[float] = []
    result: dict[str, Any] = {}
    for _ in range(3):
        result.pop("net", None)
        result.pop("rows", None)
        with collector_paused():  # as the commands build a network
            start, start_cpu = time.perf_counter(), time.process_time()
            net = build_network(load_spec(spec_path(size)))
            built = time.perf_counter()
            grads = derive(net)
            derived, derived_cpu = time.perf_counter(), time.process_time()
            result["rows"] = ([grads.deltas[u.name] for u in net.units],
                              [grads.gradient(p) for p in net.params])
            expanded = time.perf_counter()
        cpu.append(derived_cpu - start_cpu)
        stages["spec"].append(built - start)
        stages["derive"].append(derived - built)
        stages["expand"].append(expanded - derived)
        result["net"] = net
    deltas, gradients = result["rows"]
    net = result["net"]
    text = sum(len(f"{u.delta} = {d}") + 1 for u, d in zip(net.units, deltas, strict=True))
    text += sum(len(f"dE/d{p} = {g}") + 1 for p, g in zip(net.params, gradients, strict=True))
    out: dict[str, Any] = {k: statistics.median(v) for k, v in stages.items()}
    out.update(params=len(net.params), text=text, cpu=statistics.median(cpu))
    return out


def naive_worker(path: str) -> None:
    """Differentiate the fully substituted loss for every parameter; print time and size."""
    import sympy as sp

    from symbackprop.network.build import build_network
    from symbackprop.spec.load import load_spec

    net = build_network(load_spec(path))
    start = time.perf_counter()
    loss = net.substitute(net.loss)
    gradients = [sp.diff(loss, p) for p in net.params]
    seconds = time.perf_counter() - start
    text = sum(len(f"dE/d{p} = {g}") + 1 for p, g in zip(net.params, gradients, strict=True))
    print(json.dumps({"seconds": seconds, "text": text}))


def naive(size: str, limit: float) -> dict[str, Any] | None:
    """The naive route in a subprocess; None when it exceeds ``limit`` seconds."""
    try:
        done = subprocess.run([sys.executable, __file__, "--naive-worker", str(spec_path(size))],
                              capture_output=True, text=True, timeout=limit, check=True)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(done.stdout)


def derivation_table(limit: float, naive_max: int) -> str:
    rows = []
    for size in SIZES:
        d = delta_form(size)
        params, total = d["params"], d["spec"] + d["derive"] + d["expand"]
        row = [size, f"{params:,}", f"{d['spec']:.3f} s", f"{d['derive']:.3f} s",
               f"{d['cpu']:.3f} s", f"{d['expand']:.3f} s", size_text(d["text"])]
        if params > naive_max:
            row += ["not run", "", ""]
        else:
            result = naive(size, limit)
            if result is None:
                row += [f"> {limit:g} s", "", f"> {limit / total:,.0f}×"]
            else:
                row += [f"{result['seconds']:.2f} s", size_text(result["text"]),
                        f"{result['seconds'] / total:,.0f}×"]
        rows.append(row)
        print(f"  derived {size}", file=sys.stderr)
    return table(["network", "params", "spec → network", "derive", "both, CPU",
                  "every gradient", "δ-form text", "naive SymPy diff", "naive text",
                  "speed-up"], rows)


# ------------------------------------------------------------------------ 2. printing

PRINT_SIZES = ("16-16-16-4", "784-30-10", "784-100-100-10")
FORMATS = ("text", "json", "latex", "markdown")


# The command runs in a fresh interpreter that reports its own peak memory (VmHWM) when it
# exits: the rusage of a child also counts the benchmark process it was forked from.
LAUNCHER = """
import atexit, runpy, sys
def report():
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                sys.stderr.write("\\npeak-kB " + line.split()[1] + "\\n")
    except OSError:
        pass
atexit.register(report)
sys.argv = ["symbackprop", *sys.argv[1:]]
runpy.run_module("symbackprop", run_name="__main__")
"""


def cli_run(args: list[str]) -> tuple[float, int, float]:
    """Wall time, peak memory (bytes; 0 where /proc is missing) and CPU time (user +
    system) of ``symbackprop ARGS`` as a new process."""
    import os

    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(f"symbackprop {' '.join(args)} failed: {err}")
    peak = [line.split()[1] for line in err.splitlines() if line.startswith("peak-kB ")]
    return seconds, int(peak[-1]) * 1024 if peak else 0, usage.ru_utime + usage.ru_stime


def printing_table(runs: int) -> str:
    """``derive --form delta --format F -o FILE`` end to end, every format and size.

    Runs go round-robin (size, format, repeat) so that load from other processes falls on
    every cell alike; each cell gives the least and the median of ``runs`` runs, of wall
    time and of CPU time (the least is what the command costs when nothing else runs).
    """
    folder = Path(tempfile.mkdtemp(prefix="symbackprop-print-"))
    cells: dict[tuple[str, str], list[tuple[float, int, float]]] = {}
    for _ in range(runs):
        for size in PRINT_SIZES:
            for fmt in FORMATS:
                target = folder / f"{size}.{fmt}"
                cells.setdefault((size, fmt), []).append(cli_run(
                    ["derive", str(spec_path(size)), "--form", "delta", "--format", fmt,
                     "-o", str(target)]))
        print("  printed every size and format once", file=sys.stderr)
    rows = []
    for size in PRINT_SIZES:
        params = _param_count(size)
        for fmt in FORMATS:
            times = [t for t, _, _ in cells[(size, fmt)]]
            cpu = [c for _, _, c in cells[(size, fmt)]]
            memory = max(m for _, m, _ in cells[(size, fmt)])
            written = (folder / f"{size}.{fmt}").stat().st_size
            rows.append([size, f"{params:,}", fmt, f"{min(times):.2f} s",
                         f"{statistics.median(times):.2f} s", f"{min(cpu):.2f} s",
                         f"{statistics.median(cpu):.2f} s", size_text(written),
                         f"{written / params:.0f}", f"{memory / 1e6:.0f} MB"])
    return table(["network", "params", "format", "wall min", "wall median", "CPU min",
                  "CPU median", "output", "bytes / param", "peak memory"], rows)


def _param_count(size: str) -> int:
    sizes = [int(n) for n in size.split("-")]
    return sum(a * b + b for a, b in itertools.pairwise(sizes))


# ------------------------------------------------------------------- 3. gradient code


def generated_module(size: str) -> Any:
    """The codegen module of ``size``, written to a temporary file and imported."""
    import importlib.util

    from symbackprop.network.build import build_network
    from symbackprop.network.derivation import derive
    from symbackprop.numeric.codegen import generate
    from symbackprop.spec.load import load_spec

    net = build_network(load_spec(spec_path(size)))
    folder = Path(tempfile.mkdtemp(prefix="symbackprop-bench-"))
    target = folder / "grad.py"
    target.write_text(generate(net, derive(net)).source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("grad", target)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.SOURCE = target.read_text(encoding="utf-8")
    return module


def handwritten(theta: np.ndarray, x: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
    """A plain NumPy backprop of 784-30-10 (sigmoid, ½ squared error, batch mean)."""
    W1 = theta[:23520].reshape(30, 784)
    b1 = theta[23520:23550]
    W2 = theta[23550:23850].reshape(10, 30)
    b2 = theta[23850:]
    a1 = 1.0 / (1.0 + np.exp(-(x @ W1.T + b1)))
    a2 = 1.0 / (1.0 + np.exp(-(a1 @ W2.T + b2)))
    m = x.shape[0]
    d2 = (a2 - t) * a2 * (1.0 - a2) / m
    d1 = (d2 @ W2) * a1 * (1.0 - a1)
    g = np.concatenate([(d1.T @ x).ravel(), d1.sum(0), (d2.T @ a1).ravel(), d2.sum(0)])
    return float(0.5 * np.sum((t - a2) ** 2) / m), g


def torch_function() -> Callable[[np.ndarray, np.ndarray, np.ndarray], Any] | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(THREADS)

    def step(theta: Any, x: Any, t: Any) -> Any:
        W1 = theta[:23520].view(30, 784)
        b1 = theta[23520:23550]
        W2 = theta[23550:23850].view(10, 30)
        b2 = theta[23850:]
        a1 = torch.sigmoid(x @ W1.T + b1)
        a2 = torch.sigmoid(a1 @ W2.T + b2)
        loss = 0.5 * ((t - a2) ** 2).sum() / x.shape[0]
        (g,) = torch.autograd.grad(loss, theta)
        return loss, g

    return step


def per_call(*funcs: Callable[[], Any], rounds: int = 7) -> list[float]:
    """Milliseconds per call of each function: the best of ``rounds`` rounds, where one
    round times every function in turn (so load from other processes falls on all alike)."""
    timers = [timeit.Timer(f) for f in funcs]
    numbers = [t.autorange()[0] for t in timers]
    best = [float("inf")] * len(funcs)
    for _ in range(rounds):
        for k, (timer, number) in enumerate(zip(timers, numbers, strict=True)):
            best[k] = min(best[k], timer.timeit(number) / number * 1e3)
    return best


def gradient_table() -> tuple[str, str]:
    mod = generated_module("784-30-10")
    step = torch_function()
    rng = np.random.default_rng(0)
    theta = rng.uniform(-1, 1, 23860) * np.where(np.arange(23860) < 23520, 4 / 28, 1.0)
    rows = []
    for batch in (1, 64, 1024):
        x = rng.uniform(-2, 2, (batch, 784))
        t = rng.uniform(0.05, 0.95, (batch, 10))
        ours_loss, ours = mod.loss_and_grad(theta, x, t)
        ref_loss, ref = handwritten(theta, x, t)
        assert np.allclose(ours, ref, rtol=1e-9, atol=1e-15) and np.isclose(ours_loss, ref_loss)
        funcs = [lambda x=x, t=t: mod.loss_and_grad(theta, x, t),
                 lambda x=x, t=t: handwritten(theta, x, t)]
        if step is not None:
            import torch

            tt = torch.tensor(theta, requires_grad=True)
            tx, tt_ = torch.tensor(x), torch.tensor(t)
            _, g = step(tt, tx, tt_)
            assert np.allclose(g.numpy(), ours, rtol=1e-9, atol=1e-15)
            funcs.append(lambda tx=tx, tt_=tt_, tt=tt: step(tt, tx, tt_))
        gen, hand, *rest = per_call(*funcs)
        row = [str(batch), f"{gen:.3f}", f"{hand:.3f}", f"{gen / hand:.2f}"]
        if rest:
            row += [f"{rest[0]:.3f}", f"{gen / rest[0]:.2f}"]
        else:
            row += ["—", "—"]
        rows.append(row)
        print(f"  timed batch {batch}", file=sys.stderr)
    note = (f"Generated module: {size_text(len(mod.SOURCE))} of source."
            + ("" if step is not None else " PyTorch is not installed: its columns are empty "
               "(`pip install torch` to fill them)."))
    return table(["batch", "generated ms", "hand NumPy ms", "gen / hand", "PyTorch ms",
                  "gen / PyTorch"], rows), note


# ---------------------------------------------------------------------- 4. gradcheck


def gradcheck_table() -> str:
    from symbackprop.network.build import build_network
    from symbackprop.network.derivation import derive
    from symbackprop.numeric.gradient_check import gradcheck
    from symbackprop.spec.load import load_spec

    rows = []
    for size in ("8-8-8-2", "784-30-10", "784-100-100-10"):
        net = build_network(load_spec(spec_path(size)))
        grads = derive(net)
        row = [size, f"{len(net.params):,}"]
        for method in ("full", "directional"):
            start = time.perf_counter()
            report = gradcheck(net, grads, method=method)
            seconds = time.perf_counter() - start
            assert report.ok
            precision = "float64" if "float64" in report.rule else "40 digits"
            row.append(f"{seconds:.2f} s ({len(report.parameters)} params, {precision})")
        rows.append(row)
        print(f"  checked {size}", file=sys.stderr)
    return table(["network", "params", "full", "directional (8 directions + sample)"], rows)


def blas() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown BLAS"
    infos = [f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')}, "
             f"{i.get('num_threads')} threads)" for i in threadpool_info()
             if i.get("user_api") == "blas"]
    return "; ".join(infos) or "unknown BLAS"


def _limit_blas_threads(threads: int) -> None:
    """NumPy's BLAS threads, through threadpoolctl when it is installed."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(threads, user_api="blas")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=float, default=60.0,
                        help="seconds allowed to the naive SymPy route per network")
    parser.add_argument("--naive-max-params", type=int, default=5000,
                        help="do not run the naive route above this many parameters")
    parser.add_argument("--runs", type=int, default=5,
                        help="runs of every printing command (the table shows the least and "
                             "the median)")
    parser.add_argument("--threads", type=int, default=2,
                        help="threads for NumPy's BLAS and for PyTorch in the gradient table")
    parser.add_argument("--sections", default="derive,print,code,check",
                        help="which tables to measure (comma-separated)")
    parser.add_argument("--naive-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    global THREADS
    THREADS = args.threads
    _limit_blas_threads(args.threads)
    if args.naive_worker:
        naive_worker(args.naive_worker)
        return
    import os

    sections = set(args.sections.split(","))
    print(f"numpy {np.__version__}; {blas()}; load average {os.getloadavg()[0]:.2f} at start")
    if "derive" in sections:
        print("\nDerivation (median of 3; naive route in a subprocess with a time limit)\n")
        print(derivation_table(args.limit, args.naive_max_params))
    if "print" in sections:
        print(f"\nPrinting every gradient: derive --form delta -o FILE, a new process each "
              f"run (least and median of {args.runs})\n")
        print(printing_table(args.runs))
    if "code" in sections:
        print(f"\nGradient of 784-30-10, ms per loss_and_grad (best of 7 interleaved rounds; "
              f"{THREADS} thread{'s' if THREADS > 1 else ''})\n")
        grad_table, note = gradient_table()
        print(grad_table)
        print(f"\n{note}")
    if "check" in sections:
        print("\nGradient check at a random point, after the derivation\n")
        print(gradcheck_table())
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
