"""The quantities a formula may name beyond the network's own symbols.

* each output's share of the loss, named by the notation's ``loss_term`` (seed 004's
  E_{o1} and E_{o2}, with E_{total} = E_{o1} + E_{o2});
* the cost J over m examples (``notation.cost``; the count is ``cost.examples``, else m);
* the learning rate (``notation.learning_rate``; α, η, γ, ε, λ also name it);
* the name of the network as a function of its input (``notation.function``, f), unless
  the spec uses it already (``function_taken`` says how).

They get their own Symbols and kinds (``loss_term``, ``cost``, ``count``, ``rate``) beside
the network's (input, param, target, net, out, delta, loss), and their names go through the
same clash check: a name the network already uses is never given a second meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ...network.build import Network, Unit
from ...network.losses import output_loss_terms
from ...spec.naming import expand, plain_name

RATE_WORDS = (r"\alpha", r"\eta", r"\gamma", r"\epsilon", r"\varepsilon", r"\lambda")
"""Letters that name the learning rate in update rules, beside the spec's own."""


@dataclass
class Quantities:
    """The network's symbols and the check stage's own, with LaTeX names and kinds."""

    net: Network
    latex: dict[sp.Symbol, str]
    kinds: dict[sp.Symbol, str]
    loss_terms: dict[sp.Symbol, tuple[Unit, sp.Expr]]
    rate: sp.Symbol
    rate_names: tuple[str, ...]
    cost: sp.Symbol
    count: sp.Symbol
    example_index: str
    notes: list[str] = field(default_factory=list)
    function: str = "f"  # the network as a function of its input (notation.function)
    function_taken: str | None = None  # why that name cannot mean the network, if it cannot

    @property
    def loss(self) -> sp.Symbol:
        return self.net.loss_symbol

    def latex_of(self, sym: sp.Symbol) -> str:
        return self.latex.get(sym, sym.name)

    def per_example(self, sym: sp.Symbol) -> bool:
        """Whether ``sym`` has one value per training example (not parameters or the rate)."""
        return self.kinds.get(sym) in ("input", "target", "net", "out", "delta", "loss",
                                       "loss_term")


def _fresh(name: str, taken: set[str]) -> str:
    while name in taken:
        name += "_"
    return name


def quantities_of(net: Network) -> Quantities:
    """The network's quantities plus loss terms, the cost, its count and the learning rate."""
    latex = dict(net.latex_names)
    kinds = dict(net.kinds)
    taken_plain = {s.name for s in latex} | {plain_name(t) for t in latex.values()}
    taken_plain |= {u.name for u in net.units} | {i.name for i in net.spec.inputs}
    notation = net.spec.notation
    notes: list[str] = []

    def add(name: str, tex: str, kind: str, **assumptions: bool) -> sp.Symbol:
        sym = sp.Symbol(name, **(assumptions or {"real": True}))
        latex[sym] = tex
        kinds[sym] = kind
        return sym

    def claim(tex: str, kind: str, **assumptions: bool) -> sp.Symbol | None:
        """A symbol for ``tex``, or None when its plain name is taken."""
        name = plain_name(tex)
        if name in taken_plain:
            return None
        taken_plain.add(name)
        return add(name, tex, kind, **assumptions)

    def own(tex: str, kind: str, fallback: str, **assumptions: bool) -> sp.Symbol:
        """A symbol for ``tex``; one with a fresh plain name when that name is taken."""
        found = claim(tex, kind, **assumptions)
        if found is not None:
            return found
        name = _fresh(fallback, taken_plain | {s.name for s in latex})
        taken_plain.add(name)
        return add(name, tex, kind, **assumptions)

    loss_terms: dict[sp.Symbol, tuple[Unit, sp.Expr]] = {}
    outputs = list(net.outputs)
    targets = [u.target for u in outputs]
    if outputs and all(t is not None for t in targets) and \
            net.spec.loss.kind not in ("unspecified", "formula"):  # no share per output
        shares = output_loss_terms(net.spec.loss, [u.out for u in outputs],
                                   [t for t in targets if t is not None])
        for u, share in zip(outputs, shares, strict=True):
            tex = expand(notation.loss_term, unit=u.name, index=u.index, layer=u.layer)
            sym = claim(tex, "loss_term")
            if sym is None:
                notes.append(f"the loss term {tex} is not available: the name is taken")
            else:
                loss_terms[sym] = (u, share)
    cost_spec = net.spec.cost
    # the cost may share the loss's name (seed 000's E): it still gets its own symbol
    cost = own(notation.cost, "cost", plain_name(notation.cost) + "_cost")
    count_name = cost_spec.examples if cost_spec is not None else "m"
    count = own(count_name, "count", "m_examples", integer=True, positive=True)
    rate = own(notation.learning_rate, "rate", "learning_rate", positive=True)
    rate_names = tuple(dict.fromkeys(
        [notation.learning_rate, *(w for w in RATE_WORDS if plain_name(w) not in taken_plain
                                   or plain_name(w) == rate.name)]))
    index = cost_spec.index if cost_spec is not None else "i"
    return Quantities(net, latex, kinds, loss_terms, rate, rate_names, cost, count, index, notes,
                      notation.function, _function_taken(net, notation.function, taken_plain))


def _function_taken(net: Network, name: str, taken: set[str]) -> str | None:
    """Why the notation's name for the network as a function names something else, if it
    does: a quantity or an activation function of the spec (never read as both)."""
    plain = plain_name(name)
    if any((u.activation.fname or "f") == plain for u in net.units
           if u.activation.kind == "unspecified"):
        return f"{name} is the activation function of the spec"
    if plain in taken:
        return f"{name} names a quantity of the spec"
    return None
