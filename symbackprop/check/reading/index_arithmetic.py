"""Integer arithmetic inside a subscript once its index letters have values.

A subscript such as ``c,i+m-1,j+n-1`` or ``s(i-1)+m-p`` becomes ``1,2+1-1,1+2-1`` when its
letters are given values; :func:`fold` evaluates each run of integer arithmetic as a whole
(``1-2+2`` is 1, not the negative ``1-2`` followed by ``+2``), with ``+``, ``-``, ``*``,
``\\cdot``, ``\\times``, brackets and a number before a bracket as a product (``2(1-1)``).
A run wrapped in its own brackets keeps them (``h^{(t-1)}`` with t = 2 is ``h^{(1)}``), so
that the name is spelled as the spec spells it. A negative result is no index: None.

>>> fold("1,2+1-1,1+2-1"), fold("1-2+2"), fold("(2-1)"), fold("[1+1]"), fold("2(2-1)+1-1")
('1,2,2', '1', '(1)', '[2]', '2')
>>> fold("1-2") is None, fold("o1"), fold("2*3"), fold("i-1+2"), fold("1,-1") is None
(True, 'o1', '6', 'i-1+2', True)

Nothing is evaluated beyond these integers: the text is read by this module's own parser.
"""

from __future__ import annotations

import re

MAX_INDEX = 10**6
_RUN = re.compile(r"[\d(][\d+\-*()\s]*[\d)]|\d")
_TIMES = re.compile(r"\\(cdot|times)\s*")


class _Parser:
    """expr := term (('+'|'-') term)*; term := factor (('*')? factor)*; factor := int | (expr)
    | '-' factor."""

    def __init__(self, text: str) -> None:
        self.text = text.replace(" ", "")
        self.k = 0

    def peek(self) -> str:
        return self.text[self.k] if self.k < len(self.text) else ""

    def expr(self) -> int:
        value = self.term()
        while self.peek() in ("+", "-") and self.peek():
            op = self.peek()
            self.k += 1
            value = value + self.term() if op == "+" else value - self.term()
        return value

    def term(self) -> int:
        value = self.factor()
        while self.peek() == "*" or self.peek() == "(":
            if self.peek() == "*":
                self.k += 1
            value *= self.factor()
            if abs(value) > MAX_INDEX:
                raise ValueError("too large")
        return value

    def factor(self) -> int:
        ch = self.peek()
        if ch == "-":
            self.k += 1
            return -self.factor()
        if ch == "(":
            self.k += 1
            value = self.expr()
            if self.peek() != ")":
                raise ValueError("unclosed bracket")
            self.k += 1
            return value
        start = self.k
        while self.peek().isdigit():
            self.k += 1
        if start == self.k or self.k - start > 7:
            raise ValueError("not a number")
        return int(self.text[start:self.k])


def evaluate(text: str) -> int | None:
    """The value of integer arithmetic ``text``, None if it is not such arithmetic."""
    parser = _Parser(_TIMES.sub("*", text))
    try:
        value = parser.expr()
    except ValueError:
        return None
    return value if parser.k == len(parser.text) else None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``text[start:end]`` to balanced brackets, outer brackets of its own left out."""
    while start < end:
        run = text[start:end]
        opens, closes = run.count("("), run.count(")")
        if opens > closes and run.startswith("("):
            start += 1
        elif closes > opens and run.endswith(")"):
            end -= 1
        elif run.startswith("(") and run.endswith(")") and _matching(run) == len(run) - 1:
            start, end = start + 1, end - 1
        else:
            break
    return start, end


def _matching(run: str) -> int:
    depth = 0
    for k, ch in enumerate(run):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return k
    return -1


def fold(content: str) -> str | None:
    """``content`` with every run of integer arithmetic replaced by its value; None when a
    value is negative (no name has a negative index)."""
    if not any(op in content for op in "+-*(\\"):
        return content  # no arithmetic: the common case, kept fast
    content = _TIMES.sub("*", content)
    out: list[str] = []
    last = 0
    for m in _RUN.finditer(content):
        start, end = _trim(content, m.start(), m.end())
        run = content[start:end]
        if not any(op in run for op in "+-*(") and not run.lstrip("-").isdigit():
            continue
        before = content[:start].rstrip()
        after = content[end:].lstrip()
        if before[-1:].isalnum() or before[-1:] in ("+", "*", ")") or \
                after[:1].isalnum() or after[:1] in ("+", "-", "*", "("):
            continue  # part of a larger expression with letters left (i-1+2 with i unknown)
        if before.endswith("-") and (before[:-1].rstrip()[-1:].isalnum() or
                                     before[:-1].rstrip()[-1:] == ")"):
            continue
        value = evaluate(run)
        if value is None:
            continue
        if value < 0 or before.endswith("-"):
            return None  # a negative index
        out.append(content[last:start])
        out.append(str(value))
        last = end
    out.append(content[last:])
    return "".join(out)
