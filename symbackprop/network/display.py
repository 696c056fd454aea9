"""How the tool's results show themselves in Jupyter: ``_repr_latex_`` and ``_repr_markdown_``.

A network, its gradients, a derivation, an evaluation or a gradient check displays as maths in
a notebook. The objects live in low stages of the pipeline; what they look like is the
printers' business (:mod:`symbackprop.render.jupyter`), which register one function per
class here. Importing :mod:`symbackprop` registers them; an object whose class has no
function returns None, and Jupyter falls back to its plain ``repr``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

RENDERERS: dict[tuple[type, str], Callable[[object], str]] = {}


def register(cls: type, kind: str, show: Callable[[object], str]) -> None:
    """Show instances of ``cls`` as ``kind`` (``"latex"`` or ``"markdown"``) with ``show``."""
    RENDERERS[(cls, kind)] = show


def _shown(obj: object, kind: str) -> str | None:
    for cls in type(obj).__mro__:
        show = RENDERERS.get((cls, kind))
        if show is not None:
            return show(obj)
    return None


class Displayable:
    """Mixin: Jupyter's rich display through the registered printers."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # IPython takes a class's own __repr__ (a dataclass writes one) before an inherited
        # _repr_pretty_: give each subclass its own
        cls._repr_pretty_ = Displayable._repr_pretty_  # type: ignore[method-assign]

    def _repr_latex_(self) -> str | None:
        return _shown(self, "latex")

    def _repr_markdown_(self) -> str | None:
        return _shown(self, "markdown")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's plain text: one line saying what this is, not every field."""
        printer.text(_shown(self, "text") or object.__repr__(self))
