"""The lecture notes as one self-contained web page.

One HTML file with nothing to fetch and nothing to run: the maths as MathML Core
(:mod:`symbackprop.notes.mathml`, each formula carrying its TeX), the network as inline SVG
(:mod:`symbackprop.notes.svg`), the styles inline, and a Content-Security-Policy that forbids
scripts and every network request. Every parameter's gradient, every local gradient and every
row of the descent table has an anchor (``#grad-w5``, ``#delta-o1``, ``#step-w5``), listed at
the top, so a lecturer can link to ∂E/∂w5. A print stylesheet sets the page for paper.
Everything that comes from the spec is escaped.

>>> page = notes_html(build_notes(net, derive(net)), net)  # doctest: +SKIP
>>> page.startswith("<!DOCTYPE html>")  # doctest: +SKIP
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..network.build import Network
from .document import Equations, Figure, Heading, Math, Notes, Para, Table
from .mathml import math_aligned, math_inline, text

POLICY = ("default-src 'none'; style-src 'unsafe-inline'; "
          "base-uri 'none'; form-action 'none'")

STYLE = """
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #111;
  font: 17px/1.5 "Latin Modern Roman", "STIX Two Text", Georgia, serif; }
main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 0.6rem; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.1rem; margin: 1.4rem 0 0.5rem; }
math { font-family: "Latin Modern Math", "STIX Two Math", "DejaVu Math TeX Gyre", math; }
.display { margin: 0.8rem 0; overflow-x: auto; overflow-y: hidden; }
math[display="block"] { margin: 0; }
mtable.align > mtr > mtd { padding: 0.25em 0; }
mtable.align > mtr > mtd:nth-child(odd) { text-align: right; text-align: -webkit-right; }
mtable.align > mtr > mtd:nth-child(even) { text-align: left; text-align: -webkit-left; }
mtable.cases > mtr > mtd { text-align: left; text-align: -webkit-left;
  padding: 0.1em 0.5em 0.1em 0; }
mtr:target { background: #fff3c4; }
tr:target { background: #fff3c4; }
figure { margin: 1rem 0; text-align: center; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #333; }
svg.network { font-family: "Latin Modern Roman", Georgia, serif; }
svg.network circle, svg.network rect { fill: #fff; stroke: #222; stroke-width: 1.5; }
svg.network circle.input, svg.network rect.bias { fill: #f0f0f0; stroke-width: 1; }
svg.network rect.halo { fill: #fff; stroke: none; }
svg.network line, svg.network path { stroke: #222; stroke-width: 1.2; fill: none; }
svg.network line.bias, svg.network path.bias { stroke: #888; }
svg.network line.loss { stroke-dasharray: 5 4; }
svg.network text { fill: #111; }
table { border-collapse: collapse; margin: 0.8rem auto; font-size: 0.95rem; }
th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #ddd; }
th { border-bottom: 1.5px solid #444; }
td:not(:first-child), th:not(:first-child) { text-align: right; }
.table { overflow-x: auto; }
nav.contents { font-size: 0.95rem; border: 1px solid #ddd; padding: 0.5rem 1rem; }
nav.contents ul { margin: 0.2rem 0; padding-left: 1.2rem; }
nav.contents li.params { list-style: none; margin-left: -1.2rem; }
nav.contents a { margin-right: 0.6rem; }
a { color: #0b4f9c; }
@page { margin: 18mm 16mm; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav.contents { display: none; }
  a { color: inherit; text-decoration: none; }
  h2, h3 { break-after: avoid; }
  .display, figure, table, tr { break-inside: avoid; }
  .display, .table { overflow: visible; }
  mtr:target, tr:target { background: none; }
}
"""


def anchor_names(net: Network | None) -> dict[str, tuple[str, str]]:
    """The anchor of each formula's left-hand side, with the TeX a link to it shows:
    ∂E/∂w5 → ``grad-w5``, δ_o1 → ``delta-o1``, and a parameter's own name (its row in the
    descent table, keyed ``param:``) → ``step-w5``."""
    if net is None:
        return {}
    from ..render.printing import NetworkLatexPrinter, Partial

    printer = NetworkLatexPrinter(net)
    inline = NetworkLatexPrinter(net, inline_partials=True)
    out: dict[str, tuple[str, str]] = {}
    for p in net.params:
        gradient = Partial(net.loss_symbol, p)
        out.setdefault(printer.doprint(gradient),
                       ("grad-" + slug(p.name), inline.doprint(gradient)))
        out.setdefault("param:" + net.latex_of(p), ("step-" + slug(p.name), net.latex_of(p)))
    for u in net.units:
        out.setdefault(printer.doprint(u.delta),
                       ("delta-" + slug(u.name), printer.doprint(u.delta)))
    return out


def slug(name: str, *, lower: bool = False) -> str:
    """An id made of the name's letters and digits (others spelled in hexadecimal).

    >>> slug("w5"), slug("Forward pass and loss", lower=True), slug("w^1")
    ('w5', 'forward-pass-and-loss', 'w-5e-1')
    """
    out = []
    for ch in name.strip():
        if ch.isascii() and (ch.isalnum() or ch in "_."):
            out.append(ch.lower() if lower else ch)
        elif ch == " " or ch == "-":
            out.append("-")
        else:
            out.append(f"-{ord(ch):x}-")
    return re.sub(r"-+", "-", "".join(out)).strip("-") or "x"


class _Ids:
    """Ids handed out once each: a second formula with the same left side gets none."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, wanted: str | None) -> str | None:
        if wanted is None or wanted in self.used:
            return None
        self.used.add(wanted)
        return wanted

    def unique(self, wanted: str) -> str:
        k, name = 1, wanted
        while name in self.used:
            k += 1
            name = f"{wanted}-{k}"
        self.used.add(name)
        return name


def _inline(parts: Sequence[str | Math]) -> str:
    return "".join(math_inline(p.latex) if isinstance(p, Math) else text(p) for p in parts)


def _lhs(row: str) -> str:
    return row.split("&", 1)[0].strip()


def notes_html(notes: Notes, net: Network | None = None) -> str:
    """The notes as a complete HTML page; ``net`` (the notes' network) names the anchors."""
    from .svg import network_svg

    names = anchor_names(net)
    ids = _Ids()
    body: list[str] = []
    contents: list[tuple[str, str]] = []  # section id, heading
    gradients: list[tuple[str, str]] = []  # anchor, lhs TeX
    for b in notes.blocks:
        if isinstance(b, Heading):
            anchor = ids.unique(slug(b.text, lower=True))
            tag = "h2" if b.level == 1 else "h3"
            if b.level == 1:
                contents.append((anchor, b.text))
            body.append(f'<{tag} id="{anchor}">{text(b.text)}</{tag}>')
        elif isinstance(b, Para):
            body.append(f"<p>{_inline(b.parts)}</p>")
        elif isinstance(b, Equations):
            found = [names.get(_lhs(r)) for r in b.rows]
            row_ids = [ids.take(f[0] if f else None) for f in found]
            gradients += [(a, f[1]) for a, f in zip(row_ids, found, strict=True)
                          if a and f and a.startswith("grad-")]
            body.append(f'<div class="display">{math_aligned(b.rows, row_ids)}</div>')
        elif isinstance(b, Figure) and not b.network:
            continue  # a layer's picture: the web page draws the network only
        elif isinstance(b, Figure):
            drawing = network_svg(net, b.caption) if net is not None else ""
            body.append(f"<figure>{drawing}<figcaption>{text(b.caption)}</figcaption>"
                        "</figure>")
        elif isinstance(b, Table):
            body.append(_table(b, names, ids))
    page = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="symbackprop">',
            f"<title>{text(notes.title)}</title>", f"<style>{STYLE}</style>", "</head>",
            "<body>", "<main>", f"<h1>{text(notes.title)}</h1>",
            _contents(contents, gradients), *body, "</main>", "</body>", "</html>"]
    return "\n".join(page) + "\n"


def _contents(sections: Sequence[tuple[str, str]], gradients: Sequence[tuple[str, str]]
              ) -> str:
    if not sections:
        return ""
    items = [f'<li><a href="#{a}">{text(title)}</a></li>' for a, title in sections]
    if gradients:
        links = " ".join(f'<a href="#{a}">{math_inline(tex)}</a>' for a, tex in gradients)
        items.append(f'<li class="params">Gradients: {links}</li>')
    return '<nav class="contents"><ul>' + "".join(items) + "</ul></nav>"


def _table(table: Table, names: dict[str, tuple[str, str]], ids: _Ids) -> str:
    head = "".join(f'<th scope="col">{_inline([c])}</th>' for c in table.header)
    rows = []
    for row in table.rows:
        first = row[0] if row else ""
        found = names.get("param:" + first.latex) if isinstance(first, Math) else None
        anchor = ids.take(found[0] if found else None)
        cells = "".join(f"<td>{_inline([c])}</td>" for c in row)
        rows.append((f'<tr id="{anchor}">' if anchor else "<tr>") + cells + "</tr>")
    caption = f"<caption>{text(table.caption)}</caption>" if table.caption else ""
    return (f'<div class="table"><table>{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")
