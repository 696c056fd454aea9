"""The operation graph's cost against its size: ``derive --level op``'s library route on
dense sigmoid networks of growing size, in this process (median of three runs).

Run from the repository root (see benchmarks/README.md)::

    python benchmarks/op_level.py [--shapes 2-2-2,4-8-4,8-16-16-4,16-32-32-8]

For each network: the operations in the graph, the seconds to build it, its local
derivatives and every backward step, the numbers at the spec's values, and the time per
operation, which stays about constant when the cost is linear in the graph's size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from run import ROOT, table

sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
from dense_specs import dense_spec  # the tests' writer

from symbackprop.network.build import build_network
from symbackprop.network.op_graph import network_op_graph
from symbackprop.render.op_level import leaf_values
from symbackprop.spec.load import load_spec


def measure(sizes: list[int]) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        net = build_network(load_spec(dense_spec(Path(tmp), sizes)))
    build, numbers = [], []
    operations = 0
    for _ in range(3):
        start = time.perf_counter()
        graph = network_op_graph(net)
        graph.steps  # noqa: B018 (the local derivatives and the backward pass)
        build.append(time.perf_counter() - start)
        start = time.perf_counter()
        graph.evaluate(leaf_values(net, net.spec.values) or {}, 30)
        numbers.append(time.perf_counter() - start)
        operations = sum(1 for n in graph.nodes if n.expr is not None)
    b, n = statistics.median(build), statistics.median(numbers)
    return ["-".join(map(str, sizes)), str(operations), f"{b:.3f}", f"{n:.3f}",
            f"{1e6 * (b + n) / operations:.0f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shapes", default="2-2-2,4-8-4,8-16-16-4,16-32-32-8")
    args = parser.parse_args()
    rows = [measure([int(k) for k in shape.split("-")]) for shape in args.shapes.split(",")]
    print(table(["network", "operations", "graph and steps s", "numbers s", "µs per operation"],
                rows))


if __name__ == "__main__":
    main()
