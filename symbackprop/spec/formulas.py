"""Formulas in a spec (``nodes:`` and a ``loss:`` formula) as small trees of named terms.

A formula is read by the project's own formula grammar, the one ``check`` reads hand-written
gradients with; that grammar belongs to a later stage of the pipeline, so the spec stage asks
for it through :func:`read_formula`, and the package installs the reader
(``symbackprop/__init__.py``) when it is first needed. The spec keeps what it reads as a
:class:`Term` tree, which names no SymPy object: the network turns it into an expression
(:mod:`symbackprop.network.kinds.nodes`). Text is never handed to Python or to SymPy's
string parsers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..errors import FormulaError

FORMULA_FUNCTIONS = ("exp", "log", "tanh", "sigmoid", "softplus")
"""The functions a node or loss formula may call (σ, ln and the other spellings ``check``
reads are the same functions)."""


@dataclass(frozen=True)
class Term:
    """One node of a formula: ``op`` is ``name``, ``num`` (``text`` an exact number such as
    ``3/10``), ``add``, ``mul``, ``div``, ``pow``, ``neg`` or ``call`` (``text`` the
    function); ``pos`` is the 0-based character where it is written."""

    op: str
    args: tuple[Term, ...] = ()
    text: str = ""
    pos: int = 0

    def walk(self) -> Iterator[Term]:
        """This term and every term below it (iteratively: a formula may be deep)."""
        stack = [self]
        while stack:
            top = stack.pop()
            yield top
            stack.extend(reversed(top.args))

    def names(self) -> list[Term]:
        """The ``name`` terms, in the order they are written."""
        return sorted((t for t in self.walk() if t.op == "name"), key=lambda t: t.pos)

    def size(self) -> int:
        return sum(1 for _ in self.walk())


Reader = Callable[[str, Callable[[str], bool]], Term]
_readers: list[Callable[[], Reader]] = []


def provide_reader(load: Callable[[], Reader]) -> None:
    """Install the formula reader: ``load()`` gives a function (text, knows) → Term that
    raises :class:`FormulaError` on text it cannot read."""
    _readers[:] = [load]


def read_formula(text: str, knows: Callable[[str], bool]) -> Term:
    """``text`` as a :class:`Term` tree; ``knows`` says which written names exist (so that
    ``w_1`` reads as one name).

    >>> read_formula("m*x + c", lambda n: n in {"m", "x", "c"}).op  # doctest: +SKIP
    'add'
    """
    if not _readers:  # pragma: no cover - the package installs it on import
        raise FormulaError("no formula reader is installed")
    return _readers[0]()(text, knows)
