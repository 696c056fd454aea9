"""Spec → symbolic network: pre-activations and activations as Symbols with definitions.

Keeping every ``net`` and ``out`` as a Symbol with its definition beside it keeps chain-rule
factors readable (∂E/∂out · ∂out/∂net · ∂net/∂w) and derivation cost linear in the number
of parameters; the fully substituted closed form is one :meth:`Network.substitute` away.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

import sympy as sp

from ..errors import SymbackpropError
from ..spec.load import ActivationSpec, NetworkSpec
from ..spec.naming import Names
from ..spec.typesetting import upright
from .display import Displayable
from .functions import ACTIVATIONS, unspecified
from .kinds.nodes import expression, local_derivatives
from .kinds.pool import pool_definition, pool_factors
from .losses import loss_expression, unspecified_loss
from .symbols import real_symbols, symbol_product


@dataclass(frozen=True)
class Unit:
    """One unit: its symbols and how its net input and activation are defined."""

    name: str
    layer: int
    index: int
    net: sp.Symbol
    out: sp.Symbol
    target: sp.Symbol | None
    delta: sp.Symbol
    activation: ActivationSpec
    # (source unit or input, weight symbol); for a pooling unit (source, ∂net/∂out_source)
    incoming: tuple[tuple[str, sp.Expr], ...]
    bias: sp.Symbol | None
    constant: sp.Rational | None = None  # a constant, non-trainable bias (net = Σ w x + 1)
    group: int = 0  # a recurrent network's step: a softmax normalises within it
    # "max" | "avg": net is the max or mean of its sources; "dropout": m_j / p times its one
    pool: str | None = None
    # a formula node (spec `nodes:`): net is this expression of its parents and parameters,
    # ``incoming`` pairs each parent with ∂formula/∂out_parent, ``uses`` each parameter with
    # ∂formula/∂θ; ``written`` is the formula with its terms in the order the spec writes them
    formula: sp.Expr | None = None
    uses: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()
    written: sp.Expr | None = None

    @property
    def weighted(self) -> bool:
        """Whether net is Σ w · out + b, each incoming factor a weight (not a pooling or
        formula unit, whose incoming factors are local derivatives)."""
        return self.pool is None and self.formula is None


@dataclass(frozen=True)
class Network(Displayable):
    """The symbolic network built from a spec."""

    spec: NetworkSpec
    inputs: tuple[sp.Symbol, ...]
    units: tuple[Unit, ...]  # in topological order
    params: tuple[sp.Symbol, ...]
    targets: tuple[sp.Symbol, ...]
    loss_symbol: sp.Symbol
    loss: sp.Expr  # in terms of output activations and targets
    latex_names: dict[sp.Symbol, str]
    kinds: dict[sp.Symbol, str]  # symbol → input|param|net|out|target|delta|loss
    stand_ins: dict[str, str] = field(default_factory=dict)  # unspecified f → numeric stand-in
    decay: sp.Symbol | None = None  # λ of a weight decay, J = L + λ/2 Σ w²
    decayed: tuple[sp.Symbol, ...] = ()  # the parameters in that sum
    frozen: tuple[sp.Symbol, ...] = ()  # parameters that are not trained (`frozen:`)

    @cached_property
    def trained(self) -> tuple[sp.Symbol, ...]:
        """The parameters that are trained: every parameter but the frozen ones. Gradients
        and updates are listed for these; a frozen parameter keeps its symbol and value."""
        frozen = set(self.frozen)
        return tuple(p for p in self.params if p not in frozen)

    @property
    def penalty(self) -> sp.Expr:
        """λ/2 Σ w² over the decayed parameters (0 without weight decay)."""
        if self.decay is None:
            return sp.S.Zero
        return self.decay / 2 * sp.Add(*[w ** 2 for w in self.decayed])

    @property
    def objective(self) -> sp.Expr:
        """The loss the gradients are of: the loss of the outputs plus the penalty."""
        return self.loss + self.penalty

    def decay_term(self, param: sp.Symbol) -> sp.Expr:
        """∂(λ/2 Σ w²)/∂param: λ · param for a decayed parameter, else 0."""
        return self.decay * param if self.decay is not None and param in self.decayed \
            else sp.S.Zero

    def with_decay_value(self, expr: sp.Expr) -> sp.Expr:
        """``expr`` with λ replaced by the spec's value (for numbers); an error without one."""
        if self.decay is None or not expr.has(self.decay):
            return expr
        value = self.spec.values.weight_decay
        if value is None:
            raise SymbackpropError(
                f"the weight decay {self.decay.name} has no value", field="values.weight_decay",
                file=self.spec.file, hint="give it under `values: {weight_decay: 0.01}`")
        exact = getattr(value, "exact", None)
        number = sp.Rational(exact.numerator, exact.denominator) if exact is not None \
            else sp.Rational(repr(float(value)))
        return expr.xreplace({self.decay: number})

    def with_stand_ins(self, stand_ins: Mapping[str, str]) -> Network:
        """The same network with its unspecified functions evaluated as ``stand_ins``.

        Symbols and derivations are unchanged (f stays f); only numbers use the stand-ins.
        """
        return replace(self, stand_ins={**self.stand_ins, **stand_ins})

    def with_weight_decay(self, value: float | None) -> Network:
        """The same network with λ valued ``value`` (a values file's), where it has one."""
        if value is None or self.decay is None:
            return self
        return replace(self, spec=replace(self.spec, values=replace(self.spec.values,
                                                                    weight_decay=value)))

    @property
    def functions(self) -> tuple[str, ...]:
        """The unspecified functions of the network, in order of first use."""
        return self.spec.names.functions

    @cached_property
    def unit_by_name(self) -> dict[str, Unit]:
        return {u.name: u for u in self.units}

    @cached_property
    def outputs(self) -> tuple[Unit, ...]:
        return tuple(self.unit_by_name[n] for n in self.spec.outputs)

    @cached_property
    def symbol_by_name(self) -> dict[str, sp.Symbol]:
        return {s.name: s for s in self.latex_names}

    @cached_property
    def source_out(self) -> dict[str, sp.Symbol]:
        """Output symbol of every input and unit, by name."""
        out = {i.name: s for i, s in zip(self.spec.inputs, self.inputs, strict=True)}
        out.update({u.name: u.out for u in self.units})
        return out

    @cached_property
    def net_definitions(self) -> dict[sp.Symbol, sp.Expr]:
        """net_u = Σ w · out_source + b for every unit."""
        defs: dict[sp.Symbol, sp.Expr] = {}
        for u in self.units:
            if u.formula is not None:
                defs[u.net] = u.formula
                continue
            if u.pool in ("max", "avg"):
                defs[u.net] = pool_definition(u.pool, [self.source_out[s] for s, _ in
                                                       u.incoming])
                continue
            terms = [symbol_product(w, self.source_out[s]) for s, w in u.incoming]
            if u.bias is not None:
                terms.append(u.bias)
            if u.constant is not None:
                terms.append(u.constant)
            defs[u.net] = sp.Add(*terms)
        return defs

    def net_display(self, unit: Unit) -> sp.Expr:
        """net_u as the seeds write it: w·out terms in edge order, then the bias."""
        if unit.written is not None:  # a formula node: as the spec writes it
            return unit.written
        if unit.pool == "avg":  # (1/n)(a_1 + … + a_n), as the mean is written
            outs = [self.source_out[s] for s, _ in unit.incoming]
            return sp.Mul(sp.Rational(1, len(outs)), sp.Add(*outs, evaluate=False),
                          evaluate=False)
        if unit.pool in ("max", "avg"):
            return self.net_definitions[unit.net]
        terms: list[sp.Expr] = [sp.Mul(w, self.source_out[s], evaluate=False)
                                for s, w in unit.incoming]
        if unit.bias is not None:
            terms.append(unit.bias)
        if unit.constant is not None:
            terms.append(unit.constant)
        return sp.Add(*terms, evaluate=False) if len(terms) > 1 else terms[0]

    @cached_property
    def out_definitions(self) -> dict[sp.Symbol, sp.Expr]:
        """out_u = act(net_u) for every unit (softmax takes its whole layer)."""
        defs: dict[sp.Symbol, sp.Expr] = {}
        for u in self.units:
            defs[u.out] = self.activation_of(u)
        return defs

    @cached_property
    def units_by_layer(self) -> dict[int, tuple[Unit, ...]]:
        """The units of every layer position, in topological order."""
        grouped: dict[int, list[Unit]] = {}
        for u in self.units:
            grouped.setdefault(u.layer, []).append(u)
        return {layer: tuple(us) for layer, us in grouped.items()}

    def layer_units(self, layer: int) -> tuple[Unit, ...]:
        return self.units_by_layer.get(layer, ())

    def softmax_group(self, unit: Unit) -> tuple[Unit, ...]:
        """The units a softmax normalises ``unit`` with: its layer (one step's, in a
        recurrent network)."""
        return self._groups[(unit.layer, unit.group)]

    @cached_property
    def _groups(self) -> dict[tuple[int, int], tuple[Unit, ...]]:
        # one pass over the units: asking each unit's group anew would cost the layer's size
        found: dict[tuple[int, int], list[Unit]] = {}
        for u in self.units:
            found.setdefault((u.layer, u.group), []).append(u)
        return {key: tuple(group) for key, group in found.items()}

    def activation_of(self, unit: Unit) -> sp.Expr:
        """The activation applied to the unit's net symbol."""
        act = unit.activation
        if act.kind == "unspecified":
            return unspecified(act.fname or "f")(unit.net)
        if act.kind == "softmax":
            group = self.softmax_group(unit)
            return ACTIVATIONS["softmax"].apply(*[g.net for g in group], k=group.index(unit))
        kwargs = {"alpha": sp.Rational(act.alpha.numerator, act.alpha.denominator)} \
            if act.alpha is not None else {}
        return ACTIVATIONS[act.kind].apply(unit.net, **kwargs)

    @cached_property
    def definitions(self) -> list[tuple[sp.Symbol, sp.Expr]]:
        """All (symbol, definition) pairs in evaluation order: net then out, unit by unit."""
        out: list[tuple[sp.Symbol, sp.Expr]] = []
        waiting: dict[tuple[int, int], int] = {}  # softmax group → net inputs still to define
        for u in self.units:
            out.append((u.net, self.net_definitions[u.net]))
            if u.activation.kind != "softmax":
                out.append((u.out, self.out_definitions[u.out]))
                continue
            # a softmax output needs the net inputs of its whole layer (or step) first
            group = self.softmax_group(u)
            key = (u.layer, u.group)
            waiting[key] = waiting.get(key, len(group)) - 1
            if waiting[key] == 0:
                out.extend((g.out, self.out_definitions[g.out]) for g in group)
        return out

    def substitute(self, expr: sp.Expr) -> sp.Expr:
        """Replace every net/out symbol by its definition: the fully expanded closed form."""
        for sym, definition in reversed(self.definitions):
            expr = expr.xreplace({sym: definition})
        return expr

    @cached_property
    def _out_reverse(self) -> dict[sp.Expr, sp.Symbol]:
        reverse: dict[sp.Expr, sp.Symbol] = {}
        for u in self.units:
            activation = self.out_definitions[u.out]
            if activation != u.net:
                reverse[activation] = u.out
        return reverse

    def out_form(self, expr: sp.Expr) -> sp.Expr:
        """Rewrite act(net_u) back to out_u, so results read in the network's own quantities."""
        reverse = self._out_reverse
        return expr.xreplace(reverse) if reverse else expr

    def latex_of(self, sym: sp.Symbol) -> str:
        return self.latex_names.get(sym, sym.name)


def frozen_note(net: Network) -> str:
    """What freezing means, naming the frozen parameters (``frozen:`` in the spec)."""
    names = [p.name for p in net.frozen]
    which = names[0] + " is" if len(names) == 1 else \
        ", ".join(names[:-1]) + " and " + names[-1] + " are"
    one = len(names) == 1
    return (f"{which} frozen: not trained, so no gradient or update is derived for "
            f"{'it' if one else 'them'}; {'it enters' if one else 'they enter'} the other "
            f"gradients as {'itself' if one else 'themselves'}")


_KINDS = {"input": "input", "parameter": "param", "net input": "net", "activation": "out",
          "target": "target", "delta": "delta", "loss": "loss"}


def build_network(spec: NetworkSpec) -> Network:
    """Turn a validated spec into symbols and definitions.

    >>> from symbackprop.spec.load import load_spec
    >>> net = build_network(load_spec("specs/seed-004-mazur-2-2-2.yaml"))  # doctest: +SKIP
    >>> net.net_definitions[net.unit_by_name["h1"].net]  # doctest: +SKIP
    b1 + i1*w1 + i2*w2
    """
    latex: dict[sp.Symbol, str] = {}
    kinds: dict[sp.Symbol, str] = {}
    names = spec.names

    def symbol(role: str, owner: str = "") -> sp.Symbol:
        """The symbol of ``owner``'s ``role``, under the name the naming authority gave it."""
        quantity = names.of(role, owner)
        sym = sp.Symbol(quantity.name, real=True)
        latex[sym] = upright(quantity.latex)  # out_{h1} prints as \mathrm{out}_{h1}
        kinds[sym] = _KINDS[role]
        return sym

    inputs = tuple(symbol("input", i.name) for i in spec.inputs)
    inputs_by_name = {i.name: sym for i, sym in zip(spec.inputs, inputs, strict=True)}
    # the parameters, as symbol() makes them, their symbols and LaTeX names made at once
    quantities = [names.of("parameter", p.name) for p in spec.params]
    params: dict[str, sp.Symbol] = {}
    for p, sym, tex in zip(spec.params, real_symbols([q.name for q in quantities]),
                           upright.many([q.latex for q in quantities]), strict=True):
        params[p.name] = sym
        latex[sym] = tex
        kinds[sym] = _KINDS["parameter"]
    incoming: dict[str, list[tuple[str, sp.Expr]]] = {u.name: [] for u in spec.units}
    for e in spec.edges:
        incoming[e.target].append((e.source, params[e.weight]))
    pool_of = {link.unit: link.kind for link in spec.pools}
    for link in spec.pools:  # the local derivative ∂pool/∂source stands for the weight
        windows = [sp.Symbol(names.of("activation", s).name, real=True)
                   if s not in inputs_by_name else inputs_by_name[s] for s in link.sources]
        factors = [sp.Rational(link.scale.numerator, link.scale.denominator)] \
            if link.kind == "dropout" else pool_factors(link.kind, windows)
        incoming[link.unit] += zip(link.sources, factors, strict=True)
    formula_of = _formulas(spec, names, inputs_by_name, params, incoming)
    bias_of = {unit: params[b] for unit, b in spec.biases}
    constant_of = {unit: sp.Rational(v.numerator, v.denominator) for unit, v in spec.constants}
    outputs = set(spec.outputs)
    built: dict[str, Unit] = {}
    for u in spec.units:
        target = symbol("target", u.name) if u.name in outputs else None
        net = symbol("net input", u.name)
        built[u.name] = Unit(
            name=u.name, layer=u.layer, index=u.index,
            net=net, out=symbol("activation", u.name), target=target,
            delta=symbol("delta", u.name),
            activation=u.activation, incoming=tuple(incoming[u.name]),
            bias=bias_of.get(u.name), constant=constant_of.get(u.name), group=u.group,
            pool=pool_of.get(u.name), **formula_of.get(u.name, {}),
        )
    order = _topological(spec, built)
    loss_symbol = symbol("loss")
    out_units = [built[n] for n in spec.outputs]
    outs = [u.out for u in out_units]
    targets = [u.target for u in out_units if u.target is not None]
    if spec.loss.formula is not None:  # a loss formula of the outputs and their targets
        loss = expression(spec.loss.formula, {
            **{u.name: u.out for u in out_units},
            **{names.of("target", u.name).name: u.target for u in out_units
               if u.target is not None}})
    elif spec.loss.kind == "unspecified":  # C(a, y): its derivatives stay symbols ∂C/∂a
        loss_tex = latex[loss_symbol]
        loss, gradients = unspecified_loss(spec.loss, outs, targets, loss_tex,
                                            loss_symbol.name)
        for g, of in zip(gradients, [*outs, *targets], strict=True):
            latex[g] = rf"\frac{{\partial {loss_tex}}}{{\partial {latex[of]}}}"
            kinds[g] = "loss_gradient"
    else:
        loss = loss_expression(spec.loss, outs, targets)
    decay, decayed = None, ()
    if spec.weight_decay is not None:  # λ: a constant of the objective, not a parameter
        quantity = names.of("weight decay")
        # λ's plain name is `lambda_` (a Python keyword otherwise); it prints as the word a
        # formula writes and check reads, `lambda`
        decay = sp.Symbol("lambda" if quantity.name == "lambda_" else quantity.name,
                          positive=True)
        latex[decay] = quantity.latex
        kinds[decay] = "decay"
        decayed = tuple(params[p.name] for p in spec.params
                        if p.kind == "weight" or spec.weight_decay.biases)
    return Network(
        decay=decay, decayed=decayed, frozen=tuple(params[name] for name in spec.frozen),
        spec=spec, inputs=inputs, units=tuple(built[n] for n in order),
        params=tuple(params[p.name] for p in spec.params),
        targets=tuple(u.target for u in out_units if u.target is not None),
        loss_symbol=loss_symbol, loss=loss, latex_names=latex, kinds=kinds,
        stand_ins=dict(spec.values.functions),
    )


def _formulas(spec: NetworkSpec, names: Names, inputs: Mapping[str, sp.Symbol],
              params: Mapping[str, sp.Symbol],
              incoming: dict[str, list[tuple[str, sp.Expr]]]) -> dict[str, dict[str, object]]:
    """The Unit fields of every formula node; each parent link goes into ``incoming`` with
    its local derivative ∂formula/∂out_parent (one small ``diff`` per link)."""
    if not spec.formulas:
        return {}
    outs = {u.name: sp.Symbol(names.of("activation", u.name).name, real=True)
            for u in spec.units}
    symbols = {**inputs, **params, **outs}
    fields: dict[str, dict[str, object]] = {}
    for f in spec.formulas:
        formula = expression(f.term, symbols)
        parents = {p: symbols[p] for p in f.parents}
        # tanh(m·h + c)′ reads m·(1 − g²) once tanh(m·h + c) is the node g itself
        own = {formula: outs[f.unit]}
        incoming[f.unit] += local_derivatives(formula, parents, own)
        uses = local_derivatives(formula, {p: params[p] for p in f.params}, own)
        fields[f.unit] = {"formula": formula, "written": expression(f.term, symbols,
                                                                    written=True),
                          "uses": tuple((params[p], d) for p, d in uses)}
    return fields


def _topological(spec: NetworkSpec, units: dict[str, Unit]) -> list[str]:
    """Units ordered so every unit comes after its sources (layer order where possible)."""
    order: list[str] = []
    done: set[str] = {i.name for i in spec.inputs}
    pending = [u.name for u in spec.units]
    while pending:
        rest = []
        for name in pending:
            if all(s in done for s, _ in units[name].incoming):
                order.append(name)
                done.add(name)
            else:
                rest.append(name)
        if len(rest) == len(pending):  # pragma: no cover - the spec rejects cycles
            raise ValueError("cycle")
        pending = rest
    return order
