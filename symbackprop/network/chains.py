"""The chain-rule factors of ∂E/∂θ, split the way the spec's source splits them.

The seeds split the same chain rule differently (``notation.chain``):

* ``unit`` (seed 004, Mazur): ∂E/∂out_u · ∂out_u/∂net_u · ∂net_u/∂θ at the unit u that θ
  feeds. For a hidden unit the first factor is itself a sum over the units u feeds,
  ∂E/∂out_u = Σ_v ∂E/∂out_v · ∂out_v/∂net_v · ∂net_v/∂out_u (its *expansion*);
* ``net`` (seed 002): ∂E/∂net_u · ∂net_u/∂θ, the local gradient δ_u times the input;
* ``activations`` (seed 003): one factor per activation along each path,
  ∂out_u/∂θ · ∂out_v/∂out_u · ∂E/∂out_v;
* ``paths`` (seed 000): every net input and activation along each path.

Terms are listed loss first (∂E/∂out · … · ∂net/∂θ) or, with ``chain_order: local_first``,
the other way round (seeds 001 and 003). Each term is one use of θ (or one path), and the
derivative is the sum of the terms.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .build import Network, Unit
from .derivation import Factor, Gradients, chain_product


@dataclass(frozen=True)
class Link:
    """One factor ∂numerator/∂denominator of a chain.

    ``value`` is the factor in the network's own quantities. When ``expansion`` is not empty
    the factor is ∂E/∂out of a hidden unit, written out as a sum of chains; when ``given`` is
    true the factor is known from elsewhere (a later unit's ∂E/∂out, or a local gradient δ)
    and its value row shows the factor itself.
    """

    numerator: sp.Symbol
    denominator: sp.Symbol
    value: sp.Expr
    expansion: tuple[tuple[Link, ...], ...] = ()
    given: bool = False


Term = tuple[Link, ...]


def chain_terms(grads: Gradients, param: sp.Symbol, granularity: str | None = None,
                order: str | None = None) -> tuple[Term, ...] | None:
    """The terms of ∂E/∂``param`` at ``granularity`` (default: the spec's), or None when
    the per-path granularities would list more paths than a derivation can show."""
    notation = grads.network.spec.notation
    granularity = granularity or notation.chain
    order = order or notation.chain_order
    paths = grads.derivation(param).paths if granularity in ("paths", "activations") else ()
    if granularity == "paths" and paths:
        terms = tuple(_links(p) for p in paths)
    elif granularity == "activations" and paths:
        terms = tuple(_through_activations(p) for p in paths)
    elif paths is None:
        return None
    else:  # also where θ reaches the loss by no path (it feeds a unit that feeds nothing)
        terms = tuple(_at_unit(grads, use.unit, param, use.source,
                               "unit" if granularity in ("paths", "activations") else granularity)
                      for use in grads.uses(param))
    return tuple(_ordered(t, order) for t in _merged(terms))


def _merged(terms: tuple[Term, ...]) -> tuple[Term, ...]:
    """Terms made of the same factors as one term: θ on two edges into one unit is
    ∂net/∂θ = a₁ + a₂ in a single chain, and the paths from a softmax output through each
    net input of its layer are one ∂a/∂a' — never the same chain written twice (which would
    count the path twice). Terms that differ in one factor are merged, one position at a
    time, until none do."""
    merged = list(terms)
    changed = True
    while changed:
        changed = False
        for k in range(max((len(t) for t in merged), default=0)):
            groups: dict[tuple[object, ...], list[Term]] = {}
            for n, t in enumerate(merged):
                key: tuple[object, ...] = (tuple((f.numerator, f.denominator) for f in t),
                                           t[:k], t[k + 1:]) if len(t) > k else (n,)
                groups.setdefault(key, []).append(t)
            out: list[Term] = []
            for group in groups.values():
                first = group[0]
                if len(group) == 1 or first[k].expansion:
                    out.extend(group)
                    continue
                link = first[k]
                total = sp.Add(*[t[k].value for t in group], evaluate=False)
                out.append((*first[:k], Link(link.numerator, link.denominator, total, (),
                                             link.given), *first[k + 1:]))
                changed = True
            merged = out
    return tuple(merged)


def _links(path: tuple[Factor, ...]) -> Term:
    return tuple(Link(f.numerator, f.denominator, f.value) for f in path)


def _through_activations(path: tuple[Factor, ...]) -> Term:
    """A loss-first path with each ∂out/∂net merged into the ∂net/∂· after it."""
    factors = list(reversed(path))  # θ first: ∂net/∂θ, ∂out/∂net, ∂net/∂out, …, ∂E/∂out
    merged: list[Link] = []
    for k in range(0, len(factors) - 1, 2):
        into_net, activation = factors[k], factors[k + 1]
        value = chain_product([activation.value, into_net.value], evaluate=False)
        merged.append(Link(activation.numerator, into_net.denominator, value))
    loss = factors[-1]
    merged.append(Link(loss.numerator, loss.denominator, loss.value))
    return tuple(reversed(merged))


def _at_unit(grads: Gradients, unit: Unit, param: sp.Symbol, source: sp.Symbol | None,
             granularity: str) -> Term:
    net = grads.network
    loss = net.loss_symbol
    into = Link(unit.net, param, source if source is not None else sp.S.One)
    if granularity == "net" or _couples_layer(grads, unit):
        return (Link(loss, unit.net, _delta_value(grads, unit, granularity), given=(
            granularity == "net")), into)
    local = Link(unit.out, unit.net, grads.local_derivative(unit))
    # a unit read by pooling windows keeps ∂E/∂out as one factor: its routing to the
    # windows' maxima is the δ recurrence's, printed once with the local gradients
    pooled = any(c.pool is not None for c in grads.consumers[unit.name])
    if unit.out == unit.net:  # a node named once (x̂_i, μ_B): no ∂x/∂x = 1 factor
        return (_loss_by_out(grads, unit, expand=not pooled), into)
    return (_loss_by_out(grads, unit, expand=not pooled), local, into)


def _couples_layer(grads: Gradients, unit: Unit) -> bool:
    """A softmax unit: its activation depends on every net input of its layer."""
    return len(grads._group(unit.name)) > 1


def _delta_value(grads: Gradients, unit: Unit, granularity: str) -> sp.Expr:
    """∂E/∂net_u: δ_u, or −δ_u where the spec declares δ = −∂E/∂net."""
    if granularity == "net" or unit.name not in grads.output_delta:
        return grads.sign * unit.delta
    return grads.sign * grads.output_delta[unit.name]


def _loss_by_out(grads: Gradients, unit: Unit, *, expand: bool) -> Link:
    """∂E/∂out_u: the loss's own derivative at an output, else (with ``expand``) the sum
    over the units u feeds, one level deep."""
    net = grads.network
    loss = net.loss_symbol
    if unit.name in grads.direct_loss:
        return Link(loss, unit.out, grads.direct_loss[unit.name])
    value = grads.dE_dout[unit.name]
    if not expand:
        return Link(loss, unit.out, value, given=True)
    branches: list[Term] = []
    for consumer, weight in grads.consumer_weights[unit.name]:
        into = Link(consumer.net, unit.out, weight)
        if _couples_layer(grads, consumer):
            branches.append((Link(loss, consumer.net, _delta_value(grads, consumer, "unit"),
                                  given=consumer.name not in grads.output_delta), into))
        elif consumer.out == consumer.net:
            branches.append((_loss_by_out(grads, consumer, expand=False), into))
        else:
            branches.append((_loss_by_out(grads, consumer, expand=False),
                             Link(consumer.out, consumer.net, grads.local_derivative(consumer)),
                             into))
    return Link(loss, unit.out, value, expansion=tuple(branches))


def _ordered(term: Term, order: str) -> Term:
    if order == "loss_first":
        return term
    return tuple(Link(f.numerator, f.denominator, f.value,
                      tuple(_ordered(b, order) for b in f.expansion), f.given)
                 for f in reversed(term))


def backward_order(net: Network) -> tuple[Unit, ...]:
    """The units from the output layer back, each layer in its own order (δ_o1 before δ_o2).

    Every unit comes after all the units it feeds, so each δ is listed after the δs it uses.
    """
    fed: dict[str, list[str]] = {u.name: [] for u in net.units}
    for c in net.units:
        for source, _ in c.incoming:
            if source in fed:
                fed[source].append(c.name)
    height: dict[str, int] = {}
    for u in reversed(net.units):  # topological order reversed: consumers first
        height[u.name] = 1 + max((height[c] for c in fed[u.name]), default=-1)
    return tuple(sorted(net.units, key=lambda u: (height[u.name], u.layer, u.index)))
