"""Judging a step in matrix form, entry by entry, as index formulas are judged.

Both sides of ``δ^{[1]} = (W^{[2]})^T δ^{[2]} ⊙ σ'(z^{[1]})`` are evaluated at the random
points as whole matrices (:mod:`symbackprop.check.judging.matrix_values`): the step holds
when the shapes are the same and every entry agrees to 40 digits at every point, for every
layer a free ``l`` can name. A shape row (``W^{[1]} ∈ ℝ^{3×2}``) holds when the shape is
right. A wrong side is diagnosed by :mod:`symbackprop.check.diagnosis.matrix_mistakes`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import fields, is_dataclass, replace

import mpmath

from ...errors import FormulaError
from ...render.matrix_layers import capitalise, head_of
from ..diagnosis.diagnosis import NO_EXPLANATION
from ..diagnosis.matrix_mistakes import rewrites, shape_fixes
from ..meaning.matrix_names import MatrixNames
from ..reading.forms import MATRIX_WORDS, TENSOR_WORDS
from ..reading.lines import SourceLine
from ..reading.matrix_parser import parse_matrix
from ..reading.matrix_syntax import (
    LayerRef,
    MCall,
    MGrad,
    MHadamard,
    MMask,
    MName,
    MNode,
    MNum,
    MOnes,
    MProduct,
    MSpace,
    MStatement,
    MSum,
    MTranspose,
    written,
)
from .context import Context
from .matrix_values import Mat, MatrixPoint, ShapeMismatch
from .outcome import Counterexample, StepResult
from .sample_points import close


def _names(node: MNode) -> Iterator[MName]:
    if isinstance(node, MName):
        yield node
    elif isinstance(node, MGrad):
        yield node.wrt
    for kid in _kids(node):
        yield from _names(kid)


def _kids(node: MNode) -> tuple[MNode, ...]:
    args = getattr(node, "args", None)
    if args is not None:
        return tuple(args)
    terms = getattr(node, "terms", None)
    if terms is not None:
        return tuple(t for _, t in terms)
    return tuple(getattr(node, a) for a in ("arg", "by", "body", "target", "left", "right",
                                             "value")
                 if getattr(node, a, None) is not None)


def matrix_names(ctx: Context) -> MatrixNames:
    """The matrix names of the context's network, built once."""
    if ctx.matrix_names is None:
        ctx.matrix_names = MatrixNames(ctx.net, ctx.quantities)
    return ctx.matrix_names


class MatrixStep:
    """One matrix-form line of a derivation, judged side by side against its first side."""

    def __init__(self, ctx: Context, line: SourceLine, formula: str,
                 bound: dict[str, MNode | str] | None = None) -> None:
        self.ctx = ctx
        self.line = line
        self.names = matrix_names(ctx)
        if self.names.reason is not None:
            if any(lay.conv is not None or lay.pool is not None or lay.recurrent is not None
                   or lay.attention is not None for lay in ctx.net.spec.layers):
                raise FormulaError(TENSOR_WORDS)
            raise FormulaError(f"the matrix form applies to layered networks; here "
                               f"{self.names.reason}")
        functions = frozenset(u.activation.fname for u in ctx.net.units
                              if u.activation.fname)
        statement = parse_matrix(formula, functions)
        set_by_mask = masked_name(statement)
        head = statement.sides[0]
        assigned = isinstance(head, MName) and head.raw in (bound or {})
        # dhidden = …: the name holds the new value, not the masked one
        statement = with_values(statement, bound or {}, keep_head=assigned)
        if set_by_mask is not None:
            statement = self.mask_step(statement, set_by_mask)
        self.statement: MStatement = statement
        self.sets: tuple[str, MNode | None] | None = None
        if set_by_mask is not None:
            self.sets = (set_by_mask.raw, replace(statement.sides[1], name=set_by_mask.raw))
        elif assigned:
            self.sets = (head.raw, None)  # type: ignore[union-attr]
        names = [n for side in self.statement.sides for n in _names(side)]
        self.assignments = self.names.assignments(names)
        if not self.assignments:
            raise FormulaError("no layer l gives names that all exist in the network")
        found = [self.names.resolve(n, self.assignments[0], gradient=True) for n in names]
        self.batch = any(f.batch or f.kind == "count" for f in found)

    def mask_step(self, statement: MStatement, target: MName) -> MStatement:
        """``dhidden[hidden_layer <= 0] = 0`` (CS231n's ReLU backward) read as the claim
        that the masked gradient is the cost's gradient by the layer's net input."""
        found = self.names.resolve(target, {"L": self.names.last})
        if not found.gradient or found.kind != "a" or len(statement.sides) != 2 or \
                statement.relations != ("=",):
            raise FormulaError(f"`{target.raw}[…] = …` masks the gradient of a layer's "
                               f"activation (d before its matrix name), one value")
        mask = statement.sides[0]
        assert isinstance(mask, MMask)
        own = self.ctx.net.spec.layers[found.pos - 1].matrices
        net = MName(own.net[0], None, own.net[0], 0) if own is not None and own.net else \
            self.z_name(LayerRef(None, found.pos + self.names.first), True)
        head = MGrad(self.names.cost_name, net)
        return MStatement((head, replace(mask, value=statement.sides[1])), ("=",),
                          (f"∂{self.names.cost_name}/∂{written(net)}", statement.texts[1]))

    # -- evaluation --------------------------------------------------------------------
    def point(self, k: int, values: dict[str, int]) -> MatrixPoint:
        return MatrixPoint(self.names, self.ctx.points, k, values, batch=self.batch)

    def head(self, k: int, values: dict[str, int]) -> Mat:
        try:
            return self.point(k, values).eval(self.statement.sides[0])
        except ShapeMismatch as exc:
            raise FormulaError(f"the left side: {exc}") from None

    def compare(self, node: MNode) -> tuple[str, tuple[dict[str, int], int, int, int] | None]:
        """"holds", or "differs" with where (layer values, point, row, column); a shape
        mismatch raises :class:`ShapeMismatch`, a wrong shape gives "shape"."""
        for values in self.assignments:
            for k in range(self.ctx.points.count):
                head = self.head(k, values)
                side = self.point(k, values).eval(node)
                if (side.scalar and not head.scalar) or side.shape != head.shape:
                    return "shape", (values, k, -1, -1)
                for i, (hr, sr) in enumerate(zip(head.rows, side.rows, strict=True)):
                    for j, (h, s) in enumerate(zip(hr, sr, strict=True)):
                        if not close(h, s):
                            return "differs", (values, k, i, j)
        return "holds", None

    def holds(self, node: MNode) -> bool:
        try:
            return self.compare(node)[0] == "holds"
        except (ShapeMismatch, FormulaError):
            return False

    def shape_of(self, node: MNode) -> str | None:
        try:
            return self.point(0, self.assignments[0]).eval(node).shape_text
        except (ShapeMismatch, FormulaError):
            return None

    # -- verdicts ----------------------------------------------------------------------
    def results(self) -> list[StepResult]:
        out = []
        single = len(self.statement.relations) == 1
        for k, relation in enumerate(self.statement.relations, start=1):
            text = self.line.text.strip() if single else \
                f"{written(self.statement.sides[0])} {'∈' if relation == 'in' else '='} " \
                f"{written(self.statement.sides[k])}"
            if relation == "in":
                out.append(self.shape_row(text, self.statement.sides[k]))
            else:
                out.append(self.side(text, self.statement.sides[k]))
        return out

    def where(self) -> str:
        free = [v for v in self.assignments if any(x != "L" for x in v)]
        if not free:
            return ""
        shown = ", ".join(str(v["l"]) for v in free if "l" in v)
        return f"for l = {shown}: "

    def entries(self) -> int:
        """How many entries were compared at each point, over every layer ``l`` names."""
        total = 0
        for values in self.assignments:
            head = self.head(0, values)
            total += 1 if head.scalar else head.shape[0] * head.shape[1]
        return total

    def result(self, text: str, verdict: str, words: tuple[str, ...] = (), **kw: object
               ) -> StepResult:
        return StepResult(self.line.number, text, verdict, words, label=self.line.label,
                          **kw)  # type: ignore[arg-type]

    def shape_row(self, text: str, space: MNode) -> StepResult:
        assert isinstance(space, MSpace)
        head = self.head(0, self.assignments[0])
        m = len(self.ctx.points.batches()[0])
        count = self.names.count

        def size(written_size: str) -> int | None:
            if written_size.isdigit():
                return int(written_size)
            return m if written_size == count else None

        want = (size(space.rows), size(space.cols))
        claim = f"{written(self.statement.sides[0])} is {head.shape_text}"
        if want == head.shape:
            return self.result(text, "correct", claim=claim)
        return self.result(text, "incorrect", (f"the shape is wrong: {claim}",), claim=claim)

    def side(self, text: str, node: MNode) -> StepResult:
        head_text = written(self.statement.sides[0])
        claim = f"{head_text} = {written(node)}, entry by entry"
        try:
            outcome, at = self.compare(node)
        except ShapeMismatch as exc:
            return self.result(text, "incorrect", self.mismatch(node, exc), claim=claim)
        if outcome == "holds":
            n = self.entries()
            held = "the one entry holds" if n == 1 else f"all {n} entries hold"
            return self.result(text, "correct", claim=claim, about=self.about(),
                               instances=f"{self.where()}{held}")
        assert at is not None
        values, k, i, j = at
        if outcome == "shape":
            head = self.head(k, values)
            side = self.point(k, values).eval(node)
            words = [f"{head_text} is {head.shape_text} and {written(node)} is "
                     f"{side.shape_text}"]
            if side.shape == head.shape[::-1] and self.holds_transposed(node):
                words.append(f"this is the transpose of {head_text}: the factors are in the "
                             f"wrong order, or a transpose is missing")
                return self.result(text, "incorrect", tuple(words), claim=claim)
            return self.result(text, "incorrect", tuple(words + self.explain(node)),
                               claim=claim)
        head = self.head(k, values)
        side = self.point(k, values).eval(node)
        counter = Counterexample(self.ctx.points.point(k), _float(head.rows[i][j]),
                                 _float(side.rows[i][j]))
        words = [f"fails at entry ({i + 1}, {j + 1})" +
                 (f" for l = {values['l']}" if "l" in values else "")]
        return self.result(text, "incorrect", tuple(words + self.explain(node)),
                           counterexample=counter, claim=claim)

    def holds_transposed(self, node: MNode) -> bool:
        return self.holds(MTranspose(node))

    def fits(self, node: MNode) -> str | None:
        """The shape of ``node`` when it is the head's, else None."""
        head = self.head(0, self.assignments[0]).shape_text
        return head if self.shape_of(node) == head else None

    def mismatch(self, node: MNode, exc: ShapeMismatch) -> tuple[str, ...]:
        fixes = shape_fixes(node, self.fits, self.shape_of)
        words = [f"{exc.operands}: {fixes[0]}" if fixes and exc.what else str(exc)]
        return tuple(words + self.explain(node, shapes_only=True))

    def derivative(self) -> MNode | None:
        """σ'(z) of the head's layer, when the head is δ of a layer with an activation."""
        head = self.statement.sides[0]
        if not isinstance(head, MName) or head.layer is None:
            return None
        try:
            found = self.names.resolve(head, self.assignments[0])
        except FormulaError:
            return None
        if found.kind != "d" or self.names.units(found.pos)[0].activation.kind in (
                "linear", "softmax"):
            return None
        act = self.names.units(found.pos)[0].activation
        name = {"sigmoid": "sigma", "unspecified": act.fname or "f"}.get(act.kind, act.kind)
        return MCall(name, 1, self.z_name(head.layer, found.batch))

    def z_name(self, layer: LayerRef, batch: bool) -> MName:
        notation = self.ctx.net.spec.notation
        head = head_of(notation.net)
        if batch:
            head = capitalise(head)
        label = str(layer.offset) if layer.letter is None else layer.letter + (
            f"+{layer.offset}" if layer.offset > 0 else f"-{-layer.offset}"
            if layer.offset < 0 else "")
        return MName(head, layer, f"{head}^{{{label}}}", 0)

    def explain(self, node: MNode, *, shapes_only: bool = False) -> list[str]:
        head = written(self.statement.sides[0])
        if not shapes_only and self.holds(MTranspose(node)):
            return [f"this is the transpose of {head}: the factors are in the wrong order, "
                    f"or a transpose is missing"]
        found = []
        for words, new in rewrites(node, None if shapes_only else self.derivative(),
                                   self.code_rewrites):
            if self.holds(new):
                found.append(words)
        decay = None if shapes_only or found else self.decay_term()
        if decay is not None and self.holds(MSum(((1, node), (1, decay)))):
            found.append(f"it misses the weight-decay term {written(decay)}: the objective "
                         f"adds {decay.args[0].raw}/2 Σ w², whose gradient is that term")
        if not found and not shapes_only:
            found = self.scale(node)
        return found or ([NO_EXPLANATION] if not shapes_only else [])

    def code_rewrites(self, name: MName) -> Iterator[tuple[str, MNode]]:
        """A matrix name of code for the same matrix of the layer before or after (``W``
        for ``W2``), and the gradient of an activation without its derivative (CS231n's
        ``dhidden`` before its ReLU mask)."""
        try:
            found = self.names.resolve(name, self.assignments[0])
        except FormulaError:
            return
        if name.layer is not None or name.raw not in self.names.code:
            return
        for other, meant in self.names.code.items():
            if (meant.kind, meant.gradient) == (found.kind, found.gradient) and \
                    abs(meant.pos - found.pos) == 1:
                yield (f"the wrong layer: with {other} in place of {name.raw} the line holds",
                       replace(name, head=other, raw=other))
        act = self.names.units(found.pos)[0].activation if found.kind == "a" else None
        if found.gradient and act is not None and act.kind not in ("linear", "softmax"):
            own = self.ctx.net.spec.layers[found.pos - 1].matrices
            net = MName(own.net[0], None, own.net[0], 0) if own is not None and own.net \
                else self.z_name(LayerRef(None, found.pos + self.names.first), True)
            fname = {"sigmoid": "sigma", "unspecified": act.fname or "f"}.get(act.kind,
                                                                             act.kind)
            factor = MCall(fname, 1, net)
            yield (f"it misses the activation-derivative factor {written(factor)}: "
                   f"{name.raw} is the cost's gradient by the activation, not by the net "
                   f"input (for a ReLU, the mask {name.raw}[… <= 0] = 0 applies it)",
                   MHadamard((name, factor)))

    def decay_term(self) -> MProduct | None:
        """λ W^{[l]} when the head is ∂L/∂W^{[l]} of a spec with weight decay."""
        head = self.statement.sides[0]
        decay = self.ctx.net.decay
        if decay is None or not isinstance(head, MGrad):
            return None
        try:
            kind = self.names.resolve(head.wrt, self.assignments[0], gradient=True).kind
        except FormulaError:
            return None
        latex = self.ctx.net.latex_of(decay)
        return MProduct((MName(latex, None, latex, 0), head.wrt)) if kind == "W" else None

    def scale(self, node: MNode) -> list[str]:
        """A side off by a constant factor, or by the batch's 1/m or m, in words."""
        ratios, counts = [], []
        for values in self.assignments:
            for k in range(self.ctx.points.count):
                try:
                    head, side = self.head(k, values), self.point(k, values).eval(node)
                except (ShapeMismatch, FormulaError):
                    return []  # a product of shapes that do not fit has no scale
                if head.shape != side.shape:
                    return []
                counts.append(len(self.ctx.points.batches()[k]))
                pairs = [(h, s) for hr, sr in zip(head.rows, side.rows, strict=True)
                         for h, s in zip(hr, sr, strict=True)]
                if any(h is None or s is None or (s == 0) != (h == 0) for h, s in pairs):
                    return []
                ratios.append([h / s for h, s in pairs if s != 0])
        flat = [r for rs in ratios for r in rs]
        if not flat:
            return []
        if all(close(r, flat[0]) for r in flat) and not close(flat[0], 1):
            return [f"it is off by a constant factor: the true value is "
                    f"{mpmath.nstr(flat[0], 6)} times it"]
        if self.batch and all(close(r, 1 / mpmath.mpf(m)) for rs, m in zip(ratios, counts,
                                                                          strict=True)
                              for r in rs):
            return [f"it misses the factor 1/{self.names.count}"]
        if self.batch and all(close(r, mpmath.mpf(m)) for rs, m in zip(ratios, counts,
                                                                      strict=True)
                              for r in rs):
            return [f"it has an extra factor 1/{self.names.count}"]
        return []

    def about(self) -> tuple[str, ...]:
        head = self.statement.sides[0]
        if not isinstance(head, MGrad):
            return ()
        out: list[str] = []
        for values in self.assignments:
            try:
                found = self.names.resolve(head.wrt, values, gradient=True)
            except FormulaError:
                continue
            if found.kind == "W":
                out += [w.name for u in self.names.units(found.pos) for _, w in u.incoming]
            elif found.kind == "b":
                out += [u.bias.name for u in self.names.units(found.pos)
                        if u.bias is not None]
        return tuple(dict.fromkeys(out))


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def masked_name(statement: MStatement) -> MName | None:
    """The name a mask line sets (``dhidden`` of ``dhidden[hidden_layer <= 0] = 0``)."""
    head = statement.sides[0]
    if isinstance(head, MMask) and isinstance(head.target, MName):
        return head.target
    return None


def with_values(statement: MStatement, bound: dict[str, MNode | str], *,
                keep_head: bool = False) -> MStatement:
    """The statement with each name an earlier mask line set read as what it holds now; a
    name an unread line set (a reason in ``bound``) cannot be read. ``keep_head``: the left
    side is a name the line sets, kept as written."""
    if not bound:
        return statement

    def put(node: MNode) -> MNode:
        if isinstance(node, MName):
            if node.layer is not None or node.example is not None:
                return node
            value = bound.get(node.raw, node)
            if isinstance(value, str):
                raise FormulaError(value)
            return value
        if isinstance(node, MGrad | MNum | MOnes | MSpace):
            return node
        changes = {}
        for f in fields(node):  # type: ignore[arg-type]
            value = getattr(node, f.name)
            if isinstance(value, tuple):
                changes[f.name] = tuple((v[0], put(v[1])) if isinstance(v, tuple) else put(v)
                                        for v in value)
            elif is_dataclass(value):
                changes[f.name] = put(value)
        return replace(node, **changes)  # type: ignore[type-var]

    head, *rest = statement.sides
    return replace(statement, sides=(head if keep_head else put(head), *map(put, rest)))


_SETS = re.compile(r"\s*([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*[-+*/]?=(?!=)")


def unread_sets(formula: str) -> str | None:
    """The name a line sets when it is written as code (``dhidden = …``, ``dscores /= m``,
    ``dhidden[…] = 0``), read or not."""
    found = _SETS.match(formula)
    return found.group(1) if found else None


def matrix_results(ctx: Context, line: SourceLine, formula: str, *, strict: bool | None,
                   bound: dict[str, MNode | str] | None = None) -> list[StepResult]:
    """The verdicts on a matrix-form line, one per side after the first. A line that cannot
    be read in matrix form is unchecked, with the reason; with ``strict`` (one formula) it is
    a :class:`FormulaError`; with ``strict`` None (a line the index reader could not read
    either, tried in matrix form) there is no verdict. ``bound``: what the names earlier
    mask lines set hold now (CS231n's ``dhidden`` after ``dhidden[hidden_layer <= 0] =
    0``); a mask line adds its name."""
    try:
        step = MatrixStep(ctx, line, formula, bound)
        if step.sets is not None and bound is not None:
            name, value = step.sets
            if value is None:
                bound.pop(name, None)
            else:
                bound[name] = value
        return step.results()
    except FormulaError as exc:
        name = unread_sets(formula)
        if bound is not None and name is not None:  # its value is not known from here on
            bound[name] = f"`{name}` was last set by line {line.number}, which is not read"
        if strict:
            raise
        if strict is None:
            return []
        return [StepResult(line.number, line.text, "unchecked", (f"{MATRIX_WORDS}: {exc}",),
                           label=line.label)]
