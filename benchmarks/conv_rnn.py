"""Convolution and recurrence at scale: LeNet-5 and a 100-step RNN through the commands, each
in a new process with a time limit (wall time, CPU time, peak memory).

Run from the repository root (see benchmarks/README.md)::

    python benchmarks/conv_rnn.py [--limit SECONDS] [--networks lenet,rnn] [--quick]

Rows: ``benchmarks/specs/lenet-mnist.yaml`` (LeNet-5 on a 28×28 input) printed with every
gradient in index form (``derive --form delta --format text -o``), checked with ``gradcheck --method
directional``, and its ``codegen`` module's ``loss_and_grad`` at batch 64 against the same
network in PyTorch (where torch is installed); an RNN of 100 steps, 50 inputs, 64 hidden units
and 50 softmax outputs (``kind: recurrent``) printed with every gradient. A command still
running at the limit is stopped and its row says so. ``--quick`` runs the same rows on tiny
networks (about a minute on a loaded two-core machine; the targets are for the full sizes).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from run import LAUNCHER, ROOT, size_text, table

LENET = ROOT / "benchmarks" / "specs" / "lenet-mnist.yaml"
TARGETS = {"derive": (3.0, 1e9), "gradcheck": (5.0, None), "rnn": (2.0, None)}
TORCH_RATIO = 1.5
BATCH = 64


def lenet_spec(folder: Path, side: int, filters: tuple[int, int],
               dense: tuple[int, int]) -> Path:
    """LeNet-5's layers on a side×side input, with fewer filters and units for ``--quick``."""
    path = folder / f"lenet-{side}.yaml"
    path.write_text(
        f"inputs: {{shape: [1, {side}, {side}]}}\n"
        "layers:\n"
        f"  - {{kind: conv2d, filters: {filters[0]}, kernel: 5, padding: 2, "
        "activation: sigmoid}\n"
        "  - {kind: avg_pool, kernel: 2, stride: 2}\n"
        f"  - {{kind: conv2d, filters: {filters[1]}, kernel: 5, activation: sigmoid}}\n"
        "  - {kind: avg_pool, kernel: 2, stride: 2}\n"
        f"  - {{units: {dense[0]}, activation: sigmoid}}\n"
        f"  - {{units: {dense[1]}, activation: sigmoid}}\n"
        "  - {units: 10, activation: softmax}\n"
        "loss: cross_entropy\n", encoding="utf-8")
    return path


def rnn_spec(folder: Path, steps: int, inputs: int, hidden: int, outputs: int) -> Path:
    """A vanilla RNN as specs/rnn-bptt.yaml writes it, default names, no values."""
    path = folder / f"rnn-{steps}-{inputs}-{hidden}-{outputs}.yaml"
    path.write_text(
        f"inputs: {{size: {inputs}, steps: {steps}}}\n"
        "layers:\n"
        f"  - {{kind: recurrent, size: {hidden}, activation: tanh, initial: zero}}\n"
        f"  - {{size: {outputs}, activation: softmax}}\n"
        "loss: cross_entropy\n", encoding="utf-8")
    return path


def timed(argv: list[str], limit: float, printed: bool = False
          ) -> tuple[float, float, int, str]:
    """Wall time, CPU time, peak memory (bytes) and outcome of a new process running
    ``argv`` ("ok", or its last printed line where ``printed``); the process is killed at
    ``limit`` seconds of wall time."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    timer = threading.Timer(limit, proc.kill)
    timer.start()
    out: list[bytes] = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()  # type: ignore
                                                        if proc.stdout else b""))
    reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    reader.join()
    seconds = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    cpu = usage.ru_utime + usage.ru_stime
    peak = usage.ru_maxrss * 1024
    code = os.waitstatus_to_exitcode(status)
    if seconds >= limit and code < 0:
        return seconds, cpu, peak, f"stopped at {limit:.0f} s"
    if code != 0:
        lines = [line for line in err.strip().splitlines()
                 if line.strip() and not line.startswith("peak-kB ")] or ["no message"]
        return seconds, cpu, peak, f"exit {code}: {lines[-1][:60]}"
    stdout = out[0].decode().strip() if out else ""
    if not printed or not stdout:
        return seconds, cpu, peak, "ok"
    return seconds, cpu, peak, stdout.splitlines()[-1][:70]


def command(args: list[str]) -> list[str]:
    return [sys.executable, "-c", LAUNCHER, *args]


def verdict(cpu: float, peak: int, outcome: str, target: tuple[float, float | None]) -> str:
    seconds, memory = target
    wanted = f"≤ {seconds:g} s" + (f", ≤ {memory / 1e9:g} GB" if memory else "")
    if outcome.startswith(("stopped", "exit")):
        return f"{wanted}: not met"
    met = cpu <= seconds and (memory is None or peak <= memory)
    return f"{wanted}: {'met' if met else 'not met'}"


TIMING = """
import importlib.util, sys, time
import numpy as np
spec = importlib.util.spec_from_file_location("grad", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
theta, x, t = mod.random_point(seed=0, batch=int(sys.argv[2]))
mod.loss_and_grad(theta, x, t)
best = min(
    (lambda s: (mod.loss_and_grad(theta, x, t), time.perf_counter() - s)[1])(time.perf_counter())
    for _ in range(5))
print(f"generated {best * 1e3:.2f} ms")
"""

TORCH = """
import sys, time
import torch
side, f1, f2, d1, d2, batch = map(int, sys.argv[1:7])
torch.manual_seed(0)
s = ((side + 4 - 4) // 2 - 4) // 2
net = torch.nn.Sequential(
    torch.nn.Conv2d(1, f1, 5, padding=2), torch.nn.Sigmoid(), torch.nn.AvgPool2d(2),
    torch.nn.Conv2d(f1, f2, 5), torch.nn.Sigmoid(), torch.nn.AvgPool2d(2), torch.nn.Flatten(),
    torch.nn.Linear(f2 * s * s, d1), torch.nn.Sigmoid(), torch.nn.Linear(d1, d2),
    torch.nn.Sigmoid(), torch.nn.Linear(d2, 10)).double()
x = torch.randn(batch, 1, side, side, dtype=torch.float64)
t = torch.randint(0, 10, (batch,))
def step():
    net.zero_grad()
    torch.nn.functional.cross_entropy(net(x), t).backward()
step()
best = min((lambda s: (step(), time.perf_counter() - s)[1])(time.perf_counter())
           for _ in range(5))
print(f"torch {best * 1e3:.2f} ms")
"""


def torch_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def measure(limit: float, quick: bool, networks: set[str]) -> str:
    folder = Path(tempfile.mkdtemp(prefix="symbackprop-conv-rnn-"))
    if quick:
        lenet_shape = (12, (1, 1), (3, 3))
        lenet = lenet_spec(folder, lenet_shape[0], *lenet_shape[1:])
        rnn = rnn_spec(folder, 2, 2, 2, 2)
    else:
        lenet_shape = (28, (6, 16), (120, 84))
        lenet = LENET
        rnn = rnn_spec(folder, 100, 50, 64, 50)
    rows = []

    def row(name: str, what: str, argv: list[str], target: tuple[float, float | None] | None,
            printed: bool = False) -> str:
        wall, cpu, peak, outcome = timed(argv, limit, printed)
        print(f"  {name} {what}: {outcome}", file=sys.stderr)
        rows.append([name, what, f"{wall:.2f} s", f"{cpu:.2f} s", f"{peak / 1e6:.0f} MB",
                     outcome, verdict(cpu, peak, outcome, target) if target else ""])
        return outcome

    module = folder / "lenet_grad.py"
    if "lenet" in networks:
        row("LeNet-5", "derive --form delta -o (index form)",
            command(["derive", str(lenet), "--form", "delta", "--format", "text", "-o",
                     str(folder / "lenet.txt")]), TARGETS["derive"])
        row("LeNet-5", "gradcheck --method directional",
            command(["gradcheck", str(lenet), "--method", "directional"]),
            TARGETS["gradcheck"])
        made = row("LeNet-5", "codegen -o",
                   command(["codegen", str(lenet), "-o", str(module)]), None)
        if made == "ok" and module.exists():
            generated = row("LeNet-5", f"generated loss_and_grad, batch {BATCH}",
                            [sys.executable, "-c", TIMING, str(module), str(BATCH)], None,
                            True)
        else:
            generated = "no module"
            rows.append(["LeNet-5", f"generated loss_and_grad, batch {BATCH}", "", "", "",
                         "no module", ""])
        if torch_installed():
            side, (f1, f2), (d1, d2) = lenet_shape
            theirs = row("LeNet-5", f"PyTorch autograd, batch {BATCH}",
                         [sys.executable, "-c", TORCH,
                          *map(str, (side, f1, f2, d1, d2, BATCH))], None, True)
            rows[-1][-1] = _ratio(generated, theirs)
        else:
            rows.append(["LeNet-5", f"PyTorch autograd, batch {BATCH}", "", "", "",
                         "not installed",
                         f"generated ≤ {TORCH_RATIO:g}× PyTorch: not measured"])
    if "rnn" in networks:
        # 100 unrolled steps make about 1.05 million connections, above the default bound
        row("RNN T=100, 50-64-50" if not quick else "RNN T=2, 2-2-2",
            "derive --form delta -o (every gradient)",
            command(["--max-params", "10000000", "derive", str(rnn), "--form", "delta",
                     "--format", "text", "-o", str(folder / "rnn.txt")]), TARGETS["rnn"])
    for target in (folder / "lenet.txt", folder / "rnn.txt", module):
        if target.exists():
            print(f"  {target.name}: {size_text(target.stat().st_size)}", file=sys.stderr)
    return table(["network", "command", "wall", "CPU", "peak memory", "outcome", "target"],
                 rows)


def _ratio(generated: str, torch_time: str) -> str:
    wanted = f"generated ≤ {TORCH_RATIO:g}× PyTorch"
    try:
        ours = float(generated.split()[1])
        theirs = float(torch_time.split()[1])
    except (IndexError, ValueError):
        return f"{wanted}: not met (not measured)"
    ratio = ours / theirs
    return f"{ratio:.2f}×; {wanted}: {'met' if ratio <= TORCH_RATIO else 'not met'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=float, default=300.0,
                        help="seconds of wall time allowed to each command (default 300)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny networks, to see that every row runs")
    parser.add_argument("--networks", default="lenet,rnn",
                        help="networks to measure: lenet, rnn or both (default)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at start")
    print(f"\nConvolution and recurrence, a new process per command "
          f"(limit {args.limit:.0f} s each)\n")
    print(measure(args.limit, args.quick, set(args.networks.split(","))))
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
