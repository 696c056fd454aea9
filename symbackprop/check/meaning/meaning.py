"""Give a syntax tree its meaning in the network: SymPy objects, guarded as they are built.

A :class:`Scope` says what names mean here: the network's name table, the parameter that
generic ``w``/``b``/``θ`` stand for, the values of free indices (one instance of an index
formula), the example indices bound by sums over the training examples, and a derivation's
own definitions (``Let x = …``). :func:`meaning` walks a tree and returns its value:

* ``∂A/∂B`` factors become placeholder symbols with a :class:`Partial` record (their values
  come from the graph, :mod:`symbackprop.check.meaning.graph`), so chains can be checked factor by
  factor;
* ``∂/∂B [ … ]`` is the total derivative of the written expression;
* sums over units are expanded over every index value whose names exist; sums over the
  training examples stay SymPy ``Sum`` objects over per-example arrays (``L^{(i)}``);
* indicators and cases become unit steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import sympy as sp

from ...network.functions import leaky_relu, leaky_step, unspecified
from ...network.kinds.pool import first_max, pool_max
from ..reading.scripts import INDEX_LETTERS, example_mark, index_letters, update_mark
from ..reading.syntax import (
    Add,
    Call,
    Cases,
    Compare,
    Deriv,
    DerivOp,
    Div,
    Indicator,
    Mul,
    Name,
    Neg,
    Node,
    Num,
    Pow,
    Sum,
    names_in,
)
from ..reading.tokens import formula_error
from .arithmetic import apply_function, check_size, divide, number, power, product
from .free_indices import outside_family
from .names import Lookup, NameTable
from .network_calls import read_network_call
from .recurrent_steps import initial_zero
from .sums import array_name, bound_letters, gradient_array_name, read_sum

if TYPE_CHECKING:
    from .graph import Graph

@dataclass(frozen=True)
class Partial:
    """A factor ∂numerator/∂denominator written in a formula."""

    numerator: sp.Symbol
    denominator: sp.Symbol
    text: str

    def plain(self) -> str:
        return f"∂{self.numerator.name}/∂{self.denominator.name}"


@dataclass
class Locals:
    """A derivation's own quantities: ``Let x = 1 + e^{-z}`` defines x; z is a variable."""

    symbols: dict[str, sp.Symbol] = field(default_factory=dict)
    definitions: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)
    kinds: dict[sp.Symbol, str] = field(default_factory=dict)
    functions: dict[str, type] = field(default_factory=dict)

    def variable(self, raw: str) -> sp.Symbol:
        if raw not in self.symbols:
            sym = sp.Dummy(raw, real=True)
            self.symbols[raw] = sym
            self.kinds[sym] = "free"
        return self.symbols[raw]


@dataclass
class Scope:
    """What names mean where a formula is read."""

    table: NameTable
    graph: Graph
    param: sp.Symbol | None = None
    param_role: str | None = None  # the role of a generic parameter name that was met
    indices: dict[str, int] = field(default_factory=dict)
    examples: dict[str, tuple[sp.Symbol, sp.Expr]] = field(default_factory=dict)
    locals: Locals | None = None
    defining: bool = False  # inside a Let: unknown names are new variables
    cost_context: bool = False
    unit: object | None = None  # the output unit a Σ without index runs over

    def with_index(self, letter: str, value: int) -> Scope:
        return replace(self, indices={**self.indices, letter: value})


@dataclass
class Reading:
    """What reading one side gave: its value, the ∂ placeholders, notes and marks."""

    partials: dict[sp.Symbol, Partial] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    decimals: bool = False
    next_values: dict[sp.Symbol, sp.Symbol] = field(default_factory=dict)  # θ⁺ → θ
    examples: bool = False


def _step(x: sp.Expr) -> sp.Expr:
    from ...network.functions import step

    return step(x)


class _Reader:
    def __init__(self, scope: Scope, reading: Reading) -> None:
        self.scope = scope
        self.reading = reading

    def read(self, node: Node) -> sp.Expr:
        method = getattr(self, "_" + type(node).__name__.lower())
        return method(node)

    # -- arithmetic ----------------------------------------------------------------
    def _num(self, node: Num) -> sp.Expr:
        if node.decimal:
            self.reading.decimals = True
        from ..reading.tokens import Token

        return number(Token("num", node.text, node.pos))

    def _neg(self, node: Neg) -> sp.Expr:
        return -self.read(node.arg)

    def _add(self, node: Add) -> sp.Expr:
        return sp.Add(*[self.read(t) for t in node.terms])

    def _mul(self, node: Mul) -> sp.Expr:
        return product([self.read(f) for f in node.factors])

    def _div(self, node: Div) -> sp.Expr:
        return divide(self.read(node.top), self.read(node.bottom), node.pos)

    def _pow(self, node: Pow) -> sp.Expr:
        return power(self.read(node.base), self.read(node.exp), node.pos)

    # -- names ---------------------------------------------------------------------
    def _name(self, node: Name) -> sp.Expr:
        found = self.resolve(node.written, node.pos)
        if found is None:
            if node.written == "e":
                return sp.E
            raise self.scope.table.unknown(node.written, node.pos)
        return found

    def noted(self, found: Lookup) -> sp.Symbol:
        if found[1]:
            self.reading.notes.append(found[1])
        return found[0]

    def resolve(self, raw: str, pos: int) -> sp.Expr | None:
        """The value of a name here, None when it names nothing."""
        scope, table = self.scope, self.scope.table
        if scope.locals is not None and raw in scope.locals.symbols:
            return scope.locals.symbols[raw]
        constant = table.constants.get(raw)
        if constant is not None:  # m and ε of a batch_norm layer: numbers of the spec
            return constant
        found = table.lookup(raw)
        if found is not None:
            _not_the_sigmoid(table, raw, found[0], pos)
            return self.quantity(found)
        example = example_mark(raw)
        if example is not None and example[1] in scope.examples:
            base = self.resolve(example[0], pos)
            return self.per_example(base, example[1], raw, pos)
        base, mark = update_mark(raw)
        if mark is not None:
            value = self.resolve(base, pos)
            if value is None:
                return None
            if mark == "current":
                return value
            if not isinstance(value, sp.Symbol) or \
                    self.scope.graph.kind(value) != "param":
                raise formula_error(f"`{raw}`: only a parameter has a value after an update",
                                    pos)
            nxt = sp.Symbol(f"{value.name}__next", real=True)
            self.reading.next_values[nxt] = value
            return nxt
        letters = [c for c in index_letters(raw, frozenset(scope.indices)) if c in scope.indices]
        if letters:
            inst = table.instance(raw, scope.indices)
            if inst is None:
                return outside_family(self, raw, pos)
            return self.quantity(inst)
        if scope.unit is not None and table.ambiguous(raw):
            sym = self.unit_quantity(raw)
            if sym is not None:
                return sym
        generic = table.generic(raw)
        if generic is not None:
            return self.quantity(generic)
        role = table.param_role(raw)
        if role is not None:
            return self.generic_param(raw, role, pos)
        if scope.defining and scope.locals is not None and raw != "e" and \
                "\\" not in raw.strip("\\"):
            return scope.locals.variable(raw)
        if initial_zero(table, raw):  # h^{(0)}_1 written out, with the spec's `initial: zero`
            self.reading.notes.append(f"read `{raw}`, the initial state of the recurrent layer, "
                                      "as 0 (the spec's `initial: zero`)")
            return sp.S.Zero
        parts = table.split(raw) if "{" in raw or "\\" in raw or len(raw) > 1 else None
        if parts is not None:
            self.reading.notes.append(f"read `{raw}` as the product "
                                      + " · ".join(table.text_of(p[0]) for p in parts))
            return sp.Mul(*[p[0] for p in parts])
        return None

    def quantity(self, found: Lookup) -> sp.Symbol:
        sym = self.noted(found)
        q = self.scope.table.quantities
        if sym == q.loss and self.scope.cost_context and \
                q.latex_of(q.cost) == q.latex_of(q.loss):
            return q.cost  # seed 000: E is both the loss and the cost over D examples
        if self.scope.graph.kind(sym) == "cost" or q.kinds.get(sym) == "count":
            self.reading.examples = True
        return sym

    def unit_quantity(self, raw: str) -> sp.Symbol | None:
        unit = self.scope.unit
        for sym in self.scope.table.ambiguous(raw):
            if sym in (getattr(unit, "out", None), getattr(unit, "net", None),
                       getattr(unit, "target", None), getattr(unit, "delta", None)):
                return sym
            loss_terms = self.scope.table.quantities.loss_terms
            if sym in loss_terms and loss_terms[sym][0] == unit:
                return sym
        return None

    def generic_param(self, raw: str, role: str, pos: int) -> sp.Symbol:
        scope = self.scope
        if scope.param is None:
            raise formula_error(f"`{raw}` stands for a parameter: give --param, or write the "
                                f"parameter's name", pos)
        scope.param_role = role
        return scope.param

    def per_example(self, base: sp.Expr | None, letter: str, raw: str, pos: int) -> sp.Expr:
        if not isinstance(base, sp.Symbol):
            raise formula_error(f"`{raw}`: no quantity of one example is called that", pos)
        q = self.scope.table.quantities
        if base == q.cost:
            base = q.loss
        if not q.per_example(base):
            raise formula_error(f"`{raw}`: {self.scope.table.text_of(base)} is the same for "
                                f"every example", pos)
        self.reading.examples = True
        _, position = self.scope.examples[letter]
        return sp.IndexedBase(array_name(base))[position]

    # -- functions -----------------------------------------------------------------
    def _call(self, node: Call) -> sp.Expr:
        scope = self.scope
        name = node.func
        called = read_network_call(self, node)
        if called is not None:
            return called
        args = [self.read(a) for a in node.args]
        if name in ("leaky_relu", "leaky_step"):
            return self.leaky(node, name, args)
        if name == "max":  # a max-pooling window's value: max(a_1, …, a_n)
            if len(args) < 2 or node.primes:
                raise formula_error("`max` takes two arguments or more (max(0, z) is relu(z))",
                                    node.pos)
            return pool_max(*args)
        if scope.locals is not None and name in scope.locals.functions:
            return self.local_function(node, scope.locals.functions[name], args)
        value = self.resolve(name, node.pos) if name not in scope.table.functions and \
            name not in ("sigmoid", "exp", "log", "tanh", "relu", "softplus", "step") else None
        if value is not None:  # y(1 − y): a name times a bracket
            if len(args) > 1:
                raise formula_error(f"`{name}` is not a function of several arguments",
                                    node.pos)
            if node.primes:
                raise formula_error(f"`{name}'` is not a function", node.pos)
            return sp.Mul(value, *args)
        if len(args) != 1:
            raise formula_error(f"`{name}` takes one argument", node.pos)
        if scope.defining and scope.locals is not None and name not in scope.table.functions \
                and len(name) == 1:
            scope.locals.functions[name] = unspecified(name)
            return self.local_function(node, scope.locals.functions[name], args)
        return apply_function(name, args[0], node.primes, node.pos, scope.table.functions)

    def local_function(self, node: Call, fn: type, args: list[sp.Expr]) -> sp.Expr:
        if len(args) != 1 or node.primes > 1:
            raise formula_error(f"`{node.func}` takes one argument", node.pos)
        return fn.prime(args[0]) if node.primes else fn(args[0])  # type: ignore[attr-defined]

    def leaky(self, node: Call, name: str, args: list[sp.Expr]) -> sp.Expr:
        if node.param is not None:
            args.append(self.read(node.param))
        if len(args) != 2 or not args[1].is_Rational:
            raise formula_error(f"`{name}` needs its slope: lrelu_{{0.1}}(z) or "
                                f"leaky_relu(z, 1/10)", node.pos)
        primes = node.primes + (1 if name == "leaky_step" else 0)
        if primes == 0:
            return leaky_relu(args[0], args[1])
        if primes == 1:
            return leaky_step(args[0], args[1])
        return sp.S.Zero

    # -- derivatives ---------------------------------------------------------------
    def _deriv(self, node: Deriv) -> sp.Expr:
        top = self.symbol_of(node.top)
        raw = node.bottom.written
        table = self.scope.table
        if raw in INDEX_LETTERS and raw not in self.scope.indices and \
                table.lookup(raw) is None and table.param_role(raw) is None:
            bottom = self.generic_param(raw, "param", node.bottom.pos)  # "each parameter i"
        else:
            bottom = self.symbol_of(node.bottom)
        if isinstance(top, sp.Indexed) or isinstance(bottom, sp.Indexed):
            return self.example_derivative(top, bottom, node)
        placeholder = sp.Dummy(f"d{top.name}_d{bottom.name}")
        self.reading.partials[placeholder] = Partial(top, bottom, node.text)
        return placeholder

    def symbol_of(self, name: Name) -> sp.Symbol:
        value = self._name(name)
        if not isinstance(value, (sp.Symbol, sp.Indexed)):
            raise formula_error(f"`{name.written}` is not a single quantity", name.pos)
        return value  # type: ignore[return-value]

    def example_derivative(self, top: sp.Expr, bottom: sp.Expr, node: Deriv) -> sp.Expr:
        """∂L^{(i)}/∂θ: the gradient of example i's loss, an entry of a per-example array."""
        q = self.scope.table.quantities
        if not isinstance(top, sp.Indexed) or isinstance(bottom, sp.Indexed) or \
                top.base.label.name != array_name(q.loss):
            raise formula_error(f"{node.text}: only the loss of an example, ∂L^{{(i)}}/∂θ, may "
                                f"be differentiated inside a sum over examples", node.pos)
        if self.scope.graph.kind(bottom) != "param":  # type: ignore[arg-type]
            raise formula_error(f"{node.text}: differentiate by a parameter", node.pos)
        self.reading.examples = True
        return sp.IndexedBase(gradient_array_name(bottom))[top.indices[0]]  # type: ignore[arg-type]

    def _derivop(self, node: DerivOp) -> sp.Expr:
        bottom = self.symbol_of(node.bottom)
        partials_before = set(self.reading.partials)
        body = self.read(node.body)
        if set(self.reading.partials) - partials_before:
            raise formula_error("a derivative inside ∂/∂… [ … ] is not supported", node.pos)
        if isinstance(bottom, sp.Indexed):
            raise formula_error("∂/∂ of one example's quantity is not supported", node.pos)
        graph = self.scope.graph
        value = sp.S.Zero
        for s in body.free_symbols:
            if s == bottom:
                value += sp.diff(body, s)
            elif graph.depends(s, bottom):
                value += sp.diff(body, s) * graph.total_derivative(
                    graph.definition(s) or s, bottom)
        return value

    # -- sums, indicators, cases ---------------------------------------------------
    def _sum(self, node: Sum) -> sp.Expr:
        return read_sum(self, node)

    def _indicator(self, node: Indicator) -> sp.Expr:
        return self.condition(node.cond)

    def condition(self, cond: Compare) -> sp.Expr:
        left, right = self.read(cond.left), self.read(cond.right)
        if left.is_Rational and right.is_Rational:  # numbers: 𝕀[0.82 = max(0.82, 0.93)]
            holds = {"<": left < right, ">": left > right, "<=": left <= right,
                     ">=": left >= right, "=": left == right, "!=": left != right}[cond.rel]
            return sp.S.One if holds else sp.S.Zero
        if cond.rel == "=":  # 𝕀[a_k = max(a_1, …, a_n)]: a_k is the window's maximum
            for one, window in ((left, right), (right, left)):
                if isinstance(window, pool_max) and one in window.args:
                    return first_max(sp.Integer(window.args.index(one)), *window.args)
        diff = left - right
        if cond.rel == ">":
            return _step(diff)
        if cond.rel == "<":
            return _step(-diff)
        if cond.rel == ">=":
            return 1 - _step(-diff)
        if cond.rel == "<=":
            return 1 - _step(diff)
        raise formula_error(f"the condition `{cond.rel}` between quantities holds nowhere "
                            f"or everywhere", cond.pos)

    def _cases(self, node: Cases) -> sp.Expr:
        total = sp.S.Zero
        taken = sp.S.Zero
        rest: sp.Expr | None = None
        for value_node, cond in node.rows:
            value = self.read(value_node)
            if cond is None:
                rest = value
                continue
            ind = self.condition(cond)
            total += value * ind
            taken += ind
        if rest is not None:
            total += rest * (1 - taken)
        return total


def reader(scope: Scope, reading: Reading) -> _Reader:
    return _Reader(scope, reading)


def meaning(node: Node, scope: Scope, reading: Reading | None = None) -> tuple[sp.Expr, Reading]:
    """The SymPy value of ``node`` in ``scope`` (raises FormulaError or MissingInstance)."""
    reading = reading if reading is not None else Reading()
    value = _Reader(scope, reading).read(node)
    check_size(value)
    return value, reading


def free_letters(node: Node, table: NameTable, scope: Scope) -> list[str]:
    """Index letters of names that do not resolve as written (not bound by a sum)."""
    bound = bound_letters(node)
    found: list[str] = []
    for name in names_in(node):
        raw = name.written
        if table.lookup(raw) is not None or (scope.locals and raw in scope.locals.symbols):
            continue
        base, _ = update_mark(raw)
        for letter in index_letters(base):
            if letter not in bound and letter not in found and letter not in scope.indices:
                found.append(letter)
    return found


def _not_the_sigmoid(table: NameTable, raw: str, sym: sp.Symbol, pos: int) -> None:
    """Refuse ``\\sigma^{2}`` read as a layer_norm variance in a network that also has a
    sigmoid σ: σ² could then be either."""
    net = table.quantities.net
    if not raw.lstrip("\\").startswith("sigma") or "^" not in raw:
        return
    variances = {lay.norm.variance for lay in net.spec.layers if lay.norm is not None}
    if not any(u.out == sym and u.name in variances for u in net.units):
        return
    if any(u.activation.kind == "sigmoid" for u in net.units):
        raise formula_error(
            f"`{raw}` could be the variance σ² of the layer_norm layer or the sigmoid σ "
            "squared: this network has both", pos,
            hint="write the variance out, \\frac{1}{H}\\sum_{k} (a_{k} - \\mu)^2, or the "
                 "sigmoid with its argument, \\sigma(z)^2")
