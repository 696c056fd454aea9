"""Where to put the label of each edge of a picture so that no two labels overlap.

Labels are set upright (never rotated along the edge) and placed one by one: each at the
first point along its edge, from a list of candidate positions, where its box meets no node,
no label placed before it and no other edge (a label's white ground would hide a stretch of
that edge); when every candidate is taken, at the one that overlaps least. An edge may be
bent as TikZ bends it (``bend left``), and its label then sits on the curve. Sizes are
estimated from the LaTeX (:func:`symbackprop.render.latex.latex_width`),
erring on the large side.

>>> place_labels([Edge(0, 0, 4, 0, 1.0, 0.3)], [Box(0, 0, 1, 1)])[0]
0.3
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from .latex import latex_width

CANDIDATES = (0.3, 0.5, 0.7, 0.4, 0.6, 0.22, 0.78, 0.35, 0.45, 0.55, 0.65, 0.15, 0.85, 0.25,
              0.75, 0.18, 0.82, 0.12, 0.88, 0.28, 0.32, 0.38, 0.42, 0.48, 0.52, 0.58, 0.62,
              0.68, 0.72)
HARD = 1000.0  # a label on a node or a label weighs this much more than one on an edge
LOOSENESS = 0.3915  # TikZ's distance of a bent edge's control points, as a share of its length
CURVE_PIECES = 16  # straight pieces a bent edge is measured by
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
    """An edge from (x1, y1) to (x2, y2) whose label has the given size; ``bend`` turns it
    into TikZ's ``bend left=bend`` curve (degrees). ``key`` names the edge, so that its own
    line is no obstacle to its label."""

    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    height: float
    bend: float = 0.0
    key: object = None

    def point(self, t: float) -> tuple[float, float]:
        """The point at ``t`` (0 at the start, 1 at the end), as TikZ's ``pos`` places it."""
        if not self.bend:
            return self.x1 + t * (self.x2 - self.x1), self.y1 + t * (self.y2 - self.y1)
        (ax, ay), (bx, by), (cx, cy), (dx, dy) = self.controls()
        u = 1 - t
        return (u ** 3 * ax + 3 * u * u * t * bx + 3 * u * t * t * cx + t ** 3 * dx,
                u ** 3 * ay + 3 * u * u * t * by + 3 * u * t * t * cy + t ** 3 * dy)

    def controls(self) -> tuple[tuple[float, float], ...]:
        """The Bézier control points of the bent edge."""
        dx, dy = self.x2 - self.x1, self.y2 - self.y1
        length = math.hypot(dx, dy)
        angle = math.atan2(dy, dx)
        turn = math.radians(self.bend)
        reach = LOOSENESS * length
        out, back = angle + turn, angle - turn
        return ((self.x1, self.y1),
                (self.x1 + reach * math.cos(out), self.y1 + reach * math.sin(out)),
                (self.x2 - reach * math.cos(back), self.y2 - reach * math.sin(back)),
                (self.x2, self.y2))

    def box_at(self, pos: float) -> Box:
        return Box(*self.point(pos), self.width, self.height)

    def segments(self) -> list[Segment]:
        """The edge as straight pieces (one when it is straight)."""
        if not self.bend:
            return [Segment(self.key, self.x1, self.y1, self.x2, self.y2)]
        points = [self.point(k / CURVE_PIECES) for k in range(CURVE_PIECES + 1)]
        return [Segment(self.key, *a, *b) for a, b in itertools.pairwise(points)]


@dataclass(frozen=True)
class Segment:
    """A straight piece of a drawn edge, named by the edge's ``key``."""

    key: object
    x1: float
    y1: float
    x2: float
    y2: float

    def inside(self, box: Box) -> float:
        """The length of this piece inside ``box`` (Liang–Barsky clipping), in cm."""
        dx, dy = self.x2 - self.x1, self.y2 - self.y1
        low, high = 0.0, 1.0
        for p, q in ((-dx, self.x1 - (box.x - box.width / 2)),
                     (dx, box.x + box.width / 2 - self.x1),
                     (-dy, self.y1 - (box.y - box.height / 2)),
                     (dy, box.y + box.height / 2 - self.y1)):
            if p == 0:
                if q < 0:
                    return 0.0
                continue
            r = q / p
            if p < 0:
                low = max(low, r)
            else:
                high = min(high, r)
            if low > high:
                return 0.0
        return (high - low) * math.hypot(dx, dy)


def label_size(latex: str, lines: int = 1) -> tuple[float, float]:
    """The size in cm of a ``\\scriptsize`` math label: a superscript and a subscript make
    it taller (``W^{(1)}_{31}`` reaches above and below the line)."""
    scripts = 0.1 * ("^" in latex) + 0.08 * ("_" in latex)
    return latex_width(latex) * SCRIPT_EM_CM + 0.1, LINE_CM * lines + scripts


def crossed(box: Box, key: object, lines: Sequence[Segment]) -> float:
    """How much of the edges other than ``key``'s runs under ``box``, as an area (cm²): the
    length inside times the label's height."""
    return sum(seg.inside(box) for seg in lines if seg.key != key or key is None) * box.height


def place_labels(edges: Sequence[Edge], obstacles: Sequence[Box],
                 candidates: Sequence[float] = CANDIDATES,
                 lines: Sequence[Segment] = ()) -> list[float]:
    """The position (0 at the source, 1 at the target) of each edge's label, avoiding
    ``obstacles``, the labels placed before it and the other edges' ``lines``."""
    placed: list[Box] = []
    out: list[float] = []
    for edge in edges:
        best, best_cost = candidates[0], float("inf")
        for pos in candidates:
            box = edge.box_at(pos)
            cost = (HARD * (sum(box.overlap(o) for o in obstacles)
                            + sum(box.overlap(p) for p in placed))
                    + (crossed(box, edge.key, lines) if lines else 0.0))
            if cost < best_cost:
                best, best_cost = pos, cost
            if cost == 0:
                break
        out.append(best)
        placed.append(edge.box_at(best))
    return out


def overlap(edges: Sequence[Edge], positions: Sequence[float],
            obstacles: Sequence[Box], lines: Sequence[Segment] = ()) -> float:
    """The area (cm²) where labels at ``positions`` cover a node or one another (weighted by
    ``HARD``) or, given ``lines``, another edge."""
    boxes = [e.box_at(p) for e, p in zip(edges, positions, strict=True)]
    return (HARD * (sum(b.overlap(o) for b in boxes for o in obstacles)
                    + sum(a.overlap(b) for k, a in enumerate(boxes) for b in boxes[k + 1:]))
            + sum(crossed(b, e.key, lines) for e, b in zip(edges, boxes, strict=True)))
