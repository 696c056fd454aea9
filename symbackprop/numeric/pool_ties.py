"""Points without ties in max pooling, for finite differences.

At a tie the maximum of a window has a kink: the derivation routes the whole gradient to the
first maximum (``docs/spec.md``), while a central difference straddles the kink and sees the
mean of the one-sided slopes. A gradient check therefore draws its random values again until
no max-pooling window has two live maxima, and says so when the values given have one.
"""

from __future__ import annotations

from ..network.build import Network, Unit
from ..network.derivation import Gradients
from ..spec.model import Values
from .lambdified import compile_network
from .points import complete_values

ATTEMPTS = 20
TIE = 1e-9  # relative distance under which two window values count as equal


def max_pool_ties(net: Network, grads: Gradients, point: Values) -> list[str]:
    """The max-pooling units whose window reaches its maximum twice at some example, where
    the tied values carry a gradient (dead ReLU units tied at 0 carry none).

    >>> max_pool_ties(net, derive(net), values)  # doctest: +SKIP
    ['u2_1_1_1']
    """
    pools = [u for u in net.units if u.pool == "max"]
    if not pools or not point.examples:
        return []
    compiled = compile_network(net, grads)
    found: list[str] = []
    for ex in point.examples:
        run = compiled.run(point.params, ex.inputs, ex.targets)
        for u in pools:
            if u.name not in found and _tied(net, u, run.outs, run.nets, ex.inputs):
                found.append(u.name)
    return found


def _tied(net: Network, unit: Unit, outs: dict[str, object], nets: dict[str, object],
          inputs: dict[str, float]) -> bool:
    values = [float(outs[s]) if s in outs else float(inputs[s])  # type: ignore[arg-type]
              for s, _ in unit.incoming]
    top = max(values)
    tied = [s for (s, _), v in zip(unit.incoming, values, strict=True)
            if abs(v - top) <= TIE * max(1.0, abs(top))]
    if len(tied) < 2:
        return False
    units = net.unit_by_name

    def dead(name: str) -> bool:  # a ReLU unit below its kink passes no gradient
        u = units.get(name)
        return u is not None and u.activation.kind == "relu" and \
            float(nets[name]) < 0  # type: ignore[arg-type]

    return sum(not dead(s) for s in tied) > 0


def without_ties(net: Network, grads: Gradients, given: Values, point: Values,
                 notes: list[str], *, seed: int) -> tuple[Values, list[str]]:
    """``point``, or values drawn again where it has a tie in a max-pooling window; a note
    when the tie stays (the values given make it)."""
    for attempt in range(1, ATTEMPTS + 1):
        ties = max_pool_ties(net, grads, point)
        if not ties:
            if attempt > 1:
                notes = [*notes, f"random values drawn again (seed {seed + attempt - 1}) "
                                 "to avoid a tie in a max-pooling window"]
            return point, notes
        if not notes:  # nothing was drawn: the tie is the user's
            break
        point, notes = complete_values(net, given, seed=seed + attempt)
    return point, [*notes, f"the window of {ties[0]} has two equal maxima: the derivation "
                           "routes its gradient to the first, a finite difference straddles "
                           "the kink"]
