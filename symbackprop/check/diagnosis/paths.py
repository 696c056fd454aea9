"""Likely mistakes in the chain rule's sum over paths: a path or a group of paths left out,
one group kept alone, the softmax Jacobian taken as its diagonal.

A gradient is the sum, over every path from the quantity to the loss, of the product of the
partial derivatives along it. On a 3-4-3 tanh/softmax network ∂L/∂w^{[1]}_{1,1} has nine:
through each z^{[2]}_j and then each a^{[2]}_i. A student who keeps the three through
z^{[2]}_1 has forgotten the other two output paths; one who drops every ∂a_i/∂z_j with
i ≠ j has taken the softmax Jacobian as diagonal. Each candidate is a sum of paths, so what
it says is true whenever its values match.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy as sp

from ...network.build import Network, Unit
from ...network.derivation import MAX_PATHS, Factor, Gradients

Path = tuple[Factor, ...]
MAX_NAMED = 4  # off-diagonal factors named in a diagnosis


@dataclass(frozen=True)
class PathSum:
    """A likely mistake that is a sum of paths: its words and the expression it values."""

    words: str
    expr: sp.Expr
    keeps: bool  # the formula is this sum (True), or the truth minus it (False)


def paths_from(grads: Gradients, unit: Unit, start: sp.Symbol) -> tuple[Path, ...] | None:
    """Every path from ``start`` (the net input or the activation of ``unit``) to the loss,
    nearest the loss first (None when there are more than the derivation allows)."""
    loss = grads.network.loss_symbol
    found: list[Path] = []

    def walk(u: Unit, prefix: list[Factor]) -> bool:  # from net_u towards the loss
        for k in grads._group(u.name):
            step = [*prefix, Factor(k.out, u.net, grads.local_derivative_between(k, u))]
            if not from_out(k, step):
                return False
        return True

    def from_out(k: Unit, prefix: list[Factor]) -> bool:
        if k.name in grads.direct_loss:
            found.append(tuple([*prefix, Factor(loss, k.out, grads.direct_loss[k.name])]))
            if len(found) > MAX_PATHS:
                return False
        return all(walk(c, [*prefix, Factor(c.net, k.out, w)])
                   for c, w in grads.consumer_weights[k.name])

    done = walk(unit, []) if start == unit.net else from_out(unit, [])
    return tuple(tuple(reversed(p)) for p in found) if done else None


def path_sums(net: Network, paths: Sequence[Path], text_of: Callable[[sp.Symbol], str]
              ) -> list[PathSum]:
    """The sums of paths a student may have written instead of all of them: the diagonal of
    a softmax Jacobian, then the paths through each quantity they do not all pass through,
    kept alone or left out."""
    if len(paths) < 2:
        return []
    out = _diagonal(net, paths, text_of)
    through: dict[sp.Symbol, frozenset[int]] = {}
    for n, path in enumerate(paths):
        for f in path[1:]:  # numerators below the loss
            through.setdefault(f.numerator, frozenset())
            through[f.numerator] |= {n}
    everything = frozenset(range(len(paths)))
    kinds = net.kinds
    layer = {s: u.layer for u in net.units for s in (u.net, u.out)}
    seen: set[frozenset[int]] = set()
    # an activation names its paths as the seeds do; its net input only where they differ
    order = sorted(through, key=lambda s: (kinds.get(s) != "out", str(s)))
    for node in order:
        group = through[node]
        if group == everything or len(group) < 2 or group in seen:
            continue
        seen.add(group)
        others = [m for m in order if kinds.get(m) == kinds.get(node) and
                  layer.get(m) == layer.get(node) and not through[m] & group]
        covered = frozenset().union(*(through[m] for m in others)) if others else frozenset()
        total = sp.Add(*[_product(paths[n]) for n in sorted(group)])
        name = text_of(node)
        out.append(PathSum(f"it misses the paths through {name} (terms of the sum)", total,
                           keeps=False))
        if others and covered | group == everything:
            missing = _listed([text_of(m) for m in others])
            out.append(PathSum(f"it keeps only the paths through {name}: the paths through "
                               f"{missing} are missing", total, keeps=True))
        else:
            out.append(PathSum(f"it keeps only the paths through {name}: the other paths "
                               f"of the sum are missing", total, keeps=True))
    return out


def _diagonal(net: Network, paths: Sequence[Path], text_of: Callable[[sp.Symbol], str]
              ) -> list[PathSum]:
    """The paths whose softmax factors ∂a_i/∂z_j all have i = j, when some have i ≠ j."""
    softmax = {u.out: u for u in net.units if u.activation.kind == "softmax"}
    nets = {u.net: u for u in net.units}
    kept, dropped = [], []
    for path in paths:
        off = [f for f in path if f.numerator in softmax and f.denominator in nets and
               softmax[f.numerator] is not nets[f.denominator]]
        (dropped if off else kept).append(path)
    if not dropped or not kept:
        return []
    factors = list(dict.fromkeys(
        f"∂{text_of(f.numerator)}/∂{text_of(f.denominator)}" for path in dropped for f in path
        if f.numerator in softmax and f.denominator in nets and
        softmax[f.numerator] is not nets[f.denominator]))
    named = ", ".join(factors[:MAX_NAMED]) + (", …" if len(factors) > MAX_NAMED else "")
    return [PathSum(f"it takes the softmax Jacobian as diagonal: the terms with {named} are "
                    f"missing (a softmax output depends on every net input of its layer: "
                    f"∂a_i/∂z_j = −a_i a_j for i ≠ j)",
                    sp.Add(*[_product(p) for p in kept]), keeps=True)]


def _product(path: Path) -> sp.Expr:
    return sp.Mul(*[f.value for f in path])


def _listed(names: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
