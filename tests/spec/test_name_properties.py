"""Property: names drawn to clash never give a wrong number.

Networks are drawn whose inputs, weights, biases and unspecified functions take names from a
pool that clashes on purpose: with each other (also after Unicode NFKC), with the δ, net
input, activation and target names the notation makes, with the loss and the learning rate,
with SymPy's and Python's names, with the activations and with the tool's own generated
names (``f_prime``). Each spec either is refused with a located error, or its gradients
equal the autograd oracle's, which reads the spec without any symbols at all.
"""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from oracle import built, close, mismatches, oracle, tool_runs

from symbackprop.errors import SpecError
from symbackprop.network.derivation import derive
from symbackprop.spec.load import load_spec

POOL = (
    "x", "\uff58", "x1", "x_1", "x0", "u1_1", "u2_1", "v_x", "w", "b", "b1",
    "f", "g", "h", "f_prime", "g_prime", "tanh", "sigmoid", "sigma", "exp", "log", "sin",
    "relu", "step", "softplus", "logsumexp",
    "delta_1_1", "delta_2_1", "a_1_1", "a_2_1", "z_1_1", "z_2_1", "y_1", "L", "J", "alpha",
    "E", "I", "pi", "S", "N", "O", "Q", "oo", "lambda_", "print", "sum", "numpy", "np",
    "mpmath", "math", "theta", "t", "m", "i", "_s0", "_Dummy_1", "learning_rate",
)
FRESH = (*(f"p{k}" for k in range(12)), "q", "r", "s", "k1", "k2", "k3")
"""Names that clash with nothing but each other (a weight named twice is one tied weight)."""
ACTIVATIONS = ("tanh", "sigmoid", "f", "g", "{kind: unspecified, name: NAME}")

PROFILE = settings(max_examples=int(os.environ.get("SYMBACKPROP_NAME_EXAMPLES", "150")),
                   deadline=None, derandomize=True, database=None, print_blob=False,
                   suppress_health_check=[HealthCheck.too_slow])


@st.composite
def clashing_specs(draw: st.DrawFn) -> str:
    name = st.sampled_from(FRESH * 6 + POOL)  # mostly harmless, so that some specs load
    inputs = draw(st.lists(name, min_size=1, max_size=2, unique=True))
    hidden = draw(st.integers(1, 2))
    act = draw(st.sampled_from(ACTIVATIONS)).replace("NAME", draw(name))
    rows1 = [[draw(name) for _ in inputs] for _ in range(hidden)]
    rows2 = [[draw(name) for _ in range(hidden)]]
    bias1 = draw(st.sampled_from(("none", "per_unit", *POOL)))
    bias2 = draw(st.sampled_from(("none", "per_unit", *POOL)))
    cost = draw(st.sampled_from(("", "cost: {examples: " + draw(name) + "}\n")))

    def rows(r: list[list[str]]) -> str:
        return "[" + ", ".join("[" + ", ".join(f"'{w}'" for w in row) + "]" for row in r) + "]"

    return (f"inputs: [{', '.join(repr(i) for i in inputs)}]\nlayers:\n"
            f"  - {{size: {hidden}, activation: {act}, weights: {rows(rows1)}, "
            f"bias: '{bias1}'}}\n"
            f"  - {{size: 1, activation: sigmoid, weights: {rows(rows2)}, bias: '{bias2}'}}\n"
            f"loss: squared_error\n{cost}")


@PROFILE
@given(clashing_specs())
def test_clashing_names_are_refused_or_give_the_right_numbers(text: str) -> None:
    note(text)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "names.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            spec = load_spec(path)
        except SpecError as exc:
            assert exc.file == str(path) and exc.line is not None and exc.field, exc
            return
    net = built(spec)
    names = [q.name for q in spec.names.quantities if q.role not in ("cost",)]
    symbols = {s.name for s in net.latex_names}
    assert {p.name for p in net.params} <= symbols
    assert len({n for n in names}) >= len(net.params) + len(net.inputs)
    rng = random.Random(text)
    params = {p.name: rng.uniform(-1, 1) for p in spec.params}
    inputs = {i.name: rng.uniform(-2, 2) for i in spec.inputs}
    targets = {o: rng.uniform(0.1, 0.9) for o in spec.outputs}
    (run,) = tool_runs(net, derive(net), params, [(inputs, targets)])
    expected = oracle(spec, params, [(inputs, targets)])
    assert close(run.loss, expected.loss)
    assert not mismatches(run.gradients, expected.gradients)
