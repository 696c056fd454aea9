"""Standalone NumPy modules with ``loss`` and ``loss_and_grad`` for a network spec.

For a layered network the module is the matrix code of :mod:`symbackprop.numeric.vectorized` (the
code the tool itself runs). For any other network it is the δ-form, one line per quantity:
each net input, activation, δ and gradient printed by SymPy's NumPy printer from the
symbolic network, every line an array over the batch. Either way the module imports only
NumPy, takes parameters as a dict (the spec's names) or a vector, and checks its own
gradient when run as a script.

>>> source = generate(net, derive(net))  # doctest: +SKIP
>>> "def loss_and_grad(params, x, t):" in source  # doctest: +SKIP
True
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from ..errors import SymbackpropError
from ..network.build import Network
from ..network.derivation import Gradients
from ..network.losses import describe_loss, require_numeric_loss
from .identifiers import python_names
from .lambdified import stable_deltas, stable_loss
from .layered_plan import LayeredPlan, layered_plan
from .param_names import names_from_shapes
from .stable_rows import forward_lines, score_rows, shifted
from .stand_ins import describe_stand_ins, stand_ins, with_stand_ins
from .vectorized import HELPERS, function_source, gather_code, matrix_source

TARGETS = ("numpy",)
LINE = 96  # wrap long constant tuples below the line length


class NetworkNumPyPrinter(NumPyPrinter):
    """NumPy code with ``np.`` prefixes and the tool's activations as stable NumPy calls."""

    def _module_format(self, fqn: str, register: bool = True) -> str:
        if fqn.startswith("numpy."):
            return "np." + fqn[len("numpy."):]
        return super()._module_format(fqn, register)

    def _call(self, name: str, args: Sequence[sp.Expr]) -> str:
        return f"{name}({', '.join(self._print(a) for a in args)})"

    def _print_sigmoid(self, expr: sp.Function) -> str:
        return self._call("_sigmoid", expr.args)

    def _print_softplus(self, expr: sp.Function) -> str:
        return f"np.logaddexp(0.0, {self._print(expr.args[0])})"

    def _print_relu(self, expr: sp.Function) -> str:
        return f"np.maximum({self._print(expr.args[0])}, 0.0)"

    def _print_step(self, expr: sp.Function) -> str:
        return f"np.where({self._print(expr.args[0])} > 0.0, 1.0, 0.0)"

    def _print_leaky_relu(self, expr: sp.Function) -> str:
        z, alpha = (self._print(a) for a in expr.args)
        return f"np.where({z} > 0.0, {z}, {alpha}*{z})"

    def _print_leaky_step(self, expr: sp.Function) -> str:
        z, alpha = (self._print(a) for a in expr.args)
        return f"np.where({z} > 0.0, 1.0, {alpha})"

    def _print_softmax(self, expr: sp.Function) -> str:
        return self._call("_softmax_of", expr.args)

    def _print_logsumexp(self, expr: sp.Function) -> str:
        return self._call("_logsumexp_of", expr.args)

    def _print_log_softplus(self, expr: sp.Function) -> str:
        return self._call("_log_softplus", expr.args)

    def _print_sigmoid_over_softplus(self, expr: sp.Function) -> str:
        return self._call("_sigmoid_over_softplus", expr.args)

    def _print_pool_max(self, expr: sp.Function) -> str:
        return f"np.maximum.reduce([{', '.join(self._print(a) for a in expr.args)}])"

    def _print_first_max(self, expr: sp.Function) -> str:
        return self._call("_first_max", expr.args)


SCALAR_HELPERS = {
    "_softmax_of": '''
def _softmax_of(k, *zs):
    """Component k of softmax(z_1, …, z_n), each z an array over the batch."""
    z = np.stack(np.broadcast_arrays(*zs))
    e = np.exp(z - z.max(axis=0))
    return e[int(k)] / e.sum(axis=0)
''',
    "_logsumexp_of": '''
def _logsumexp_of(*zs):
    """log Σ exp(z_k), each z an array over the batch."""
    return np.logaddexp.reduce(np.stack(np.broadcast_arrays(*zs)), axis=0)
''',
    "_first_max": '''
def _first_max(k, *xs):
    """1 where x_k is the first maximum of x_0, …, x_n (the max-pooling gradient), else 0."""
    x = np.stack(np.broadcast_arrays(*xs))
    return np.where(x.argmax(axis=0) == int(k), 1.0, 0.0)
''',
    "_column": '''
def _column(v, m):
    """A quantity as an array over the batch (constants are broadcast)."""
    return np.broadcast_to(np.asarray(v, dtype=float), (m,))
''',
}


@dataclass(frozen=True)
class GeneratedModule:
    """The text of a generated module and how it computes."""

    source: str
    layout: str  # "matrix" | "scalar"


# ----------------------------------------------------------------------------- scalar form


# the names the δ-form functions bind for themselves, and the module's NumPy
LOCAL_NAMES = frozenset({"np", "theta", "x", "t", "m", "g", "losses"})


def variable_names(net: Network) -> dict[sp.Symbol, str]:
    """Each quantity's variable in the δ-form code: its own name where that is safe,
    otherwise a spelled-out one; never two quantities in one variable."""
    symbols = list(net.kinds)
    names = python_names([s.name for s in symbols], LOCAL_NAMES)
    return {s: names[s.name] for s in symbols}


def assigned_variables(net: Network) -> dict[str, str]:
    """Every quantity the δ-form code assigns (spec name → its variable), in code order."""
    variables = variable_names(net)
    assigned = [*net.params, *net.inputs, *net.targets,
                *[sym for sym, expr in net.definitions if sym != expr],
                *[u.delta for u in net.units]]
    return {s.name: variables[s] for s in assigned}


def _dict(name: str, items: dict[str, str]) -> str:
    """``NAME = {'a': 'b', …}``, one entry per line."""
    if not items:
        return f"{name} = {{}}"
    return "\n".join([f"{name} = {{", *[f"    {k!r}: {v!r}," for k, v in items.items()], "}"])


def scalar_source(net: Network, grads: Gradients,
                  progress: Callable[[int], None] | None = None) -> str:
    """``_core`` and ``_cost`` in δ-form: one line per net input, activation, δ, gradient."""
    printer = NetworkNumPyPrinter({"fully_qualified_modules": True})
    variables = variable_names(net)
    renames = {s: sp.Symbol(v, **s.assumptions0) for s, v in variables.items() if v != s.name}

    rows = score_rows(net)

    def code(expr: sp.Expr) -> str:
        expr = shifted(with_stand_ins(net, net.with_decay_value(expr)), rows)
        return printer.doprint(expr.xreplace(renames) if renames else expr)

    def name(sym: sp.Symbol) -> str:
        return variables[sym]

    inputs = [f"{name(s)} = x[:, {k}]" for k, s in enumerate(net.inputs)]
    targets = [f"{name(s)} = t[:, {k}]" for k, s in enumerate(net.targets)]
    params = [f"{name(p)} = theta[{k}]" for k, p in enumerate(net.trained)]
    params += [f"{name(p)} = {value!r}  # frozen: not trained"
               for p, value in frozen_values(net).items()]
    forward = forward_lines(net.definitions, rows, variables,
                            lambda sym, expr: f"{name(sym)} = {code(expr)}")
    losses = f"losses = _column({code(stable_loss(net))}, m)"
    backward = []
    deltas = stable_deltas(net, grads)
    for u in reversed(net.units):
        backward.append(f"{name(u.delta)} = {code(deltas[u.name])}")
        if progress is not None:
            progress(1)
    gradient = []
    for k, p in enumerate(net.trained):
        gradient.append(f"g[{k}] = np.mean(_column({code(grads.gradient(p))}, m))"
                        f"  # ∂J/∂{comment_text(p.name)}")
        if progress is not None:
            progress(1)
    head = ["m = x.shape[0]", *params, *inputs]
    core = [*head, *targets, *forward, losses,
            "# backward: δ = " + ("-" if grads.sign < 0 else "") +
            "∂L/∂net per example, from the output back", *backward,
            "g = np.empty_like(theta)", *gradient, "return losses, g"]
    cost = [*head, *targets, *forward, losses, "return losses"]
    text = "\n".join(core)
    helpers = ["_column"] + [h for h in ("_softmax_of", "_logsumexp_of", "_first_max")
                              if h in text]
    parts = [SCALAR_HELPERS[h].strip("\n") for h in helpers]
    for helper in ("_sigmoid", "_log_softplus", "_sigmoid_over_softplus"):
        if f"{helper}(" in text:
            parts.append(HELPERS[helper].strip("\n"))
    parts.append(function_source(
        "_core", "Losses and the gradient of their mean for a batch (δ-form).", core))
    parts.append(function_source("_cost", "The loss of every example of the batch.", cost))
    return "\n\n\n".join(parts) + "\n"


# ----------------------------------------------------------------------------- the module


def _tuple(name: str, items: Sequence[str]) -> str:
    """``NAME = ('a', 'b', …)`` wrapped at the line length."""
    lines = [f"{name} = ("]
    current = "   "
    for item in items:
        piece = f" {item!r},"
        if len(current) + len(piece) > LINE:
            lines.append(current)
            current = "   "
        current += piece
    lines.append(current)
    lines.append(")")
    return "\n".join(lines)


def _layer_arrays(plan: LayeredPlan) -> str:
    lines = ["def layer_arrays(params):",
             '    """The weight matrices W1, W2, … (units × sources) and bias vectors b1, …"""',
             "    theta = pack(params)",
             "    arrays = {}"]
    for lay in plan.layers:
        n = lay.position
        lines.append(f"    arrays['W{n}'] = {gather_code(lay.weights, f'_IDX_W{n}')}")
        if lay.bias is not None:
            lines.append(f"    arrays['b{n}'] = np.broadcast_to("
                         f"{gather_code(lay.bias, f'_IDX_b{n}')}, ({len(lay.units)},))")
    lines.append("    return arrays")
    return "\n".join(lines)


_WRAPPERS = '''
def pack(params):
    """The parameter vector θ (in PARAM_NAMES order) from a dict name → value, or θ itself."""
    if isinstance(params, dict):
        return np.array([params[name] for name in PARAM_NAMES], dtype=float)
    theta = np.asarray(params, dtype=float)
    if theta.shape != (len(PARAM_NAMES),):
        raise ValueError(f"expected {len(PARAM_NAMES)} parameters, got shape {theta.shape}")
    return theta


def unpack(theta):
    """A dict name → value from the parameter vector θ."""
    return {name: float(v) for name, v in zip(PARAM_NAMES, theta)}


def _batch(values, names, also=()):
    """Examples as a (batch, len(names)) array: from an array, or a dict name → value(s),
    where a value may also be given under the matching name in `also`."""
    if isinstance(values, dict):
        other = dict(zip(names, also))
        missing = [n for n in names if n not in values and other.get(n) not in values]
        if missing:
            raise KeyError(f"no value for {', '.join(missing)}; expected {', '.join(names)}")
        columns = [np.atleast_1d(np.asarray(values[n] if n in values else values[other[n]],
                                            dtype=float)) for n in names]
        return np.stack(np.broadcast_arrays(*columns), axis=1)
    arr = np.asarray(values, dtype=float)
    return arr.reshape(1, -1) if arr.ndim == 1 else arr


def losses(params, x, t):
    """The loss of every example: x is (batch, inputs), t is (batch, outputs)."""
    return _cost(pack(params), _batch(x, INPUT_NAMES), _batch(t, OUTPUT_NAMES, OUTPUT_UNITS))


def loss(params, x, t):
    """The cost: the mean loss over the batch."""
    return float(np.mean(losses(params, x, t)))


def loss_and_grad(params, x, t):
    """The cost and its gradient; the gradient is a dict when params is a dict."""
    result = _core(pack(params), _batch(x, INPUT_NAMES), _batch(t, OUTPUT_NAMES, OUTPUT_UNITS))
    cost, grad = float(np.mean(result[0])), result[1]
    return (cost, unpack(grad)) if isinstance(params, dict) else (cost, grad)


def random_point(seed=0, batch=4):
    """Random parameters in (−1, 1), inputs in (−2, 2) and targets that suit the loss."""
    rng = np.random.default_rng(seed)
    theta = rng.uniform(-1.0, 1.0, len(PARAM_NAMES))
    x = rng.uniform(-2.0, 2.0, (batch, len(INPUT_NAMES)))
    if LOSS == "cross_entropy":
        t = np.concatenate([rng.dirichlet(np.ones(n), batch) for n in OUTPUT_GROUPS], axis=1)
    else:
        t = rng.uniform(0.05, 0.95, (batch, len(OUTPUT_NAMES)))
    return theta, x, t


def gradient_check(params=None, x=None, t=None, *, seed=0, directions=8, coordinates=16,
                   step=1e-5):
    """The largest relative error between loss_and_grad and central differences.

    Checks `directions` random directions d (g·d against (J(θ + hd) − J(θ − hd))/2h) and
    up to `coordinates` single parameters, with h = step · max(1, rms(θ)).
    """
    rng = np.random.default_rng(seed)
    if params is None or x is None or t is None:
        params, x, t = random_point(seed)
    theta = pack(params)
    x, t = _batch(x, INPUT_NAMES), _batch(t, OUTPUT_NAMES, OUTPUT_UNITS)
    _, grad = loss_and_grad(theta, x, t)
    h = step * max(1.0, float(np.sqrt(np.mean(theta ** 2))))

    def cost(th):
        return float(np.mean(_cost(th, x, t)))

    # float64 rounding leaves about 1e-16·|J|/h of noise in a difference: judged against a
    # floor of 1e-3·max(1, |J|), as symbackprop's gradcheck does, a gradient that is zero in
    # all but rounding (a bias shared by a softmax layer) is not counted as wrong
    floor = 1e-3 * max(1.0, abs(cost(theta)))
    worst = 0.0
    checks = [rng.standard_normal(theta.size) for _ in range(directions)]
    picked = rng.choice(theta.size, size=min(coordinates, theta.size), replace=False)
    for k in picked:
        d = np.zeros(theta.size)
        d[k] = 1.0
        checks.append(d)
    for d in checks:
        analytic = float(grad @ d)
        numeric = (cost(theta + h * d) - cost(theta - h * d)) / (2 * h)
        scale = max(abs(analytic), abs(numeric), floor)
        worst = max(worst, abs(analytic - numeric) / scale)
    return worst


def variable_clash():
    """Why two quantities of VARIABLES share a variable of _core, or '' when none do."""
    import unicodedata

    local = set(_core.__code__.co_varnames)
    seen = {}
    for name, var in VARIABLES.items():
        folded = unicodedata.normalize("NFKC", var)
        if folded in seen:
            return f"{seen[folded]!r} and {name!r} share the variable {var!r}"
        if folded not in local:
            return f"{name!r} has no variable {var!r}"
        seen[folded] = name
    return ""


if __name__ == "__main__":
    clash = variable_clash()
    error = gradient_check()
    ok = not clash and error < 1e-5
    print(f"max relative error {error:.2e}" + (f"; {clash}" if clash else "")
          + (": ok" if ok else ": FAIL"))
    raise SystemExit(0 if ok else 1)
'''


def docstring_literal(text: str) -> str:
    r'''``text`` as a triple-quoted literal whose value is exactly ``text``.

    Backslashes are doubled, every third quote in a row (and a last one) is escaped and
    characters that are not printable are written as escapes, so no text can end the
    literal early, change its meaning or make the module invalid.

    >>> print(docstring_literal('say """hi""" \\N'))
    """say ""\"hi""\" \\N"""
    '''
    out: list[str] = []
    quotes = 0
    for k, ch in enumerate(text):
        if ch == '"':
            quotes += 1
            if quotes == 3 or k == len(text) - 1:
                out.append('\\"')
                quotes = 0
            else:
                out.append(ch)
            continue
        quotes = 0
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\n" or ch.isprintable():
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])  # \x00, \r, \u2028, a lone surrogate, …
    literal = '"""' + "".join(out) + '"""'
    if ast.literal_eval(literal) != text:  # pragma: no cover - the rules above guarantee it
        raise AssertionError("a docstring literal does not read back")
    return literal


def comment_text(text: str) -> str:
    """``text`` on one line, safe after ``#``: line breaks and other characters that are not
    printable become escapes, so a comment cannot end early."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def frozen_values(net: Network) -> dict[sp.Symbol, float]:
    """The value of every frozen parameter, which the code fixes; an error for one without."""
    values = net.spec.values.params
    missing = [p.name for p in net.frozen if p.name not in values]
    if missing:
        raise SymbackpropError(
            f"the frozen parameter `{missing[0]}` has no value", file=net.spec.file,
            field="values.params", hint=f"a frozen parameter is a constant of the code: give "
            f"it one, e.g. `values: {{params: {{{missing[0]}: 0.5}}}}`")
    return {p: float(values[p.name]) for p in net.frozen}


def _frozen_words(net: Network) -> str:
    if not net.frozen:
        return ""
    return ", and " + ", ".join(p.name for p in net.frozen) + " frozen at their values (FROZEN)"


def _docstring(net: Network, plan: LayeredPlan | None) -> str:
    spec = net.spec
    if plan is not None:
        shape = "-".join(str(n) for n in plan.sizes)
        acts = ", ".join(lay.activation for lay in plan.layers)
        what = f"a {shape} layered network ({acts}), in matrix form"
    else:
        what = (f"a network of {len(net.units)} units, in δ-form (one line per net input, "
                "activation, δ and gradient)")
    notes = ""
    if net.functions:
        notes = f"\nUnspecified functions are evaluated as: {describe_stand_ins(net)}.\n"
    example = net.trained[0].name
    return docstring_literal(f"""Loss and gradient, generated by symbackprop from a network spec.

{spec.title}
Spec: {spec.file}
Network: {what}; {len(net.trained)} parameters{_frozen_words(net)}.
Loss: {describe_loss(spec.loss)}; the cost of a batch is the mean of its examples' losses.
{notes}
Only NumPy is needed::

    import numpy as np
    theta, x, t = random_point()              # θ in PARAM_NAMES order, x: (batch, inputs)
    J, g = loss_and_grad(theta, x, t)         # g: ∂J/∂θ as a vector
    J, grads = loss_and_grad(unpack(theta), x, t)   # or a dict: grads[{example!r}]

Inputs and targets may also be dicts name → value(s) (INPUT_NAMES, OUTPUT_NAMES). Run this
file to check loss_and_grad against central differences.
""")


def generate(net: Network, grads: Gradients, *, target: str = "numpy",
             progress: Callable[[int], None] | None = None) -> GeneratedModule:
    """The source of a standalone module computing ``loss`` and ``loss_and_grad`` of ``net``."""
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; choose from {', '.join(TARGETS)}")
    stand_ins(net)  # an unspecified function without a stand-in is a located error
    require_numeric_loss(net.spec.loss, net.spec.file)
    plan = layered_plan(net)
    if plan is not None:
        body, layout = matrix_source(plan), "matrix"
    else:
        body, layout = scalar_source(net, grads, progress), "scalar"
    names = [p.name for p in net.trained]
    shaped = names_from_shapes(plan, names) if plan is not None else None
    labels = net.spec.unit_labels()
    constants = "\n".join([
        shaped if shaped is not None else _tuple("PARAM_NAMES", names),
        _tuple("INPUT_NAMES", [i.name for i in net.spec.inputs]),
        "# the targets as derive prints them; a dict of targets may also use OUTPUT_UNITS,",
        "# the output units as derive prints them (a unit's own name, or its activation's)",
        _tuple("OUTPUT_NAMES", [net.spec.names.name("target", u) for u in net.spec.outputs]),
        _tuple("OUTPUT_UNITS", [labels[u] for u in net.spec.outputs]),
        f"LOSS = {net.spec.loss.kind!r}",
        "# the outputs a softmax normalises together, in order (one group per step of an RNN)",
        f"OUTPUT_GROUPS = {tuple(len(g) for g in net.spec.output_groups())!r}",
        "# each quantity's variable in _core and _cost (the matrix code has none)",
        _dict("VARIABLES", assigned_variables(net) if plan is None else {}),
        *(["# parameters that are not trained, at their values (the spec's `frozen`)",
           "FROZEN = " + repr({p.name: v for p, v in frozen_values(net).items()})]
          if net.frozen else []),
    ])
    parts = [_docstring(net, plan) + "\n\nimport numpy as np", constants, body.rstrip("\n")]
    if plan is not None:
        parts.append(_layer_arrays(plan))
    parts.append(_WRAPPERS.strip("\n"))
    return GeneratedModule("\n\n\n".join(parts) + "\n", layout)


def count_steps(net: Network) -> int:
    """How many progress ticks :func:`generate` reports for ``net`` (matrix code: none)."""
    return 0 if layered_plan(net) is not None else len(net.units) + len(net.trained)
