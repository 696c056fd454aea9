"""Update rules: ``w^{+} = w - α ∂E/∂w``, ``w_{t+1} ← w_t + γ ∂E/∂w``, ``w = w - α ∂J/∂w``.

The new value of a parameter must be one gradient-descent step from its current value:
θ − r ∂Obj/∂θ, with the spec's learning rate or any of α, η, γ, ε, λ as r and the objective
the rule names (the loss, or the cost J over m examples). A ``+`` is gradient ascent (the
step climbs the loss); a wrong gradient inside the rule is diagnosed as a gradient formula;
a missing learning rate or a step that starts from elsewhere is named. Mitchell's increment
``Δw_{ji} = η δ_j x_{ji}`` is the rule ``w_{ji} ← w_{ji} + η δ_j x_{ji}``.

A parameter the spec freezes (``frozen: [w3]``) is not trained: its one right update is
``w3 ← w3``, and a descent step for it, however right its gradient, is wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy as sp

from ...errors import FormulaError
from ..meaning.meaning import Scope, gradient_array_name, meaning
from ..meaning.names import MissingInstance
from ..reading.scripts import index_letters, update_mark
from ..reading.syntax import Add, Mul, Name, Node, Statement, names_in
from .claims import at_most_undecided, instance_scope, instances, read_side, uncovered
from .numbers import written_holds
from .outcome import Counterexample, StepResult
from .sample_points import close
from .sides import shown_side, values_of

if TYPE_CHECKING:
    from ..reading.lines import SourceLine
    from .context import Context

Derivation = Any  # the running derivation of steps.py: ctx and scope()


_INCREMENT = ("\\Delta", "Δ", "∆")


def as_increment(statement: Statement) -> Statement | None:
    """``Δw = r`` as the update ``w ← w + r`` it states, or None for any other statement."""
    if len(statement.sides) != 2 or statement.relations != ("=",):
        return None
    first = statement.sides[0]
    if not isinstance(first, Mul) or len(first.factors) != 2:
        return None
    mark, name = first.factors
    if not (isinstance(mark, Name) and mark.raw in _INCREMENT and isinstance(name, Name)):
        return None
    return Statement((name, Add((name, statement.sides[1]))), ("<-",), statement.text,
                     statement.spans)


def is_update(statement: Statement, ctx: Context, scope: Scope) -> bool:
    """Whether the statement sets a parameter's new value."""
    if "<-" in statement.relations:
        return True
    first = statement.sides[0]
    if not isinstance(first, Name) or len(statement.sides) != 2:
        return False
    if update_mark(first.written)[1] == "next":
        return True
    rest = statement.sides[1]
    same = any(n.written == first.written for n in names_in(rest))
    rate = any(ctx.table.lookup(n.written) is not None and
               ctx.table.lookup(n.written)[0] == ctx.quantities.rate  # type: ignore[index]
               for n in names_in(rest))
    return same and rate


def _objective_gradient(ctx: Context, param: sp.Symbol, cost: bool) -> sp.Expr:
    if not cost:
        return ctx.grads.derivation(param).closed
    counter = sp.Symbol("example_mean", integer=True)
    entry = sp.IndexedBase(gradient_array_name(param))[counter]
    return sp.Sum(entry, (counter, 1, ctx.quantities.count)) / ctx.quantities.count


def check_update(statement: Statement, line: SourceLine, run: Derivation) -> StepResult:
    ctx = run.ctx
    if len(statement.sides) != 2:
        raise FormulaError("an update rule has one left side and one right side")
    scope = run.scope()
    found = instances(statement, ctx, scope)
    text = line.formula.strip()
    if len(statement.spans) == 2:  # w⁺ = w − α g = 0.4 − 0.5 · 0.082: the rule's step only
        text = statement.text[statement.spans[0][0]:statement.spans[1][1]].strip() or text
    checked = 0
    done: list[Any] = []  # the instances checked
    stated: list[str] = []
    undecided: str | None = None
    failures: list[tuple[str, list[str], Counterexample | None, str]] = []
    for inst in found:
        inner = instance_scope(scope, inst)
        try:
            lhs, reading = meaning(statement.sides[0], inner)
            rhs = read_side(statement.sides[1], inner, ctx)
        except MissingInstance:
            continue
        checked += 1
        done.append(inst)
        param = reading.next_values.get(lhs, lhs) if isinstance(lhs, sp.Symbol) else None
        if len(found) == 1:
            run.last_gradient = param
        if param is None or ctx.graph.kind(param) != "param":
            raise FormulaError("the left side of an update must be a parameter's new value "
                               "(w^{+}, w_{t+1}, or w with ←)")
        stated.append(param.name)
        cost = bool(rhs.reading.examples) or _uses_cost(rhs, ctx)
        if rhs.numeric:  # w⁺ = 0.35891648: the new value at the worked example
            verdict, words = _judge_number(ctx, param, rhs.node, cost)
            if verdict == "unchecked":
                return StepResult(line.number, text, "unchecked", tuple(words),
                                  label=line.label, claim="gradient descent")
            if verdict == "undecided":
                undecided = undecided or words[0]
            elif verdict == "incorrect":
                failures.append((inst.describe(ctx), words, None, "gradient descent"))
            continue
        wrong = _judge(ctx, param, rhs.value, cost)
        if wrong is not None:  # what the rule was read as, not what it is compared with
            read = f"{ctx.text_of(param)}⁺ = {shown_side(ctx, rhs)}"
            failures.append((inst.describe(ctx), wrong[0], wrong[1], read))
    if checked == 0:
        raise _no_instance(statement, ctx)
    count = f"{checked - len(failures)} of {checked} instances hold" if checked > 1 or \
        found[0].indices or found[0].generic else None
    if not failures and undecided is not None:
        return StepResult(line.number, text, "undecided", (undecided,), label=line.label,
                          instances=count, claim="gradient descent")
    if not failures:
        left_out = uncovered(statement, done, ctx, scope)
        result = StepResult(line.number, text, "correct", label=line.label, instances=count,
                            claim="gradient descent", about=tuple(dict.fromkeys(stated)),
                            notes=(left_out,) if left_out else ())
        return at_most_undecided(result, left_out) if left_out else result
    where, words, counter, read = failures[0]
    if where:
        words = [f"fails for {where}", *words]
    return StepResult(line.number, text, "incorrect", tuple(words), counter,
                      claim=read, label=line.label, instances=count)


def _no_instance(statement: Statement, ctx: Context) -> FormulaError:
    """The error for an update with free indices none of whose instances names only what
    exists; a spec that names its units one by one (Mitchell's h1, k1) is said to."""
    first = statement.sides[0]
    raw = first.written if isinstance(first, Name) else ""
    letters = index_letters(update_mark(raw)[0]) if raw else []
    if not letters:
        return FormulaError("no values of the free indices give names that all exist")
    notation = ctx.net.spec.notation
    named = any("{unit}" in text for text in (notation.net, notation.activation,
                                              notation.delta))
    which = ("index " if len(letters) == 1 else "indices ") + ", ".join(letters)
    if named:
        units = ", ".join(u.name for u in ctx.net.units[:4]) + \
            (", …" if len(ctx.net.units) > 4 else "")
        weights = [p for p in ctx.net.params if ctx.param_kind.get(p, "weight") == "weight"]
        param = ctx.net.latex_of((weights or list(ctx.net.params))[-1])
        return FormulaError(
            f"{raw}: the spec names its units one by one ({units}), so the free {which} "
            f"cannot range over them",
            hint=f"write one parameter by its names (\\Delta {param} = …) or use a spec "
                 f"whose units are numbered (Δw^{{[2]}}_{{j,k}} = -η δ^{{[2]}}_j a^{{[1]}}_k)")
    return FormulaError(f"no values of the free {which} give names that all exist "
                        f"in {raw} = …",
                        hint="check that every name on both sides is one of the network's")


def _judge_number(ctx: Context, param: sp.Symbol, node: Node, cost: bool
                  ) -> tuple[str, list[str]]:
    """A new value written in numbers, at the worked example: its verdict and words."""
    rate = ctx.quantities.rate
    frozen = param in ctx.net.frozen
    truth = param if frozen else param - rate * _objective_gradient(ctx, param, cost)
    value = ctx.points.at_worked_example(truth)
    if value is None or ctx.net.spec.values.learning_rate is None:
        return "unchecked", ["a new value in numbers is checked at the spec's worked example, "
                             "and the spec has no values or no learning rate"]
    error = ctx.points.worked_error(truth, value)
    span = ctx.numbers.span(node)
    holds = written_holds(span, value, lambda: ctx.points.at_worked_example(truth, closer=True))
    reading = ctx.numbers.read(node, value, lambda: error, holds)
    if holds:
        return ("undecided", [reading.undecided]) if reading.undecided else ("correct", [])
    name = ctx.text_of(param)
    if frozen:
        return "incorrect", [*reading.explanations, frozen_words(ctx, param)]
    return "incorrect", [*reading.explanations,
                         f"one gradient-descent step takes {name} to {sp.Float(value, 12)} at "
                         f"the spec's values, which the written numbers do not round to"]


def _uses_cost(rhs: object, ctx: Context) -> bool:
    partials = getattr(rhs, "partials", {})
    return any(p.numerator == ctx.quantities.cost for p in partials.values())


def _judge(ctx: Context, param: sp.Symbol, rhs: sp.Expr, cost: bool
           ) -> tuple[list[str], Counterexample | None] | None:
    """None when ``rhs`` is one descent step for ``param``; otherwise what is wrong."""
    points = ctx.points
    if param in ctx.net.frozen:
        return _judge_frozen(ctx, param, rhs)
    rate = ctx.quantities.rate
    gradient = _objective_gradient(ctx, param, cost)
    objective = "the cost" if cost else "the loss"
    name = ctx.text_of(param)
    q = ctx.quantities
    top = ctx.text_of(q.cost if cost else q.loss)
    truth = points.compile(param - rate * gradient).everywhere()
    mine_fn = points.compile(rhs)
    mine = mine_fn.everywhere()
    if all(close(a, b) for a, b in zip(mine, truth, strict=True)):
        return None
    k = next(j for j, (a, b) in enumerate(zip(mine, truth, strict=True)) if not close(a, b))
    counter = Counterexample(points.point(k), _f(truth[k]), _f(mine[k]),
                             values_of(ctx, rhs.free_symbols, k))
    ascent = points.compile(param + rate * gradient).everywhere()
    if all(close(a, b) for a, b in zip(mine, ascent, strict=True)):
        return [f"gradient ascent: the step adds the gradient, so it climbs {objective}; "
                f"descent subtracts it: {name} − {ctx.text_of(rate)} ∂{top}/∂{name}"], counter
    if rate not in rhs.free_symbols:
        return [f"the learning rate {ctx.text_of(rate)} is missing"], counter
    start = rhs.subs(rate, 0)
    words: list[str] = []
    if not all(close(a, b) for a, b in zip(points.compile(start).everywhere(),
                                           points.compile(param).everywhere(), strict=True)):
        words.append(f"the step must start from the current value of {name}")
    step = -sp.diff(rhs, rate)
    step_fn = points.compile(step)
    step_values = step_fn.everywhere()
    truth_g = points.compile(gradient).everywhere()
    if not all(close(a, b) for a, b in zip(step_values, truth_g, strict=True)):
        if not cost:
            findings, _ = ctx.diagnoser.diagnose_gradient(param, step_fn, step, step_values)
            words += [f"the gradient in the step is wrong: {f.text}" for f in findings] or \
                [f"the gradient in the step is not ∂{top}/∂{name}"]
        else:
            words.append(f"the gradient in the step is not the gradient of {objective}")
    return words or [f"it is not one gradient-descent step for {name}"], counter


def _f(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def frozen_words(ctx: Context, param: sp.Symbol) -> str:
    """The diagnosis of an update that changes a frozen parameter."""
    name = ctx.text_of(param)
    return (f"{name} is frozen: gradient descent leaves it at its value ({name}⁺ = {name}); "
            f"the spec's `frozen` list says it is not trained")


def _judge_frozen(ctx: Context, param: sp.Symbol, rhs: sp.Expr
                  ) -> tuple[list[str], Counterexample | None] | None:
    """None when ``rhs`` is the frozen ``param`` itself; otherwise why it is wrong."""
    points = ctx.points
    truth = points.compile(param).everywhere()
    mine = points.compile(rhs).everywhere()
    if all(close(a, b) for a, b in zip(mine, truth, strict=True)):
        return None
    k = next(j for j, (a, b) in enumerate(zip(mine, truth, strict=True)) if not close(a, b))
    counter = Counterexample(points.point(k), _f(truth[k]), _f(mine[k]),
                             values_of(ctx, rhs.free_symbols, k))
    return [frozen_words(ctx, param)], counter


def frozen_derivative_note(ctx: Context, param: sp.Symbol) -> str:
    """What a derivative by a frozen parameter is: judged as a derivative, used by no step."""
    name = ctx.text_of(param)
    return (f"{name} is frozen (the spec's `frozen`): the line is judged as the derivative "
            f"∂{ctx.text_of(ctx.quantities.loss)}/∂{name}, which no update uses, since "
            f"gradient descent leaves {name} at its value")
