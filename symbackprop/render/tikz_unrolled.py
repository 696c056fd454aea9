"""A recurrent layer unrolled over time as a TikZ picture.

One column per step t: x^{(t)} at the bottom, h^{(t)} above it, o^{(t)} above that (when an
output layer reads every step), and h^{(0)} on the left; the arrows carry the shared matrices
by the spec's names: x^{(t)} → h^{(t)} by U, h^{(t−1)} → h^{(t)} by W, h^{(t)} → o^{(t)} by V.
More than :data:`MAX_STEPS` steps keep the first two and the last, with ``\\cdots`` between.

>>> unrolled_tikz(Unrolled(steps=3, x="x", h="h", o="o", U="U", W="W", V="V"))[:19]
'\\\\begin{tikzpicture}'
"""

from __future__ import annotations

from dataclasses import dataclass

STEP_CM = 2.6  # between two steps' columns
MAX_STEPS = 5  # steps drawn before the middle ones are elided


@dataclass(frozen=True)
class Unrolled:
    """The names (spec-vetted LaTeX heads) and the number of steps of a recurrent layer;
    ``o`` and ``V`` are None without an output layer at every step."""

    steps: int
    x: str
    h: str
    o: str | None
    U: str
    W: str
    V: str | None
    initial: str = "0"  # what h^{(0)} is: "0", or "" for a trainable initial state


def steps_shown(steps: int) -> list[int | None]:
    """The steps drawn, None for the elided ones.

    >>> steps_shown(8)
    [1, 2, None, 8]
    """
    if steps <= MAX_STEPS:
        return list(range(1, steps + 1))
    return [1, 2, None, steps]


def step_x(column: int) -> float:
    """The x (cm) of the column'th step drawn (h^{(0)} is column 0)."""
    return column * STEP_CM


def unrolled_tikz(u: Unrolled) -> str:
    lines = [r"\begin{tikzpicture}[x=1cm, y=1cm, >=stealth,"
             " state/.style={circle, draw, thick, minimum size=11mm, inner sep=0pt},"
             " vec/.style={rectangle, draw, rounded corners, minimum size=8mm,"
             " fill=black!6, inner sep=2pt},"
             r" wt/.style={font=\scriptsize, fill=white, inner sep=1pt}]"]

    def at(v: str, t: object) -> str:
        return f"{v}^{{({t})}}"

    zero = f", label=below:{{${at(u.h, 0)} = {u.initial}$}}" if u.initial else ""
    lines.append(f"  \\node[state, dashed{zero}] (h0) at (0.00,1.80) {{${at(u.h, 0)}$}};")
    previous = "h0"
    for column, t in enumerate(steps_shown(u.steps), start=1):
        x = f"{step_x(column):.2f}"
        if t is None:
            lines.append(f"  \\node (hdots) at ({x},1.80) {{$\\cdots$}};")
            lines.append(f"  \\draw[->] ({previous}) -- (hdots);")
            previous = "hdots"
            continue
        lines.append(f"  \\node[vec] (x{t}) at ({x},0.00) {{${at(u.x, t)}$}};")
        lines.append(f"  \\node[state] (h{t}) at ({x},1.80) {{${at(u.h, t)}$}};")
        lines.append(f"  \\draw[->] (x{t}) -- node[wt] {{${u.U}$}} (h{t});")
        weight = f" node[wt] {{${u.W}$}}" if previous != "hdots" else ""
        lines.append(f"  \\draw[->] ({previous}) --{weight} (h{t});")
        if u.o is not None and u.V is not None:
            lines.append(f"  \\node[vec] (o{t}) at ({x},3.60) {{${at(u.o, t)}$}};")
            lines.append(f"  \\draw[->] (h{t}) -- node[wt] {{${u.V}$}} (o{t});")
        previous = f"h{t}"
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines)
