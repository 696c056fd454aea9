"""The package's public API: the names the README uses are the functions, not modules."""

from __future__ import annotations

import subprocess
import sys

from paths import ROOT


def test_readme_api_example_runs_in_a_fresh_interpreter() -> None:
    code = (
        # submodules loaded first on purpose
        "import symbackprop.render.derivations, symbackprop.cli.app\n"
        "from symbackprop import build_network, derive, gradcheck, evaluate, load_spec\n"
        "net = build_network(load_spec('specs/seed-004-mazur-2-2-2.yaml'))\n"
        "grads = derive(net)\n"
        "w1 = net.symbol_by_name['w1']\n"
        "print(grads.gradient(w1))\n"
        "print(gradcheck(net, grads, net.spec.values).ok)\n"
        "print(round(evaluate(net, grads, net.spec.values).loss, 9))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["delta_h1*i1", "True", "0.298371109"]
