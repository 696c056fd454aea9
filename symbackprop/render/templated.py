"""δ-form derivations of layered networks, printed from one template per row shape.

In a network whose layers are fully connected one after the other, every row of one kind in
one layer has the same shape: ∂L/∂w^{[l]}_{j,k} = δ^{[l]}_j a^{[l-1]}_k for every j and k,
z^{[l]}_j = Σ_k w^{[l]}_{j,k} a^{[l-1]}_k + b^{[l]}_j for every j. A shape is built once by
the same row builders as every other network (:mod:`symbackprop.render.derivations`) with
placeholder symbols standing for the row's own quantities, and printed once by the same
printers; each row is that print with its names filled in. Printing 23,860 gradients then
costs string joins instead of 47,000 SymPy prints.

Three things keep a filled row equal to the row the general path prints:

* the printers order the factors of an evaluated product by the names of its symbols, so
  placeholders get names that sort like the row's own names (a shape is keyed by that order);
* SymPy's LaTeX printer puts ``\\cdot`` between a factor ending in a digit and a number, so
  a placeholder's LaTeX ends in a digit exactly when the name it stands for does;
* the first row of every shape is also printed the general way and compared; any difference
  (a printer that treats some name specially) sends the whole document to the general path.

Line breaking runs the general breaker with a printer that fills the shape's prints of each
sub-expression, so rows are broken where the general path breaks them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import sympy as sp
from sympy.core.parameters import evaluate

from ..network.build import Network, Unit
from ..network.chains import backward_order
from ..network.derivation import Derivation, Gradients
from .derivations import (
    DELTA_FAST_PATHS,
    DerivationDocument,
    ParamDerivation,
    Row,
    cost_row,
    delta_derivation,
    delta_row,
    equations_block,
    gradient_rows,
    layer_matrix_form,
    loss_row,
    param_block,
    unit_definition_rows,
)
from .latex import Step, aligned_rows
from .printing import latex_printer, partial_tex, partial_text, text
from .row_breaks import RowPrinter, aligned_by_pattern, one_line_block
from .row_templates import (
    MARK,
    MAX_SLOTS,
    OPEN,
    RANK0,
    Fallback,
    Names,
    Template,
    canonical,
    look,
    looks,
    order3,
    placeholder,
    shape_key,
    sharing_printer,
    skeleton,
)

MIN_PARAMS = 0  # templates pay off from a few dozen rows; small networks take them too
CHECK_SLOTS = 64  # rows up to this many quantities are also broken the general way and compared


class Shape:
    """The rows built for one representative, with placeholders for its slot symbols."""

    def __init__(self, net: Network, rows: Sequence[Row], slots: Sequence[sp.Symbol],
                 names: Names, shared: dict[Any, Template] | None = None) -> None:
        order = sorted(range(len(slots)), key=lambda i: slots[i].name)
        self.rank_slot = order  # rank → slot
        rank_of = {slot: rank for rank, slot in enumerate(order)}
        placeholders = [placeholder(rank_of[i], names.latex[i]) for i in range(len(slots))]
        mapping = dict(zip(slots, placeholders, strict=True))
        self.net = net
        self.printer = latex_printer(net)
        self.segment_cache: dict[Any, Any] = {}
        self.shared = {} if shared is None else shared  # prints by placeholder order and looks
        self._subs: dict[tuple[Any, bool], Template] = {}
        self.one_line: dict[tuple[str, float], bool] = {}  # see row_breaks.one_line_block
        self.blocks: dict[Any, Template | None] = {}  # see row_breaks.one_line_block
        self.broken: dict[Any, list[Template] | None] = {}  # see TemplatedRow.aligned_rows
        # terms alike up to their names (the 784 w·a of a forward row) share one print here too
        self.sharing = sharing_printer(self.printer, placeholders,
                                       lambda expr: self.sub(expr, False))
        self.rows: list[tuple[Template, Template, Any, Any, str]] = []
        for real in rows:
            with evaluate(False):
                expr = real.expr.xreplace(mapping) if real.expr is not None else None
                lhs = real.lhs.xreplace(mapping) if real.lhs is not None else None
            if expr is None:
                raise Fallback("a row without an expression")
            whole = sp.Eq(lhs, expr, evaluate=False) if lhs is not None else expr
            text_t = self.parse(text(whole, net))  # as equation_row and expr_row print
            latex_t = self.parse(self.sharing.doprint(whole))
            if text_t.fill(names.text) != real.text or latex_t.fill(names.latex) != real.latex:
                raise Fallback(f"a {real.kind} row prints differently from its template")
            self.rows.append((text_t, latex_t, expr, lhs, real.kind))
        self.mapping = mapping
        self.real_rows = list(rows)
        self.real_names = names

    def parse(self, printed: str) -> Template:
        parts = MARK.split(printed)
        literals = parts[0::2]
        slots = tuple(self.rank_slot[ord(c) - RANK0] for c in parts[1::2])
        return Template(tuple(literals), slots)

    def sub(self, expr: Any, whole: bool) -> Template:
        """The template of a sub-expression, as ``doprint`` (whole) or ``_print`` prints it."""
        key = (expr, whole)
        found = self._subs.get(key)
        if found is None:
            found = self._subs[key] = self._print_sub(expr, whole)
        return found

    def _print_sub(self, expr: Any, whole: bool) -> Template:
        """A sub-expression's print depends on its placeholders only through their order and
        looks: sub-expressions alike up to which placeholders they hold (the 784 terms
        w·a of a forward row) share one print, made for the first of them."""
        own = sorted((s for s in expr.free_symbols if s.name.startswith(OPEN)),
                     key=lambda s: s.name)
        slot_of = [self.rank_slot[ord(s.name[1]) - RANK0] for s in own]
        alike = (skeleton(expr, {s: k for k, s in enumerate(own)}), whole)
        if alike[0] is None:
            with evaluate(False):
                alike = (("expr", expr.xreplace({s: canonical(k, s) for k, s in enumerate(own)})),
                         whole)
        shared = self.shared.get(alike)
        if shared is None:
            printed = self.parse(self.sharing.doprint(expr) if whole
                                 else self.printer._print(expr))
            position = {slot: k for k, slot in enumerate(slot_of)}
            shared = self.shared[alike] = Template(
                printed.literals, tuple(position[slot] for slot in printed.slots))
        return Template(shared.literals, tuple(slot_of[k] for k in shared.slots))

    @cached_property
    def first_print(self) -> Template:
        """The template of the first row's expression as ``doprint`` prints it."""
        return self.sub(self.rows[0][2], True)

    def row(self, k: int, names: Names) -> TemplatedRow:
        return TemplatedRow(self, k, names)


class TemplatedRow:
    """A :class:`~symbackprop.render.derivations.Row` whose strings are filled on request."""

    __slots__ = ("index", "names", "shape")

    def __init__(self, shape: Shape, index: int, names: Names) -> None:
        self.shape, self.index, self.names = shape, index, names

    @property
    def text(self) -> str:
        return self.shape.rows[self.index][0].fill(self.names.text)

    @property
    def latex(self) -> str:
        return self.shape.rows[self.index][1].fill(self.names.latex)

    @property
    def expr(self) -> Any:
        return self.shape.rows[self.index][2]

    @property
    def lhs(self) -> Any:
        return self.shape.rows[self.index][3]

    @property
    def kind(self) -> str:
        return self.shape.rows[self.index][4]

    @property
    def printer(self) -> RowPrinter:
        return RowPrinter(self.shape, self.names.latex)

    def aligned_rows(self, width: float) -> list[str]:
        """The rows of this equation in an aligned block, broken as the general way breaks
        them (:func:`~symbackprop.render.row_breaks.aligned_by_pattern`)."""
        shape, k = self.shape, self.index
        lhs, expr = shape.rows[k][3], shape.rows[k][2]

        def run(names: Sequence[str], measure: Callable[[str], int]) -> list[str]:
            printer = RowPrinter(shape, names, measure)
            return aligned_rows(printer.doprint(lhs), [Step(expr)], printer, width=width)

        return aligned_by_pattern(shape.broken, (k, width), self.names.latex, run)


class TemplatedParam:
    """A :class:`~symbackprop.render.derivations.ParamDerivation` filled from templates."""

    __slots__ = ("_lhs", "grads", "names", "param", "rows")

    def __init__(self, grads: Gradients, param: sp.Symbol, lhs: Shape, names: Names,
                 rows: list[TemplatedRow]) -> None:
        self.grads, self.param, self._lhs, self.names, self.rows = grads, param, lhs, names, rows

    name = property(lambda self: self.param.name)
    value = None
    notes: list[str] = []  # noqa: RUF012 - read only, shared by every parameter

    @property
    def lhs_text(self) -> str:
        return self._lhs.rows[0][0].fill(self.names.text)

    @property
    def lhs_latex(self) -> str:
        return self._lhs.rows[0][1].fill(self.names.latex)

    @property
    def printer(self) -> RowPrinter:
        return RowPrinter(self.rows[0].shape, self.names.latex)

    @property
    def derivation(self) -> Derivation:
        return delta_derivation(self.grads, self.param)

    def one_line_block(self, doc: Any, env: str, width: float) -> str | None:
        """:func:`~symbackprop.render.derivations.param_block` of a parameter whose one row
        fits on its line, without the line breaker; None when the row must be broken
        (:func:`~symbackprop.render.row_breaks.one_line_block`)."""
        if len(self.rows) != 1:
            return None
        return one_line_block(self.rows[0].shape, self._lhs.rows[0][1], self.names.latex,
                              lambda: param_block(doc, self, env=env, width=width,
                                                  shortcut=False), env, width)


# ----------------------------------------------------------------------------- layout


def layered(net: Network) -> list[tuple[Unit, ...]] | None:
    """The layers of a network whose layers are fully connected one after the other.

    None when any unit takes other sources, a parameter is used twice, or a softmax layer is
    not the last: those rows differ in shape and go the general way.
    """
    if any(not u.weighted for u in net.units):
        return None  # a pooling unit is a max or a mean: rows of their own shapes
    layers = [net.layer_units(k) for k in sorted(net.units_by_layer)]
    previous = tuple(net.inputs)
    seen: set[sp.Symbol] = set()
    count = 0
    for k, units in enumerate(layers):
        if units[0].layer != k + 1:
            return None
        for u in units:
            if tuple(net.source_out[s] for s, _ in u.incoming) != previous or \
                    u.constant is not None:
                return None
            count += len(u.incoming) + (u.bias is not None)
            seen.update(w for _, w in u.incoming)
            if u.bias is not None:
                seen.add(u.bias)
            if u.activation != units[0].activation:
                return None
        if units[0].activation.kind == "softmax" and k != len(layers) - 1:
            return None
        previous = tuple(u.out for u in units)
    if len(seen) != count or count != len(net.params) or net.frozen:
        return None
    return layers


class _Shapes:
    """Shapes by key, built from the first row that needs each."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self.known: dict[tuple[Any, ...], tuple[Shape, Shape]] = {}
        self.shared: dict[Any, Template] = {}  # see Shape._print_sub

    def get(self, kind: str, group: Any, slots: Sequence[sp.Symbol], names: Names,
            build: Callable[[], Sequence[Row]]) -> Shape:
        return self.pair(kind, group, slots, names, build, None)[0]

    def pair(self, kind: str, group: Any, slots: Sequence[sp.Symbol], names: Names,
             build: Callable[[], Sequence[Row]],
             build_lhs: Callable[[], Sequence[Row]] | None) -> tuple[Shape, Shape]:
        """The shape of a row (and of its left-hand side, when asked) for this row's names."""
        if len(slots) > MAX_SLOTS:
            raise Fallback("too many quantities in one row")
        key = shape_key(kind, group, names)
        found = self.known.get(key)
        if found is None:
            shape = Shape(self.net, build(), slots, names, self.shared)
            found = (shape, Shape(self.net, build_lhs(), slots, names, self.shared)
                     if build_lhs else shape)
            self.known[key] = found
        return found


def _names(latex: dict[str, str], symbols: Sequence[sp.Symbol]) -> Names:
    """The names of ``symbols``: their own and (``latex``, by name) their LaTeX names."""
    text = tuple([s.name for s in symbols])
    return Names(text, tuple([latex.get(n, n) for n in text]))


# ----------------------------------------------------------------------------- document


def templated_document(net: Network, grads: Gradients, chosen: Sequence[sp.Symbol],
                       progress: Callable[[str], None] | None = None
                       ) -> DerivationDocument | None:
    """The δ-form document of a layered network, or None where templates do not apply."""
    if len(net.params) < MIN_PARAMS or not _symbols_print_as_named(net):
        return None
    layers = layered(net)
    if layers is None:
        return None
    try:
        return _document(net, grads, layers, chosen, progress)
    except Fallback:
        return None


def _document(net: Network, grads: Gradients, layers: list[tuple[Unit, ...]],
              chosen: Sequence[sp.Symbol], progress: Callable[[str], None] | None
              ) -> DerivationDocument:
    shapes = _Shapes(net)
    # rows of one kind are grouped by layer: every unit of a layer has its activation (see
    # layered), and an int hashes faster than the activation for 89,610 parameters
    group_of = {u.name: u.layer for units in layers for u in units}
    softmax = {u.name for units in layers for u in units if u.activation.kind == "softmax"}
    latex = {s.name: t for s, t in net.latex_names.items()}  # by name: names are unique

    definitions: list[Any] = []
    waiting: list[Any] = []  # a softmax layer's activations, after all its net inputs
    for k, u in enumerate(net.units):
        if u.name in softmax:
            first, *rest = unit_definition_rows(net, u)
            definitions.append(first)
            waiting += rest
            if k + 1 == len(net.units) or net.units[k + 1].layer != u.layer:
                definitions += waiting
                waiting = []
            continue
        slots = [u.net, u.out, *([u.bias] if u.bias is not None else [])]
        for s, w in u.incoming:
            slots += [w, net.source_out[s]]
        names = _names(latex, slots)
        shape = shapes.get("forward", group_of[u.name], slots, names,
                           lambda u=u: unit_definition_rows(net, u))
        definitions += [shape.row(k, names) for k in range(len(shape.rows))]
    definitions.append(loss_row(net))

    deltas: list[Any] = []
    for u in backward_order(net):
        if u.name in softmax:
            deltas.append(delta_row(net, grads, u))
            continue
        slots = [u.delta, u.out, u.net, *([u.target] if u.target is not None else [])]
        for c, w in grads.consumer_weights[u.name]:
            slots += [c.delta, w]
        names = _names(latex, slots)
        shape = shapes.get("delta", group_of[u.name], slots, names,
                           lambda u=u: [delta_row(net, grads, u)])
        deltas.append(shape.row(0, names))

    uses = _uses(layers, net, group_of, latex)
    loss = net.loss_symbol
    params: list[Any] = []
    checked: set[int] = set()
    for p in chosen:
        unit, source, names, key = uses[p]
        kind = "bias" if source is None else "weight"
        found = shapes.known.get(key or shape_key(kind, group_of[unit.name], names))
        if found is None:
            slots = (p, unit.delta) if source is None else (p, unit.delta, source)
            found = shapes.pair(
                kind, group_of[unit.name], slots, names,
                lambda p=p: gradient_rows(net, grads, p), lambda p=p: [_lhs_row(net, loss, p)])
        shape, lhs = found
        rows = [TemplatedRow(shape, k, names) for k in range(len(shape.rows))]
        templated = TemplatedParam(grads, p, lhs, names, rows)
        if id(shape) not in checked:
            checked.add(id(shape))
            _check_param(net, grads, shape, lhs, templated)
        params.append(templated)
        if progress is not None:
            progress(p.name)
    for shape, _ in shapes.known.values():
        if shape.rows[0][4] in ("forward", "delta") and len(shape.mapping) <= CHECK_SLOTS:
            _check_blocks(net, shape)
    return DerivationDocument(net, "delta", params, definitions, deltas, list(grads.notes),
                              cost_row(net), layer_matrix_form(net, grads))


def _lhs_row(net: Network, loss: sp.Symbol, p: sp.Symbol) -> Row:
    """∂L/∂p as a row, so that it is templated like any other."""
    from .printing import Partial

    return Row(partial_text(loss, p), partial_tex(net, loss, p), "lhs", Partial(loss, p))


def _symbols_print_as_named(net: Network) -> bool:
    """Rows are filled with each symbol's name (text) and notation name (LaTeX): that is
    how SymPy's printers print a symbol, unless a printer overrides it."""
    from sympy.printing.latex import LatexPrinter
    from sympy.printing.str import StrPrinter

    from .printing import TextPrinter

    return (type(latex_printer(net))._print_Symbol is LatexPrinter._print_Symbol
            and TextPrinter._print_Symbol is StrPrinter._print_Symbol)


def _uses(layers: list[tuple[Unit, ...]], net: Network, group_of: dict[str, Any],
          latex: dict[str, str]
          ) -> dict[sp.Symbol, tuple[Unit, sp.Symbol | None, Names, tuple[Any, ...] | None]]:
    """Each parameter's unit, source, the names filling its rows (``(p, δ, source)``) and
    the key of its shape (None where :func:`shape_key` is to say why there is none)."""
    found: dict[sp.Symbol, tuple[Unit, sp.Symbol | None, Names, tuple[Any, ...] | None]] = {}
    for units in layers:
        # every unit of a layer has the same sources (see layered)
        sources = [(src, src.name, latex[src.name], look(latex[src.name]))
                   for src in (net.source_out[s] for s, _ in units[0].incoming)]
        for u in units:
            d = u.delta.name
            d_tex = latex[d]
            d_look = look(d_tex)
            group = group_of[u.name]
            weights = [w for _, w in u.incoming]
            texts = [latex[w.name] for w in weights]
            for w, w_tex, w_look, (src, c, c_tex, c_look) in zip(
                    weights, texts, looks(texts), sources, strict=True):
                a = w.name
                names = Names((a, d, c), (w_tex, d_tex, c_tex))
                key = None if a in (d, c) or d == c else (
                    "weight", group, order3(a, d, c), (w_look, d_look, c_look))
                found[w] = (u, src, names, key)
            if u.bias is not None:
                b = u.bias.name
                names = Names((b, d), (latex[b], d_tex))
                key = None if b == d else (
                    "bias", group, (0, 1) if b < d else (1, 0), (look(names.latex[0]), d_look))
                found[u.bias] = (u, None, names, key)
    return found


def _check_blocks(net: Network, shape: Shape) -> None:
    """The representative's LaTeX block, broken the general way and from the template."""
    for k, real in enumerate(shape.real_rows):
        if real.lhs is None:
            continue
        row = shape.row(k, shape.real_names)
        if equations_block(net, [row]) != equations_block(net, [real]):
            raise Fallback("a row breaks differently from its template")


def _check_param(net: Network, grads: Gradients, shape: Shape, lhs: Shape,
                 templated: TemplatedParam) -> None:
    """The representative's parameter block, the general way and from the template."""
    p = templated.param
    real = ParamDerivation(name=p.name, lhs_text=partial_text(net.loss_symbol, p),
                           lhs_latex=partial_tex(net, net.loss_symbol, p),
                           rows=list(shape.real_rows), derivation=templated.derivation)
    doc = _Doc(net)
    for env in ("align*", "aligned"):
        if param_block(doc, templated, env=env) != param_block(doc, real, env=env):
            raise Fallback("a gradient breaks differently from its template")
    if (templated.lhs_text, templated.lhs_latex) != (real.lhs_text, real.lhs_latex):
        raise Fallback("a gradient's name prints differently from its template")
    del lhs


@dataclass(frozen=True)
class _Doc:
    network: Network


DELTA_FAST_PATHS.append(templated_document)
