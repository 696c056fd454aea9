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


def delta_form(size: str) -> tuple[int, float, int]:
    """Parameters, median seconds for spec → δ recurrences → every gradient, text size."""
    from symbackprop.network.build import build_network
    from symbackprop.network.derivation import derive
    from symbackprop.spec.load import load_spec

    result: dict[str, Any] = {}

    def run() -> None:
        net = build_network(load_spec(spec_path(size)))
        grads = derive(net)
        result["rows"] = ([grads.deltas[u.name] for u in net.units],
                          [grads.gradient(p) for p in net.params])
        result["net"] = net

    seconds = median_time(run)
    deltas, gradients = result["rows"]
    net = result["net"]
    text = sum(len(f"{u.delta} = {d}") + 1 for u, d in zip(net.units, deltas, strict=True))
    text += sum(len(f"dE/d{p} = {g}") + 1 for p, g in zip(net.params, gradients, strict=True))
    return len(net.params), seconds, text


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
        params, seconds, text = delta_form(size)
        row = [size, f"{params:,}", f"{seconds:.3f} s", size_text(text)]
        if params > naive_max:
            row += ["not run", "", ""]
        else:
            result = naive(size, limit)
            if result is None:
                row += [f"> {limit:g} s", "", f"> {limit / seconds:,.0f}×"]
            else:
                row += [f"{result['seconds']:.2f} s", size_text(result["text"]),
                        f"{result['seconds'] / seconds:,.0f}×"]
        rows.append(row)
        print(f"  derived {size}", file=sys.stderr)
    return table(["network", "params", "δ-form derive", "δ-form text", "naive SymPy diff",
                  "naive text", "speed-up"], rows)


# ------------------------------------------------------------------- 2. gradient code


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
    torch.set_num_threads(2)

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


def per_call(func: Callable[[], Any]) -> float:
    """Best over 5 repeats of the mean time per call, in milliseconds."""
    timer = timeit.Timer(func)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=5, number=number)) / number * 1e3


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
        gen = per_call(lambda x=x, t=t: mod.loss_and_grad(theta, x, t))
        hand = per_call(lambda x=x, t=t: handwritten(theta, x, t))
        row = [str(batch), f"{gen:.3f}", f"{hand:.3f}", f"{gen / hand:.2f}"]
        if step is not None:
            import torch

            tt = torch.tensor(theta, requires_grad=True)
            tx, tt_ = torch.tensor(x), torch.tensor(t)
            _, g = step(tt, tx, tt_)
            assert np.allclose(g.numpy(), ours, rtol=1e-9, atol=1e-15)
            torch_ms = per_call(lambda tx=tx, tt_=tt_, tt=tt: step(tt, tx, tt_))
            row += [f"{torch_ms:.3f}", f"{gen / torch_ms:.2f}"]
        else:
            row += ["—", "—"]
        rows.append(row)
        print(f"  timed batch {batch}", file=sys.stderr)
    note = ("" if step is not None else
            "PyTorch is not installed: its columns are empty (`pip install torch` to fill them).")
    return table(["batch", "generated ms", "hand NumPy ms", "gen / hand", "PyTorch ms",
                  "gen / PyTorch"], rows), note


# ---------------------------------------------------------------------- 3. gradcheck


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=float, default=60.0,
                        help="seconds allowed to the naive SymPy route per network")
    parser.add_argument("--naive-max-params", type=int, default=5000,
                        help="do not run the naive route above this many parameters")
    parser.add_argument("--naive-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive_worker:
        naive_worker(args.naive_worker)
        return
    print(f"numpy {np.__version__}; {blas()}")
    print("\nDerivation (median of 3; naive route in a subprocess with a time limit)\n")
    print(derivation_table(args.limit, args.naive_max_params))
    print("\nGradient of 784-30-10, ms per loss_and_grad (best of 5)\n")
    grad_table, note = gradient_table()
    print(grad_table)
    if note:
        print(f"\n{note}")
    print("\nGradient check at a random point\n")
    print(gradcheck_table())


if __name__ == "__main__":
    main()
