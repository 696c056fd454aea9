"""Chain-rule derivations of the loss for every parameter.

The derivation is symbolic reverse mode. With δ_u = ∂E/∂net_u (the "local gradient"):

* output units: δ_u = ∂E/∂out_u · ∂out_u/∂net_u (summed over a softmax layer);
* other units:  δ_u = (Σ_v w_uv δ_v) · ∂out_u/∂net_u, over the units v that u feeds;
* parameters:   ∂E/∂w = Σ δ_v · out_source over the edges that use w, ∂E/∂b = Σ δ_v.

A spec may declare the opposite sign, δ_u = −∂E/∂net_u (``notation.delta_sign: negative``,
Mitchell's convention, with the update w ← w + η δ x): then δ at an output is −∂E/∂out ·
∂out/∂net, the hidden recurrence is the same (it is linear in δ), and ∂E/∂w = −Σ δ_v ·
out_source. Everything that reads δ (printers, numbers, ``check``) reads it in the declared
convention; :attr:`Gradients.sign` says which.

With weight decay (J = L + λ/2 Σ w²) a decayed parameter's gradient has the extra term λ w,
which reaches the loss by no unit: ∂J/∂w = Σ δ_v · out_source + λ w.

δ, net and out stay symbols, so deriving all gradients costs time linear in the number of
parameters. Each :class:`Derivation` also offers the per-path chain factors (for small
networks) and the closed form in the network's own quantities (δ substituted, net/out kept).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp
from sympy.core.parameters import evaluate

from .build import Network, Unit, frozen_note
from .display import Displayable
from .output_reuse import SoftmaxSteps, argument_diff, loss_terms, output_key
from .symbols import symbol_product

MAX_PATHS = 64


@dataclass(frozen=True)
class Factor:
    """One chain-rule factor ∂numerator/∂denominator and its value."""

    numerator: sp.Symbol
    denominator: sp.Symbol
    value: sp.Expr


@dataclass(frozen=True)
class Use:
    """One place a parameter enters the network: a weight on an edge, or a bias of a unit."""

    unit: Unit
    # the source activation for a weight, None for a bias, ∂formula/∂θ for a formula node
    source: sp.Expr | None


@dataclass
class Derivation(Displayable):
    """Everything the tool knows about ∂E/∂param."""

    param: sp.Symbol
    uses: tuple[Use, ...]
    delta_form: sp.Expr  # Σ δ_v · source, with δ symbols
    closed: sp.Expr  # δ substituted; net/out kept as symbols
    display: sp.Expr  # closed, as an unevaluated product in chain order (for printing)
    paths: tuple[tuple[Factor, ...], ...] | None  # None when there are too many paths
    owner: Gradients | None = field(default=None, compare=False, repr=False)  # for display

    @property
    def path_count(self) -> int | None:
        return None if self.paths is None else len(self.paths)


class LazyMap(Mapping[str, sp.Expr]):
    """A mapping whose values are computed on first access and then kept.

    The δ recurrence of a hidden unit is a sum over the units it feeds, so building all of
    them costs time proportional to the number of weights; most uses need a few.
    """

    def __init__(self, keys: Sequence[str], compute: Callable[[str], sp.Expr]) -> None:
        self._keys = tuple(keys)
        self._known = frozenset(self._keys)
        self._compute = compute
        self._values: dict[str, sp.Expr] = {}

    def __getitem__(self, key: str) -> sp.Expr:
        if key not in self._values:
            if key not in self._known:
                raise KeyError(key)
            self._values[key] = self._compute(key)
        return self._values[key]

    def __setitem__(self, key: str, value: sp.Expr) -> None:
        """Replace one value (tests plant wrong recurrences to see them caught)."""
        if key not in self._known:
            raise KeyError(key)
        self._values[key] = value

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


@dataclass
class Gradients(Displayable):
    """All derivations of one network, plus the δ recurrences they share."""

    network: Network
    dE_dout: Mapping[str, sp.Expr]  # ∂E/∂out_u, with δ symbols of later units
    deltas: Mapping[str, sp.Expr]  # δ_u in terms of δ symbols of later units
    notes: list[str] = field(default_factory=list)
    _closed_delta: dict[str, sp.Expr] = field(default_factory=dict)
    _display_delta: dict[str, sp.Expr] = field(default_factory=dict)
    _derivations: dict[sp.Symbol, Derivation] = field(default_factory=dict)
    _between: dict[tuple[str, str], sp.Expr] = field(default_factory=dict)

    @property
    def sign(self) -> int:
        """+1 when δ = ∂E/∂net (the default), −1 when the spec declares δ = −∂E/∂net."""
        return -1 if self.network.spec.notation.delta_sign == "negative" else 1

    # -- δ in closed form --------------------------------------------------------------
    def closed_delta(self, name: str) -> sp.Expr:
        """δ_u with every later δ substituted (net/out symbols kept)."""
        if name not in self._closed_delta:
            self._fill(name, self._closed_delta, evaluate=True)
        return self._closed_delta[name]

    def display_delta(self, name: str) -> sp.Expr:
        if name not in self._display_delta:
            self._fill(name, self._display_delta, evaluate=False)
        return self._display_delta[name]

    def _fill(self, name: str, memo: dict[str, sp.Expr], *, evaluate: bool) -> None:
        # iterative post-order so that deep networks do not hit the recursion limit
        stack = [name]
        while stack:
            top = stack[-1]
            if top in memo:
                stack.pop()
                continue
            later = [c.name for c in self.consumers[top] if c.name not in memo]
            if later:
                stack.extend(later)
                continue
            stack.pop()
            memo[top] = self._delta_expr(top, memo, evaluate=evaluate)

    def _group(self, name: str) -> tuple[Unit, ...]:
        unit = self.network.unit_by_name[name]
        if unit.activation.kind == "softmax":
            return self.network.softmax_group(unit)
        return (unit,)

    def _delta_expr(self, name: str, memo: dict[str, sp.Expr], *, evaluate: bool) -> sp.Expr:
        unit = self.network.unit_by_name[name]
        if name in self.output_delta:
            if evaluate:
                return self.output_delta[name]
            direct = self.direct_loss[name]
            if self.sign < 0:  # δ = −∂E/∂out · ∂out/∂net: the sign goes into the first factor
                direct = factored(sp.expand(-direct))
            chain = direct * self.local_derivative(unit)
            if unit.activation.kind != "softmax" and (chain == self.output_delta[name] or (
                    self.sign < 0 and sp.expand(chain - self.output_delta[name]) == 0)):
                # print in chain order: ∂E/∂out · ∂out/∂net
                return chain_product([direct, self.local_derivative(unit)], evaluate=False)
            return self.output_delta[name]
        return self._hidden_delta(unit, memo, evaluate=evaluate)

    def _hidden_delta(self, unit: Unit, later: dict[str, sp.Expr] | None, *, evaluate: bool
                      ) -> sp.Expr:
        """(Σ_v δ_v w_uv) · act'(net_u), with each δ_v from ``later`` or as its symbol."""
        terms = [chain_product([later[c.name] if later is not None else c.delta, w],
                               evaluate=evaluate)
                 for c, w in self.consumer_weights[unit.name]]
        if not terms:  # a unit that feeds nothing does not affect the loss
            return sp.S.Zero
        total = sp.Add(*terms, evaluate=evaluate) if len(terms) > 1 else terms[0]
        return chain_product([total, self.local_derivative(unit)], evaluate=evaluate)

    def recurrence(self, name: str) -> sp.Expr:
        """δ_u as printed in a recurrence: in terms of later δ symbols, in chain order."""
        if name in self.output_delta:
            return self.display_delta(name)
        return self._hidden_delta(self.network.unit_by_name[name], None, evaluate=False)

    # -- structure (built once: per-access rebuilding would make every walk quadratic) -----
    @cached_property
    def consumers(self) -> dict[str, list[Unit]]:
        """The units each input or unit feeds, by name."""
        return {name: [c for c, _ in fed] for name, fed in self.consumer_weights.items()}

    @cached_property
    def consumer_weights(self) -> dict[str, list[tuple[Unit, sp.Symbol]]]:
        """(unit fed, weight) for each input or unit, by name."""
        return _consumer_weights(self.network)

    @cached_property
    def _uses_by_param(self) -> dict[sp.Symbol, list[tuple[Unit, sp.Expr | None]]]:
        return _uses(self.network)

    output_delta: dict[str, sp.Expr] = field(default_factory=dict)
    local_derivatives: dict[str, sp.Expr] = field(default_factory=dict)

    def local_derivative(self, unit: Unit) -> sp.Expr:
        """∂out_u/∂net_u in out-form (σ(1 − σ) → out(1 − out))."""
        return self.local_derivatives[unit.name]

    # -- per-parameter -----------------------------------------------------------------
    def uses(self, param: sp.Symbol) -> tuple[Use, ...]:
        return tuple(Use(u, s) for u, s in self._uses_by_param.get(param, ()))

    def derivation(self, param: sp.Symbol) -> Derivation:
        """The derivation of ∂E/∂param (computed on first request, then kept)."""
        if param not in self._derivations:
            self._derivations[param] = self._derive(param)
        return self._derivations[param]

    def gradient(self, param: sp.Symbol) -> sp.Expr:
        """∂E/∂param in δ-form (linear cost): Σ δ_v · source over the parameter's uses
        (−Σ δ_v · source when δ = −∂E/∂net), plus λ · param under weight decay."""
        return self.sign * sp.Add(*[symbol_product(u.unit.delta, u.source)
                                    for u in self.uses(param)]) + self.network.decay_term(param)

    def _derive(self, param: sp.Symbol) -> Derivation:
        uses = self.uses(param)
        delta_form = self.gradient(param)
        closed_terms = []
        display_terms = []
        for u in uses:
            src = u.source if u.source is not None else sp.S.One
            closed_terms.append(self.sign * self.closed_delta(u.unit.name) * src)
            display_terms.append(chain_product(
                [sp.Integer(self.sign), self.display_delta(u.unit.name), src], evaluate=False))
        decay = self.network.decay_term(param)
        if decay != 0:  # λ w, beside the chain rule: the penalty depends on w directly
            closed_terms.append(decay)
            display_terms.append(sp.Mul(self.network.decay, param, evaluate=False))  # λ w
        closed = sp.Add(*closed_terms)
        display = (sp.Add(*display_terms, evaluate=False) if len(display_terms) > 1
                   else display_terms[0] if display_terms else sp.S.Zero)
        return Derivation(owner=self, param=param, uses=uses, delta_form=delta_form,
                          closed=closed,
                          display=display, paths=self._paths(param, uses))

    def _paths(self, param: sp.Symbol, uses: Sequence[Use]
               ) -> tuple[tuple[Factor, ...], ...] | None:
        net = self.network
        loss = net.loss_symbol
        result: list[tuple[Factor, ...]] = []

        def walk(unit: Unit, prefix: list[Factor]) -> bool:
            # from net_unit towards the loss
            for k in self._group(unit.name):
                act = self.local_derivative_between(k, unit)
                f_act = Factor(k.out, unit.net, act)
                if k.name in self.direct_loss:
                    result.append(tuple([*prefix, f_act, Factor(loss, k.out,
                                                                self.direct_loss[k.name])]))
                    if len(result) > MAX_PATHS:
                        return False
                for c, w in self.consumer_weights[k.name]:
                    if not walk(c, [*prefix, f_act, Factor(c.net, k.out, w)]):
                        return False
            return True

        for u in uses:
            first = Factor(u.unit.net, param, u.source if u.source is not None else sp.S.One)
            if not walk(u.unit, [first]):
                return None
        # print in the seeds' order: the factor nearest the loss first
        return tuple(tuple(reversed(p)) for p in result)

    def local_derivative_between(self, k: Unit, unit: Unit) -> sp.Expr:
        """∂out_k/∂net_unit: the activation derivative (softmax couples a whole layer)."""
        if k.name == unit.name:
            return self.local_derivative(unit)
        key = (k.name, unit.name)  # a softmax's cross terms: one diff each, not one a path
        if key not in self._between:
            self._between[key] = self.network.out_form(
                argument_diff(self.network.out_definitions[k.out], unit.net))
        return self._between[key]

    direct_loss: dict[str, sp.Expr] = field(default_factory=dict)


# ----------------------------------------------------------------------------- helpers


def chain_product(factors: Sequence[sp.Expr], *, evaluate: bool) -> sp.Expr:
    """A product that keeps the given order when printed (``evaluate=False``).

    Factors equal to 1 are dropped; a numeric factor moves to the front.
    """
    flat: list[sp.Expr] = []
    for f in factors:
        if isinstance(f, sp.Mul) and not evaluate:
            flat.extend(f.args)
        else:
            flat.append(f)
    flat = [f for f in flat if f != 1]
    if evaluate:
        return sp.Mul(*flat)
    numbers = [f for f in flat if f.is_Number]
    rest = [f for f in flat if not f.is_Number]
    coeff = sp.Mul(*numbers)
    if coeff == 0:
        return sp.S.Zero
    if coeff != 1:
        rest = [coeff, *rest]
    if not rest:
        return sp.S.One
    if len(rest) == 1:
        return rest[0]
    return sp.Mul(*rest, evaluate=False)


def _consumer_weights(net: Network) -> dict[str, list[tuple[Unit, sp.Symbol]]]:
    out: dict[str, list[tuple[Unit, sp.Symbol]]] = {u.name: [] for u in net.units}
    for i in net.spec.inputs:
        out[i.name] = []
    for u in net.units:
        for s, w in u.incoming:
            out[s].append((u, w))
    return out


def _uses(net: Network) -> dict[sp.Symbol, list[tuple[Unit, sp.Expr | None]]]:
    """(unit, source activation or None for a bias) of every use, by parameter."""
    found: dict[sp.Symbol, list[tuple[Unit, sp.Expr | None]]] = {p: [] for p in net.params}
    source_out = net.source_out
    for u in net.units:
        for s, w in u.incoming:
            if u.weighted:  # a pooling or formula unit's factors are no parameters
                found[w].append((u, source_out[s]))
        for param, local in u.uses:  # ∂formula/∂θ stands where out_source stands
            found[param].append((u, None if local == 1 else local))
        if u.bias is not None:
            found[u.bias].append((u, None))
    return found


def factored(expr: sp.Expr) -> sp.Expr:
    """A sum with a common numeric factor kept factored, as a textbook writes it:
    ``2*(a - y)``, not ``-2*y + 2*a`` (SymPy distributes a number over a sum on its own)."""
    if not isinstance(expr, sp.Add):
        return expr
    content, primitive = expr.as_content_primitive()
    if content == 1 or not isinstance(primitive, sp.Add):
        return expr
    if primitive.could_extract_minus_sign():
        content, primitive = -content, -primitive
    return sp.Mul(content, primitive, evaluate=False)


def simplest(expr: sp.Expr) -> sp.Expr:
    """The shortest of a few equivalent rewritings (keeps products factored when shorter)."""
    candidates = [expr]
    try:
        candidates.append(sp.factor(sp.cancel(expr)))
        candidates.append(sp.expand(expr))
    except (sp.PolynomialError, NotImplementedError):  # pragma: no cover - defensive
        pass
    return min(candidates, key=lambda e: (sp.count_ops(e), candidates.index(e)))


def derive(net: Network) -> Gradients:
    """Build the δ recurrences of ``net``; per-parameter derivations follow on request.

    >>> from symbackprop.spec.load import load_spec
    >>> from symbackprop.network.build import build_network
    >>> g = derive(build_network(load_spec("specs/seed-004-mazur-2-2-2.yaml")))  # doctest: +SKIP
    >>> g.derivation(g.network.symbol_by_name["w5"]).closed  # doctest: +SKIP
    out_h1*out_o1*(1 - out_o1)*(out_o1 - target_o1)
    """
    local: dict[str, sp.Expr] = {}
    by_activation: dict[tuple[object, ...], tuple[sp.Symbol, sp.Expr]] = {}
    for u in net.units:
        local[u.name] = _local_derivative(net, u, by_activation)
    direct: dict[str, sp.Expr] = {}
    output_delta: dict[str, sp.Expr] = {}
    # a loss that is a sum of one term per output has the same ∂E/∂out and δ for every
    # output unit up to its own symbols: derived for the first unit of each kind, renamed
    # for the others
    first: dict[tuple[object, ...], Unit] = {}
    later: list[tuple[Unit, tuple[object, ...]]] = []
    loss_diff = loss_terms(net)
    for u in net.outputs:
        # a loss formula need not treat its outputs alike ((t − y)² + 3(s − z)²)
        key = output_key(u) if net.spec.loss.formula is None else None
        if key is not None and key in first:
            later.append((u, key))
            continue
        if key is not None:
            first[key] = u
        direct[u.name] = factored(net.out_form(loss_diff(u.out)))
    grads = Gradients(network=net, dE_dout={}, deltas={}, direct_loss=direct,
                      local_derivatives=local)
    softmax_ce = False
    renamed = SoftmaxSteps(net, direct)
    for u in net.outputs:
        if u.name not in direct:
            continue
        group = grads._group(u.name)
        if u.activation.kind == "softmax" and net.spec.loss.kind == "cross_entropy":
            like = renamed.like(group, u)
            if like is not None:  # δ_j = out_j − t_j, as for the same place in the first step
                output_delta[u.name] = like if grads.sign > 0 else _negated(like, u.target)
                continue
        terms = [direct[k.name] * grads.local_derivative_between(k, u) for k in group
                 if k.name in direct]
        value = sp.Add(*terms)
        if u.activation.kind == "softmax" and net.spec.loss.kind == "cross_entropy":
            # −t_j + out_j Σ_k t_k; the targets of a softmax layer sum to 1, so δ_j = out_j − t_j
            total_t = sp.Add(*[k.target for k in group if k.target is not None])
            assert u.target is not None
            if sp.expand(value - (u.out * total_t - u.target)) == 0:
                value = u.out - u.target
                softmax_ce = True
                renamed.found(group, u)
        else:
            value = simplest(value)
        output_delta[u.name] = value if grads.sign > 0 else _negated(value, u.target)
    for u, key in later:
        rep = first[key]
        own = {rep.out, rep.net, rep.target}
        if direct[rep.name].free_symbols <= own and output_delta[rep.name].free_symbols <= own:
            names = {rep.out: u.out, rep.net: u.net, rep.target: u.target}
            with evaluate(False):  # keep factored forms; the key keeps the order of names
                direct[u.name] = direct[rep.name].xreplace(names)
                output_delta[u.name] = output_delta[rep.name].xreplace(names)
        else:  # the loss couples this unit with others: derived for itself
            direct[u.name] = factored(net.out_form(loss_diff(u.out)))
            output_delta[u.name] = simplest(grads.sign * direct[u.name] * local[u.name])
    if softmax_ce:
        grads.notes.append("softmax with cross-entropy: δ = out − target, using that the "
                           "targets sum to 1" if grads.sign > 0 else
                           "softmax with cross-entropy: δ = target − out, using that the "
                           "targets sum to 1")
    grads.output_delta = output_delta
    if net.frozen:
        grads.notes.append(frozen_note(net))
    names = [u.name for u in net.units]

    def back(name: str) -> sp.Expr:
        # output units feed only the loss (the spec rejects edges out of them)
        return sp.Add(*[symbol_product(c.delta, w) for c, w in grads.consumer_weights[name]])

    def dE_dout(name: str) -> sp.Expr:
        return direct.get(name, sp.S.Zero) + back(name)

    def delta(name: str) -> sp.Expr:
        return output_delta[name] if name in output_delta else back(name) * local[name]

    grads.dE_dout = LazyMap(names, dE_dout)
    grads.deltas = LazyMap(names, delta)
    return grads


def _negated(value: sp.Expr, target: sp.Symbol | None) -> sp.Expr:
    """−value, written as simply as value was: ``target − out`` for ``out − target``, and a
    product with its difference of the target turned round (``(t − o)·o·(1 − o)``)."""
    if isinstance(value, sp.Mul):
        sums = [k for k, f in enumerate(value.args) if isinstance(f, sp.Add)]
        sums.sort(key=lambda k: target is None or not value.args[k].has(target))
        if sums:
            k = sums[0]
            return sp.Mul(*value.args[:k], sp.expand(-value.args[k]), *value.args[k + 1:])
    return simplest(sp.expand(-value)) if isinstance(value, sp.Add) else -value


def _local_derivative(net: Network, unit: Unit,
                      memo: dict[tuple[object, ...], tuple[sp.Symbol, sp.Symbol, sp.Expr]]
                      ) -> sp.Expr:
    """∂out_u/∂net_u in out-form, differentiated once per activation and then renamed.

    Units with one elementwise activation share the derivative up to their own net and out
    symbols, so a layer costs one ``diff`` and a renaming per unit.
    """
    act = unit.activation
    if act.kind == "softmax":
        return net.out_form(argument_diff(net.out_definitions[unit.out], unit.net))
    key = (act.kind, act.alpha, act.fname)
    if key not in memo:
        derivative = net.out_form(sp.diff(net.out_definitions[unit.out], unit.net))
        z, a = sp.Dummy("z", real=True), sp.Dummy("a", real=True)
        memo[key] = (z, a, derivative.xreplace({unit.net: z, unit.out: a}))
        return derivative
    z, a, generic = memo[key]
    return generic.xreplace({z: unit.net, a: unit.out})
