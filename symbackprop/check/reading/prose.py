"""Set aside the words around the mathematics of one line: the sentence it is written in.

People write a step inside a sentence: ``Let $\\delta_{o1} = …$, then``, ``The new weight
with learning rate \\alpha is w_5^+ = …``, ``(1) ∂E/∂y = -(t - y).``, ``Step 3: …``,
``… = out_{h1}  # the last factor``. The mathematics of such a line is the stretch around its
first relation that holds no word of prose; the words before it say whether the line defines
a name (``Let``, ``where``, ``define``). After the relation, the mathematics ends only at a
small word of sentences or at a word after a comma or a period, so that a word inside a
formula (``= a times b``) is never cut off but left to be reported as unknown.

A word is prose when it is not a name the network knows nor a function, is not written as a
name is (``out_{o1}``, ``Sigmoid(x)``, ``loss'``), and stands where no operand can: after
another word or a complete operand (``… out_{h1} applied``), at the start of the line
before something other than an operator, or as one of the small words of sentences (``is``,
``then``, ``where``, ``we``). A word after an operator (``(target - output)``) is an operand,
read as a name, and words inside ``\\text{…}`` are prose unless they name a function.

>>> prose_aside("The new weight with learning rate \\\\alpha is w_5 = w_5 - 1", lambda _: False)
('w_5 = w_5 - 1', False)
>>> prose_aside("Let \\\\delta = a - y, then", lambda _: False)
('\\\\delta = a - y', True)
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .vocabulary import FUNCTION_WORDS

SMALL_WORDS = frozenset({
    "a", "an", "the", "is", "are", "was", "be", "we", "get", "gets", "got", "then", "thus",
    "so", "hence", "therefore", "where", "which", "that", "this", "these", "it", "its", "of",
    "to", "by", "as", "in", "on", "at", "with", "from", "and", "or", "using", "use", "gives",
    "give", "yields", "becomes", "since", "because", "now", "finally", "here", "note",
    "recall", "substituting", "plugging", "applying", "have", "has", "our", "let",
    "define", "suppose", "given", "say", "also", "similarly", "likewise", "equals",
})
"""Words of sentences that never name a quantity of a formula."""

LET_WORDS = frozenset({"let", "where", "define", "suppose", "given", "say"})
"""A first word that makes the line a definition of a new name."""

_FUNCTIONS = frozenset({w.lower() for w in FUNCTION_WORDS} | {"max", "min", "sum", "exp",
                                                              "log", "ln", "softmax"})
_WORD = re.compile(r"[A-Za-z]{2,}")
_TEXT = re.compile(r"\\(?:text|textrm|textit|mbox|textnormal|mathrm)\s*\{([^{}]*)\}"
                   r"(?!\s*[_^])")  # \mathrm{in}_{h1} is a name, not the word "in"
_STEP = re.compile(r"^\s*(?:(?:Step|Eq\.?|Equation)\s*\(?[0-9]{1,3}\)?\s*[:.)]?|"
                   r"[0-9]{1,2}[.)](?=\s)|#{1,6}(?=\s))\s*", re.IGNORECASE)
"""A numbered step (``Step 3:``, ``Eq. (2)``, ``3.``) or a Markdown heading mark."""
_HASH_COMMENT = re.compile(r"\s#\s.*$")
"""A comment after the mathematics, as in code: ``… = out_{h1}  # the last factor``."""
_RELATION = re.compile(r"=|\\leftarrow|\\gets|←|:=|\\coloneqq|≈|\\approx")
_OPERATOR_END = "+-−–*/^=(<>,[{&|·×"
_PUNCTUATION = ".,;:"


def _masked(body: str) -> str:
    """``body`` with what is not at the top level (braces, a cases environment) hidden,
    each hidden character replaced by one of the same length, so places are kept."""
    out = []
    depth = 0
    cases = 0
    i = 0
    while i < len(body):
        if body.startswith("\\begin{cases}", i):
            cases += 1
        elif body.startswith("\\end{cases}", i):
            cases -= 1
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            m = re.match(r"\\([A-Za-z]+|.)", body[i:])
            assert m is not None
            out.append("\\" + "\x00" * (len(m.group(0)) - 1))  # a command is no word
            i += len(m.group(0))
            continue
        if ch == "{":
            depth += 1
        hidden = depth > 0 or cases > 0
        if ch == "}":
            depth = max(depth - 1, 0)
        out.append("\x00" if hidden and ch not in "{}" else ch)
        i += 1
    return "".join(out)


def _is_prose(masked: str, start: int, end: int, word: str,
              knows: Callable[[str], bool], prose_before: bool) -> bool:
    """Whether the word at ``masked[start:end]`` is prose (see the module's docstring)."""
    following = masked[end:end + 1]
    if following and following in "_^('′’{0123456789\x00":
        return False  # written as a name, or a function's argument follows
    if knows(word) or word.lower() in _FUNCTIONS:
        return False
    if word.lower() in SMALL_WORDS:
        return True
    before = masked[:start]
    previous = before.rstrip()[-1:]
    if previous == "," and before.count("(") + before.count("[") <= \
            before.count(")") + before.count("]"):
        return True  # a comma that no bracket holds ends a clause: `…, applied to h1`
    if previous and previous in _OPERATOR_END:
        return False  # an operand
    if not previous or prose_before:
        rest = masked[end:].lstrip()
        return not rest or rest[0] not in "=+-*/^)" or rest.startswith("\\")
    return True  # after a complete operand: `… out_{h1} applied`


def prose_aside(body: str, knows: Callable[[str], bool]) -> tuple[str, bool]:
    """The mathematics of ``body`` (a line with a relation), and whether its words make it
    a definition (``Let …``). A line with no relation is returned as it is."""
    body = _HASH_COMMENT.sub("", body)
    body = _STEP.sub("", body, count=1)
    # the words of \text{…} are read as words (in place: the text keeps its length)
    words_shown = _TEXT.sub(lambda m: m.group(0) if m.group(1).strip().lower() in _FUNCTIONS
                            else " " + m.group(1) + " " * (len(m.group(0)) -
                                                           len(m.group(1)) - 1), body)
    masked = _masked(words_shown)
    relation = _RELATION.search(masked)
    if relation is None:
        return body.strip(), False
    words: list[tuple[int, int, str]] = []
    prose_before = False
    for m in _WORD.finditer(masked):
        if m.start() > 0 and (masked[m.start() - 1].isalnum() or masked[m.start() - 1] in
                              "\\_^\x00"):
            prose_before = False
            continue
        prose = _is_prose(masked, m.start(), m.end(), m.group(0), knows, prose_before)
        if prose:
            words.append((m.start(), m.end(), m.group(0)))
        prose_before = prose
    start = 0
    end = len(body)
    first = ""
    for s, e, word in words:
        if e <= relation.start():
            start = e
            first = first or word
        elif s >= relation.end() and (word.lower() in SMALL_WORDS or
                                      masked[:s].rstrip().endswith(tuple(_PUNCTUATION))):
            end = s  # after the mathematics only a sentence's word or one after a comma:
            break  # `= a times b` is not cut to `= a`
    math = body[start:end].strip().lstrip(_PUNCTUATION).strip()
    math = re.sub(r"(?<!\\)[.,;:]+\s*$", "", math).strip()
    if not _RELATION.search(math):
        return body.strip(), False
    return math, first.lower() in LET_WORDS
