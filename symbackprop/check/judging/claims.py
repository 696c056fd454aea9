"""Read the sides of a statement into values, for every instance of its free indices.

A statement may use free indices (``w^{l}_{jk}``) or a generic parameter (``w`` without
``--param``); it is then a claim about every instance for which all of its names exist, and
each instance is read in its own :class:`~symbackprop.check.meaning.Scope`. A side's ∂A/∂B
factors get their values from the graph; a derivation's own definitions are substituted;
``∂J/∂θ`` is the mean of the examples' gradients.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import sympy as sp

from ...errors import FormulaError
from ..meaning.free_indices import declared_letters, family_instances, unranged
from ..meaning.meaning import (
    Partial,
    Reading,
    Scope,
    gradient_array_name,
    meaning,
)
from ..meaning.names import MissingInstance, NameTable
from ..meaning.network_calls import collection_arguments
from ..meaning.sums import bound_letters
from ..reading.scripts import INDEX_LETTERS, LAST_LAYER, index_letters, update_mark
from ..reading.syntax import Deriv, Node, Statement, Sum, names_in, walk
from .numbers import is_numeric
from .outcome import StepResult

if TYPE_CHECKING:
    from .context import Context

MAX_INSTANCES = 400
LAYER_LETTER = "l"
PARAM_LETTER = "θ"  # the pseudo-index of a generic parameter


@dataclass
class Side:
    """One side of a statement in one instance: its value and what reading it gave."""

    node: Node
    raw: sp.Expr  # with ∂ placeholders
    value: sp.Expr  # placeholders replaced by their values in the graph
    reading: Reading
    problems: list[str] = field(default_factory=list)
    fatal: bool = False
    numeric: bool = False  # numbers only: checked at the spec's worked example
    direct: sp.Expr | None = None  # the value with ∂A/∂B read along direct edges
    direct_notes: list[str] = field(default_factory=list)

    @property
    def partials(self) -> dict[sp.Symbol, Partial]:
        return self.reading.partials


@dataclass
class Instance:
    """Values of the free indices (and the parameter a generic ``w`` stands for)."""

    indices: dict[str, int]
    param: sp.Symbol | None
    generic: bool = False  # ``param`` is what a generic w, b or θ stands for here

    def describe(self, ctx: Context) -> str:
        parts = [f"{k} = {v}" for k, v in self.indices.items()]
        if self.generic and self.param is not None:
            parts.append(f"the parameter {ctx.table.text_of(self.param)}")
        return ", ".join(parts)


def generic_roles(statement: Statement, ctx: Context) -> set[str]:
    """The roles (weight, bias, param) of generic parameter names in a statement."""
    roles = set()
    for side in statement.sides:
        collections = collection_arguments(side, ctx.table)
        for name in names_in(side):
            if name in collections:
                continue
            base, _ = update_mark(name.written)
            role = ctx.table.param_role(base)
            if role is not None:
                roles.add(role)
        if any(isinstance(d, Deriv) and letter_parameter(d, ctx.table) for d in walk(side)):
            roles.add("param")
    return roles


def letter_parameter(node: Deriv, table: NameTable) -> bool:
    """``∂J/∂i`` with ``i`` naming nothing: seed 001's "for each parameter i"."""
    raw = node.bottom.written
    return raw in INDEX_LETTERS and table.lookup(raw) is None and \
        table.param_role(raw) is None


def free_letters(statement: Statement, ctx: Context, scope: Scope,
                 declared: frozenset[str] | None = None
                 ) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The free index letters, and the names outside sums with the letters each uses
    (``declared``: the letters the left side declares, when ``statement`` is a part)."""
    letters: list[str] = []
    groups: list[tuple[str, list[str]]] = []
    if declared is None:
        declared = declared_letters(statement, ctx.table)
    for side in statement.sides:
        bound = bound_letters(side)
        inside_sums = {id(n) for s in walk(side) if isinstance(s, Sum) for n in names_in(s)}
        for name in names_in(side):
            raw = name.written
            if ctx.table.lookup(raw) is not None or (scope.locals is not None and
                                                    raw in scope.locals.symbols):
                continue
            base, _ = update_mark(raw)
            if ctx.table.lookup(base) is not None:
                continue
            used = [c for c in index_letters(base, declared) if c not in bound]
            for c in used:
                if c not in letters:
                    letters.append(c)
            if used and id(name) not in inside_sums:
                groups.append((base, used))
    return letters, groups


def instances(statement: Statement, ctx: Context, scope: Scope) -> list[Instance]:
    """Every instance of the statement's free indices for which its names exist."""
    letters, groups = free_letters(statement, ctx, scope)
    declared = declared_letters(statement, ctx.table)
    if declared:  # the range is the left side's family's: every instance, or an error
        found = declared_instances(statement, letters, free_letters(Statement(
            statement.sides[:1], (), statement.text, statement.spans[:1]),
            ctx, scope, declared)[1], ctx)
        if len(found) > MAX_INSTANCES:
            raise FormulaError(f"the left side names {len(found)} quantities; a formula is "
                               f"checked for at most {MAX_INSTANCES}",
                               hint="fix some of its indices (w^{[1]}_{1,c,m,n})")
        return [Instance(values, scope.param) for values in found]
    params: list[sp.Symbol | None] = [scope.param]
    roles = generic_roles(statement, ctx) if scope.param is None else set()
    if roles:
        params = [p for p in ctx.net.params if "param" in roles or
                  ctx.param_kind.get(p, "weight") in roles]
    generic = bool(roles)
    if not letters:
        return [Instance({}, p, generic) for p in params]
    free = [c for c in letters if c != LAST_LAYER]
    fixed = {LAST_LAYER: ctx.table.last_layer} if LAST_LAYER in letters else {}
    out: list[Instance] = []

    def extend(k: int, chosen: dict[str, int]) -> None:
        if len(out) >= MAX_INSTANCES:
            return
        if k == len(free):
            out.extend(Instance(dict(chosen), p, generic) for p in params)
            return
        for v in ctx.table.index_values:
            trial = {**chosen, free[k]: v}
            if all(ctx.table.instance(raw, trial) is not None for raw, used in groups
                   if all(c in trial for c in used) and free[k] in used):
                extend(k + 1, trial)

    extend(0, dict(fixed))
    return out


def declared_instances(statement: Statement, letters: list[str],
                       left: list[tuple[str, list[str]]], ctx: Context) -> list[dict[str, int]]:
    """The instances of a formula whose left side declares its free indices: every
    instance of the left side's family, each free letter ranged by it."""
    ranged = [c for _, used in left for c in used]
    loose = [c for c in letters if c not in ranged]
    if loose:
        raise unranged(statement, loose, ctx.table)
    found: list[dict[str, int]] = [{}]
    for raw, used in left:
        found = [{**done, **values} for done in found
                 for values in family_instances(ctx.table, raw, used)
                 if all(done.get(c, v) == v for c, v in values.items())]
    return found


def uncovered(statement: Statement, found: list[Instance], ctx: Context, scope: Scope
              ) -> str | None:
    """A note when the left side exists for index values the statement is not checked at
    (a name on the right does not exist there): ``∂L/∂w^{[l]}_{j,k} = δ^{[l]}_{k} a^{[l-1]}_{j}``
    holds on the few weights where j and k may be swapped, and says nothing of the rest.
    A layer l left out whole is the formula's boundary, not a gap: BP2 is not written for the
    output layer, nor ∂C/∂w^l_{jk} = a^{l-1}_k δ^l_j for inputs named otherwise."""
    if len(statement.sides) < 2 or not any(inst.indices for inst in found):
        return None
    left = Statement(statement.sides[:1], (), statement.text, statement.spans[:1])
    letters = set(free_letters(left, ctx, scope)[0])
    if not letters:
        return None

    def key(inst: Instance) -> tuple:
        return tuple(sorted((k, v) for k, v in inst.indices.items() if k in letters)), \
            inst.param

    covered = {key(inst) for inst in found}
    every: dict[tuple, None] = {}  # the left side's instances, in order, each once
    missing: list[tuple] = []
    for inst in instances(left, ctx, scope):
        k = key(inst)
        if k in every:
            continue
        if k not in covered:
            try:
                read_side(left.sides[0], instance_scope(scope, inst), ctx)
            except MissingInstance:
                continue  # the left side itself does not exist there
            missing.append(k)
        every[k] = None
    if LAYER_LETTER in letters:  # a layer left out whole is a boundary (BP2 has no l = L)
        def layer(k: tuple) -> int:
            return dict(k[0])[LAYER_LETTER]
        partial = {layer(k) for k in missing} & {layer(k) for k in covered}
        shown = [k for k in missing if layer(k) in partial]
    else:
        shown = missing
    if not shown:
        return None
    example = ", ".join(f"{k} = {v}" for k, v in shown[0][0])
    return (f"{len(missing)} of the {len(every)} instances of the left side "
            f"{'is' if len(missing) == 1 else 'are'} not checked ({example}"
            f"{', …' if len(missing) > 1 else ''}): the right side names quantities the "
            f"network does not have there")


def at_most_undecided(result: StepResult, left_out: str) -> StepResult:
    """A step that holds where it is checked, but whose left side has instances it is not
    checked at, is undecided: what it says there is unknown, so never CORRECT."""
    if result.verdict != "correct":
        return result
    return replace(result, verdict="undecided",
                   diagnosis=(f"it holds where it is checked, and the rest is not checked: "
                              f"{left_out}",))


def not_judged(skipped: list[tuple[Instance, str]], judged: int, ctx: Context) -> str:
    """The note for instances left out because a name is past a recurrent layer's last
    step: the formula does not apply there (it is judged on the others)."""
    shown = "; ".join(inst.describe(ctx) for inst, _ in skipped[:4])
    more = "; …" if len(skipped) > 4 else ""
    return (f"{len(skipped)} instance{'s' if len(skipped) > 1 else ''} not judged ({shown}"
            f"{more}): {skipped[0][1]}, so the formula does not apply there; it is judged "
            f"on the other {judged}")


def instance_scope(scope: Scope, inst: Instance) -> Scope:
    return replace(scope, indices={**scope.indices, **inst.indices},
                   param=inst.param if inst.param is not None else scope.param)


def read_side(node: Node, scope: Scope, ctx: Context) -> Side:
    """The value of one side in ``scope`` (MissingInstance when a name does not exist)."""
    raw, reading = meaning(node, scope)
    value, problems, fatal = substitute_partials(raw, reading, scope, ctx)
    direct, notes = direct_reading(raw, reading, scope, ctx)
    if scope.locals is not None and scope.locals.definitions:
        value = _with_locals(value, scope)
        direct = None if direct is None else _with_locals(direct, scope)
        for fn in scope.locals.functions:
            ctx.points.local_function(fn)
    return Side(node, raw, value, reading, problems, fatal, is_numeric(node), direct, notes)


def _with_locals(value: sp.Expr, scope: Scope) -> sp.Expr:
    assert scope.locals is not None
    for _ in range(len(scope.locals.definitions) + 1):
        new = value.xreplace(scope.locals.definitions)
        if new == value:
            break
        value = new
    return value


def direct_reading(raw: sp.Expr, reading: Reading, scope: Scope, ctx: Context
                   ) -> tuple[sp.Expr | None, list[str]]:
    """The side with every ∂A/∂B whose B feeds A both directly and through other
    quantities read as the partial derivative along the direct edge (as ``derive`` writes
    the chain rule of a skip connection or a shared bias), and a note for each; None when
    no factor has two readings."""
    graph = scope.graph
    values: dict[sp.Symbol, sp.Expr] = {}
    notes: list[str] = []
    for placeholder, p in reading.partials.items():
        if p.numerator == ctx.quantities.cost:
            continue
        direct = graph.direct_value(p.numerator, p.denominator)
        if direct is None:
            continue
        values[placeholder] = direct
        a, b = ctx.text_of(p.numerator), ctx.text_of(p.denominator)
        notes.append(f"∂{a}/∂{b} is read as the partial derivative along the edge "
                     f"{b} → {a}, the other inputs of {a} held fixed ({a} depends on {b} "
                     f"through other quantities too)")
    if not values:
        return None, []
    rest, _, _ = substitute_partials(raw.xreplace(values), reading, scope, ctx)
    return rest, notes


def substitute_partials(raw: sp.Expr, reading: Reading, scope: Scope, ctx: Context
                        ) -> tuple[sp.Expr, list[str], bool]:
    """Replace ∂ placeholders by their values; problems (meaningless factors) beside."""
    values: dict[sp.Symbol, Any] = {}
    problems: list[str] = []
    fatal = False
    q = ctx.quantities
    graph = scope.graph
    for placeholder, p in reading.partials.items():
        if p.numerator == q.cost:
            values[placeholder] = cost_gradient(p, ctx, reading)
            continue
        pv = graph.partial_value(p.numerator, p.denominator, readable_partial(ctx, p))
        values[placeholder] = pv.value
        if pv.problem:
            problems.append(pv.problem)
        fatal |= pv.fatal
    return raw.xreplace(values), problems, fatal


def cost_gradient(p: Partial, ctx: Context, reading: Reading) -> sp.Expr:
    """∂J/∂θ: the mean over the m examples of ∂L^{(i)}/∂θ."""
    from ..reading.tokens import formula_error

    q = ctx.quantities
    if p.denominator == q.cost:
        return sp.S.One
    if ctx.graph.kind(p.denominator) != "param":
        raise formula_error(f"{p.text}: the cost J is a mean over examples; differentiate it "
                            f"by a parameter (or differentiate one example's loss L^{{(i)}})")
    reading.examples = True
    counter = sp.Symbol("example_mean", integer=True)
    entry = sp.IndexedBase(gradient_array_name(p.denominator))[counter]
    return sp.Sum(entry, (counter, 1, q.count)) / q.count


def readable_partial(ctx: Context, p: Partial) -> str:
    return f"∂{ctx.table.text_of(p.numerator)}/∂{ctx.table.text_of(p.denominator)}"


__all__ = ["MAX_INSTANCES", "Instance", "MissingInstance", "Side", "instance_scope",
           "instances", "not_judged", "read_side"]
