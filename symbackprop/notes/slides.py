"""The notes cut into slides, one idea a slide, for the beamer and Quarto decks.

The slides follow the notes' blocks: the network, the forward pass, each derivative
identity, each local gradient δ, each parameter's gradient and the step of gradient descent.
A block of equations whose first left side is a δ or a gradient gives each formula a slide
of its own; other equations share a slide up to what fits (``MAX_LINES``) and go on to a
slide titled "(continued)". A paragraph that leads into a display (it ends with a colon)
opens a slide; a long explanation gets a slide of its own.

>>> deck = slides(build_notes(net, derive(net)), net)  # doctest: +SKIP
>>> deck[0].title  # doctest: +SKIP
('Overview',)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..network.build import Network
from .document import Block, Equations, Figure, Heading, Math, Notes, Para, Table

MAX_LINES = 9.0  # display lines a slide holds (a row with a fraction counts as two)
LONG_PARA = 420  # characters: a longer paragraph gets a slide of its own
FOLLOW_UP = 200  # characters: a shorter paragraph after a display stays on its slide

Title = tuple[str | Math, ...]


@dataclass(frozen=True)
class Rows:
    """Rows of one aligned display (``lhs &= …``)."""

    rows: tuple[str, ...]


Part = Para | Figure | Table | Rows


@dataclass
class Slide:
    title: Title
    parts: list[Part] = field(default_factory=list)
    lines: float = 0.0
    has_display: bool = False


@dataclass(frozen=True)
class Section:
    """A section of the deck (one per top-level heading of the notes)."""

    title: str


def row_groups(rows: Sequence[str]) -> list[list[str]]:
    """Rows grouped by formula: a row with a left side and the ``&= …`` rows after it.

    >>> row_groups(["a &= b", "&= 1", "c &= d"])
    [['a &= b', '&= 1'], ['c &= d']]
    """
    groups: list[list[str]] = []
    for row in rows:
        if row.lstrip().startswith("&") and groups:
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def display_lines(rows: Sequence[str]) -> float:
    """How many lines rows take on a slide: a row with a fraction or a sum counts twice."""
    return sum((2.0 if "\\frac" in r or "\\sum" in r else 1.0) * (r.count("\\\\") + 1)
               for r in rows)


def own_slides(net: Network | None) -> dict[str, Title]:
    """Left sides (as the notes print them) that get a slide of their own, with its title:
    every parameter's gradient and every unit's local gradient."""
    if net is None:
        return {}
    from ..render.printing import NetworkLatexPrinter, Partial

    printer = NetworkLatexPrinter(net)
    inline = NetworkLatexPrinter(net, inline_partials=True)
    loss = net.loss_symbol
    out: dict[str, Title] = {
        printer.doprint(Partial(loss, p)): ("Gradient ", Math(inline.doprint(Partial(loss, p))))
        for p in net.params}
    out.update({printer.doprint(u.delta): ("Local gradient ", Math(printer.doprint(u.delta)))
                for u in net.units})
    return out


def para_length(p: Para) -> int:
    """About how many characters a paragraph shows (a formula's TeX counts a third)."""
    return sum(len(x) if isinstance(x, str) else len(x.latex) // 3 for x in p.parts)


def _lhs(group: Sequence[str]) -> str:
    return group[0].split("&", 1)[0].strip()


def _continued(title: Title) -> Title:
    last = title[-1] if title else ""
    if isinstance(last, str) and last.endswith(" (continued)"):
        return title
    return (*title, " (continued)")


def _lead_in(p: Para) -> bool:
    last = p.parts[-1] if p.parts else ""
    return isinstance(last, str) and last.rstrip().endswith(":")


class _Deck:
    """Slides filled block by block; ``slide`` is the one being filled."""

    def __init__(self, own: dict[str, Title]) -> None:
        self.own = own
        self.out: list[Slide | Section] = []
        self.section: Title = ("Overview",)
        self.slide = Slide(self.section)

    def close(self, title: Title | None = None) -> None:
        """End the slide being filled (if it holds anything) and start another."""
        if self.slide.parts:
            self.out.append(self.slide)
        self.slide = Slide(self.section if title is None else title)

    def add(self, b: Block) -> None:
        if isinstance(b, Heading):
            self.section = (b.text,)
            self.close()
            if b.level == 1:
                self.out.append(Section(b.text))
        elif isinstance(b, Para):
            self.para(b)
        elif isinstance(b, Equations):
            groups = row_groups(b.rows)
            # a block of δs or of gradients: a slide each; any other block (the matrix
            # form, whose last rows are gradients too) stays together where it fits
            own = bool(groups) and _lhs(groups[0]) in self.own
            for group in groups:
                self.equations(group, own=own)
        elif isinstance(b, Figure):
            self.close(self.slide.title)
            self.slide.parts.append(b)
            self.close(self.slide.title)
        elif isinstance(b, Table):
            if self.slide.has_display or self.slide.lines > 3:
                self.close(self.slide.title)
            self.slide.parts.append(b)
            self.close(self.slide.title)

    def para(self, b: Para) -> None:
        length = para_length(b)
        s = self.slide
        if s.has_display and (_lead_in(b) or length > FOLLOW_UP or s.lines > MAX_LINES - 1):
            self.close(_continued(s.title))
        if length > LONG_PARA:  # an explanation: a slide of its own
            self.close(self.slide.title)
            self.slide.parts.append(b)
            self.close(self.slide.title)
            return
        self.slide.parts.append(b)
        self.slide.lines += 1 + length / 120

    def equations(self, group: list[str], *, own: bool) -> None:
        lines = display_lines(group)
        s = self.slide
        if own:  # a δ or a gradient: a slide of its own, after its lead-in
            if s.parts and (s.has_display or s.lines > 2):
                self.close()
            if not self.slide.parts:
                self.slide.title = self.own.get(_lhs(group), self.section)
            self.slide.parts.append(Rows(tuple(group)))
            self.close()
            return
        if s.has_display and s.lines + lines > MAX_LINES:
            self.close(_continued(s.title))
        parts = self.slide.parts
        if parts and isinstance(parts[-1], Rows):
            parts[-1] = Rows(parts[-1].rows + tuple(group))
        else:
            parts.append(Rows(tuple(group)))
        self.slide.lines += lines
        self.slide.has_display = True


def slides(notes: Notes, net: Network | None = None) -> list[Slide | Section]:
    """The notes as sections and slides; ``net`` (the notes' network) gives each δ and each
    gradient a slide of its own."""
    deck = _Deck(own_slides(net))
    for b in notes.blocks:
        deck.add(b)
    deck.close()
    return deck.out
