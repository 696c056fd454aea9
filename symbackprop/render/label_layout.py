"""Where to put the label of each edge of a picture so that no two labels overlap.

Labels are set upright (never rotated along the edge) and placed one by one: each at the
first point along its edge, from a list of candidate positions, where its box meets no node
and no label placed before it; when every candidate is taken, at the one that overlaps
least. Sizes are estimated from the LaTeX (:func:`symbackprop.render.latex.latex_width`),
erring on the large side.

>>> place_labels([Edge(0, 0, 4, 0, 1.0, 0.3)], [Box(0, 0, 1, 1)])[0]
0.3
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .latex import latex_width

CANDIDATES = (0.3, 0.5, 0.7, 0.4, 0.6, 0.22, 0.78, 0.35, 0.45, 0.55, 0.65)
SCRIPT_EM_CM = 0.24  # an em of \scriptsize text at 11 pt (0.28 cm) over the width estimate's margin
LINE_CM = 0.34  # the height of one line of \scriptsize text with its padding


@dataclass(frozen=True)
class Box:
    """An axis-aligned box by its centre and size, in cm."""

    x: float
    y: float
    width: float
    height: float

    def overlap(self, other: Box) -> float:
        dx = min(self.x + self.width / 2, other.x + other.width / 2) - max(
            self.x - self.width / 2, other.x - other.width / 2)
        dy = min(self.y + self.height / 2, other.y + other.height / 2) - max(
            self.y - self.height / 2, other.y - other.height / 2)
        return dx * dy if dx > 0 and dy > 0 else 0.0


@dataclass(frozen=True)
class Edge:
    """A straight edge from (x1, y1) to (x2, y2) whose label has the given size."""

    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    height: float

    def box_at(self, pos: float) -> Box:
        return Box(self.x1 + pos * (self.x2 - self.x1), self.y1 + pos * (self.y2 - self.y1),
                   self.width, self.height)


def label_size(latex: str, lines: int = 1) -> tuple[float, float]:
    """The size in cm of a ``\\scriptsize`` math label."""
    return latex_width(latex) * SCRIPT_EM_CM + 0.1, LINE_CM * lines


def place_labels(edges: Sequence[Edge], obstacles: Sequence[Box],
                 candidates: Sequence[float] = CANDIDATES) -> list[float]:
    """The position (0 at the source, 1 at the target) of each edge's label."""
    placed: list[Box] = []
    out: list[float] = []
    for edge in edges:
        best, best_cost = candidates[0], float("inf")
        for pos in candidates:
            box = edge.box_at(pos)
            cost = sum(box.overlap(o) for o in obstacles) + sum(box.overlap(p) for p in placed)
            if cost < best_cost:
                best, best_cost = pos, cost
            if cost == 0:
                break
        out.append(best)
        placed.append(edge.box_at(best))
    return out


def overlap(edges: Sequence[Edge], positions: Sequence[float],
            obstacles: Sequence[Box]) -> float:
    """The area (cm²) where labels at ``positions`` cover a node or one another."""
    boxes = [e.box_at(p) for e, p in zip(edges, positions, strict=True)]
    return sum(b.overlap(o) for b in boxes for o in obstacles) + sum(
        a.overlap(b) for k, a in enumerate(boxes) for b in boxes[k + 1:])
