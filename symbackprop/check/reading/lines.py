"""Split a hand-written derivation into its steps, one per line, as people write them.

A derivation is LaTeX or plain text, one step per line: ``align`` environments, ``&=``
alignment, ``\\\\`` line ends, ``$$`` and ``\\[ \\]`` are understood; a line starting with
``=`` continues the previous equation; a line starting with ``+`` (or ending with an
operator) is the rest of the previous one, as ``derive`` breaks long formulas; a quantity
alone on its line (``∂E/∂w5``, as ``derive`` prints its heads) is the left side of the ``=``
line right below it. Labels such
as ``(E)``, ``– (F)``, ``\\tag{3}`` or a leading ``a)`` are set aside, and so are the words
around the mathematics (``Let … then``, ``Step 3:``, a closing ``.``, ``# comments``;
:mod:`symbackprop.check.reading.prose`): ``Let`` makes the line a definition of a new name.
A line with no equation (prose) is not a step.

>>> [(s.number, s.formula, s.label) for s in split_lines("E = a + b   -(A)\\n= c\\n")]
[(1, 'E = a + b', 'A'), (2, '= c', None)]
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .prose import prose_aside

MAX_LINES = 2_000

_ENVIRONMENTS = re.compile(
    r"\\(begin|end)\s*\{\s*(align|aligned|equation|gather|gathered|eqnarray|multline|split|"
    r"flalign|alignat|displaymath|math)\*?\s*\}(\{\d+\})?")
_DISPLAY = re.compile(r"\$\$|\\\[|\\\]|(?<!\\)\$")
_COMMENT = re.compile(r"(?<!\\)%.*$")
_ANNOTATION = re.compile(r"\\q?quad\s*\\text\s*\{.*?(?=\\\\\s*$|$)")
"""A remark after the mathematics: ``\\quad \\text{chain rule}`` (up to a closing ``\\\\``)."""
_ROW_END = re.compile(r"\\\\(\*(\[[^\]\n]{0,20}\])?|\[[^\]\n]{0,20}\])")
"""A row end with ``*`` (no page break here) or a space after it (``\\\\[0.8ex]``)."""
_INTERTEXT = re.compile(r"\\intertext\s*\{.*\}\s*$")
"""Prose set between the rows of a display (the rest of its line)."""
_MARKS = re.compile(r"\\(label|eqref|ref)\s*\{[^{}]{0,80}\}|\\(nonumber|notag)(?![A-Za-z])")
_LABEL_END = re.compile(
    r"(?:\s*\\tag\*?\s*\{\s*([^{}]{1,12})\s*\}|\s*\\(?:q?quad)\s*\(\s*([A-Za-z0-9]{1,4})\s*\)|"
    r"\s*[–—]\s*\(\s*([A-Za-z0-9]{1,4})\s*\)|\s{2,}-?\s*\(\s*([A-Z0-9]{1,4}|[ivx]{1,4})\s*\))"
    r"\s*[.,;]?\s*$")
_LABEL_START = re.compile(r"^\s*\(?([a-z]|[0-9]{1,2}|[ivx]{1,4})\)\s+")
_ALIGN = re.compile(r"^\s*&\s*(\\q?quad\s*)*(\{\s*\})?\s*")
_INVISIBLE = re.compile(r"^\s*(\\(left|right)\.\s*|\{\s*\}\s*|\\q?quad\s*|\\[,;:! ]\s*)+")
_RELATION = re.compile(r"=|\\leftarrow|\\gets|←|:=|\\coloneqq|≈|\\approx")
_SHAPE = re.compile(r"∈|\\in(?![A-Za-z])")
"""A shape (``W^{[1]} \\in \\mathbb{R}^{3 \\times 2}``): a step in a matrix-form region."""
_HEAD = re.compile(r"(∂|\\[dt]?frac\s*\{\s*\\partial(?![A-Za-z]))[^=]*")
"""A derivative alone on its line: the left side of the ``=`` line below it."""
_CLAUSE = re.compile(r",\s*(?:for (?:every|each|all)|where)\s[^=]*$")
"""Words closing an equation: ``…, for every parameter θ``."""
_NOTE = re.compile(r">\s|[Nn]ote:\s")
"""A remark (``note: softmax with cross-entropy: δ = out − target, …``, or quoted as
Markdown does, ``> …``), not a step."""
_BULLET = re.compile(r"(?:[*•]|-(?=\s+[^\s=]*\s*=))\s+(?=\S)")
"""The mark of a Markdown list item (``* h1 = w1 i1``, ``- E = …``)."""
_BOLD = re.compile(r"(?:(?<=\s)|^)(?:\*\*|__)_?(?=\S)|(?<=\S)_?(?:\*\*|__)(?=\s|$)")
"""The marks of bold (and bold italic) text around a formula; ``a**2`` is a power."""
_END_WITH_OPERATOR = re.compile(r"(\+|-|\\cdot|\\times|\*|=|\(|\\left\(|\\\\quad)\s*$")


# a tensor form (convolution, pooling, recurrent layers) is read as a matrix form is
_MATRIX_HEADING = re.compile(r"^(?:(?P<tex>\s*%\s*(?:matrix|tensor) form\b)|"
                             r"(?P<text>(?:Matrix|Tensor) form\b.*:\s*$)|"
                             r"(?P<md>#{1,6})\s*(?:Matrix|Tensor) form\b|"
                             r"(?P<section>\s*\\(?:sub)*section\*?\s*\{[^{}]*"
                             r"(?:[Mm]atrix|[Tt]ensor) form))")
_SECTION = re.compile(r"^\s*\\(?:sub)*section\*?\s*\{")
_ENVIRONMENT = re.compile(r"^\s*\\begin\s*\{")


def _ends_region(kind: str, level: int, line: str, previous: str) -> bool:
    """Whether ``line`` ends a matrix-form region of ``kind`` (see ``matrix_region``)."""
    if kind == "text":
        return bool(line.strip()) and not line[:1].isspace()
    if kind == "md":
        return re.match(rf"#{{1,{level}}}\s", line) is not None
    if _SECTION.match(line):
        return True
    return kind == "tex" and _ENVIRONMENT.match(line) is not None and \
        not previous.lstrip().startswith("%")


def matrix_region(text: str) -> frozenset[int]:
    """The lines ``derive`` and the notes print under a *matrix form* heading, by their
    place: the heading's block in text (indented below ``Matrix form (per layer):``), in
    Markdown (up to the next heading as high) and in LaTeX (the environments that follow
    ``% matrix form`` each right below a comment, or up to the next section).

    >>> sorted(matrix_region("a = b\\nMatrix form (per layer):\\n  z^[1] = W^[1]·x\\nc = d\\n"))
    [2, 3]
    """
    region: set[int] = set()
    kind: str | None = None
    level = 0
    previous = ""
    for number, line in enumerate(text.splitlines(), start=1):
        m = _MATRIX_HEADING.match(line)
        if m is not None:
            kind = next(k for k, v in m.groupdict().items() if v is not None)
            level = len(m.group("md") or "")
        elif kind is not None and _ends_region(kind, level, line, previous):
            kind = None
        if kind is not None:
            region.add(number)
        previous = line
    return frozenset(region)


@dataclass(frozen=True)
class SourceLine:
    """One step: where it is, what was written, the formula to read, and its marks."""

    number: int  # 1-based line of the input where the step starts
    text: str  # as written (without the alignment marks of its neighbours)
    formula: str  # the mathematics alone
    label: str | None = None
    let: bool = False
    matrix: bool = False  # under a matrix-form heading (``matrix_region``)

    @property
    def continues(self) -> bool:
        """The step starts with a relation: it continues the previous equation."""
        return self.formula.lstrip().startswith(("=", "\\approx", "≈"))


_MATH_OPEN = re.compile(r"\\begin\s*\{\s*(align|equation|gather|multline|eqnarray|flalign|"
                        r"alignat|displaymath)\*?\s*\}|\\\[|\$\$")
_MATH_CLOSE = re.compile(r"\\end\s*\{\s*(align|equation|gather|multline|eqnarray|flalign|"
                         r"alignat|displaymath)\*?\s*\}|\\\]|\$\$")


def _display_math(lines: list[str]) -> list[str]:
    """A whole LaTeX document (lecture notes): its displayed mathematics only, each line
    where it was; the preamble, pictures and prose become blank lines."""
    kept: list[str] = []
    inside = False
    for line in lines:
        opens = _MATH_OPEN.search(line)
        closes = _MATH_CLOSE.search(line, opens.end() if opens else 0)
        kept.append(line if inside or opens else "")
        if opens and not closes:
            inside = True
        elif inside and closes:
            inside = False
    return kept


def _rows(text: str) -> list[tuple[int, str]]:
    """Rows of the input: lines, and ``\\\\`` ends outside braces and cases."""
    rows: list[tuple[int, str]] = []
    lines = text.splitlines()
    if "\\begin{document}" in text:
        lines = _display_math(lines)
    for number, line in enumerate(lines, start=1):
        line = _COMMENT.sub("", line)
        line = _ROW_END.sub(r"\\\\", line)  # \\* (no page break), \\[0.8ex] (space): a row end
        line = _INTERTEXT.sub(" ", line)  # prose between the rows of a display
        line = _MARKS.sub(" ", line)
        line = _ANNOTATION.sub("", line)
        line = _ENVIRONMENTS.sub(" ", line)
        line = _DISPLAY.sub(" ", line)
        start = 0
        for cut in _top_level(line, "\\\\", environments="{cases}"):
            rows += [(number, piece) for piece in _columns(line[start:cut])]
            start = cut + 2
        rows += [(number, piece) for piece in _columns(line[start:])]
    return [(n, r) for n, r in rows if r.strip()]


def _top_level(text: str, mark: str, *, environments: str = "") -> list[int]:
    """Where ``mark`` stands outside braces and outside the environments whose name starts
    with ``environments`` (``{cases}``; every environment for "")."""
    cuts: list[int] = []
    begin, end = "\\begin" + environments, "\\end" + environments
    depth = inner = 0
    i = 0
    while i < len(text):
        if text.startswith(begin, i):
            inner += 1
        elif text.startswith(end, i):
            inner -= 1
        if depth == 0 and inner == 0 and text.startswith(mark, i):
            cuts.append(i)
            i += len(mark)
            continue
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        i += 1
    return cuts


def _columns(row: str) -> list[str]:
    """The equations of one row of an ``align`` set in columns (``a &= b & c &= d``): every
    second ``&`` outside braces and environments (a matrix's own ``&``) begins the next."""
    cuts = _top_level(row, "&")[1::2]
    if not cuts:
        return [row]
    ends = [*cuts, len(row)]
    return [row[:cuts[0]], *(row[a + 1:b] for a, b in zip(cuts, ends[1:], strict=False))]


def _mathematics(body: str, knows: Callable[[str], bool]) -> bool:
    """Whether a row without a relation is mathematics (``\\frac{∂o_1}{∂w_5}``), not prose:
    LaTeX commands, and no word that is neither a command nor a name."""
    if "\\" not in body or "&" in body or re.search(r"\\(in|mathbb)(?![A-Za-z])", body):
        return False  # an aligned row or a statement of its own (X \in R^{2×m})
    bare = re.sub(r"\\[A-Za-z]+", " ", body)
    return not any(not knows(w) for w in re.findall(r"[A-Za-z]{3,}", bare))


def split_lines(text: str, knows: Callable[[str], bool] = lambda _: False
                ) -> list[SourceLine]:
    """The steps of ``text``: continuation rows joined, labels and prose set aside."""
    steps: list[SourceLine] = []
    pending: SourceLine | None = None
    head: tuple[int, str] | None = None  # a quantity alone on the row before
    matrix = matrix_region(text)
    for number, row in _rows(text):
        written = row.strip()
        body = _ALIGN.sub("", row)
        body = _INVISIBLE.sub("", body).strip()
        body = _BOLD.sub(" ", body).strip()  # **h1 = w1 i1**: Markdown bold or italics
        if body in ("*", "-", "•", "+"):
            continue  # an empty list item
        bullet = _BULLET.match(body) if not row[:1].isspace() or body[:1] != "-" else None
        if bullet is not None and _RELATION.search(body[bullet.end():]):
            body = body[bullet.end():]  # a list item with its own equation: a step
            if _BULLET.match(body) is None and pending is not None:
                steps.append(pending)
                pending = None
        if pending is not None and not body.startswith("**") and (  # **a Markdown heading**
                body[:1] in "+-−–·*" or body.startswith(("\\cdot", "\\times"))):
            pending = SourceLine(pending.number, f"{pending.text} {written}",
                                 f"{pending.formula} {body}", pending.label, pending.let,
                                 pending.matrix)
            continue
        if pending is not None and _END_WITH_OPERATOR.search(pending.formula) and \
                not body.startswith("="):
            pending = SourceLine(pending.number, f"{pending.text} {written}",
                                 f"{pending.formula} {body}", pending.label, pending.let,
                                 pending.matrix)
            continue
        if pending is not None and not _RELATION.search(body) and _mathematics(body, knows):
            # the rest of a formula broken over lines (as in a pasted \frac chain)
            pending = SourceLine(pending.number, f"{pending.text} {written}",
                                 f"{pending.formula} {body}", pending.label, pending.let,
                                 pending.matrix)
            continue
        if pending is not None:
            steps.append(pending)
            pending = None
        label = None
        m = _LABEL_END.search(body)
        if m is not None:
            label = next(g for g in m.groups() if g)
            body = body[:m.start()].rstrip()
        m = _LABEL_START.match(body)
        if m is not None and _RELATION.search(body[m.end():]):
            label = label or m.group(1)
            body = body[m.end():]
        if body.endswith(":") or _NOTE.match(body):
            head = None
            continue  # a heading (``Local gradients δ_u = ∂E/∂net_u, from the output back:``)
        body, let = prose_aside(_CLAUSE.sub("", body), knows)
        if not _RELATION.search(body) and not (number in matrix and _SHAPE.search(body)):
            head = (number, body) if _HEAD.fullmatch(body) else None
            continue  # prose, or a formula without an equation: not a step
        if head is not None and head[0] == number - 1 and body.startswith("="):
            written, body = f"{head[1]} {written}", f"{head[1]} {body}"
        head = None
        pending = SourceLine(number, written, body, label, let, number in matrix)
        if len(steps) > MAX_LINES:
            raise ValueError(f"more than {MAX_LINES} steps")
    if pending is not None:
        steps.append(pending)
    return steps
