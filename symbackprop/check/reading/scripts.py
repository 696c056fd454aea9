"""Sub- and superscripts of a written name: free indices, update marks, example indices.

A name such as ``w^{l+1}_{kj}`` carries free indices (``l``, ``k``, ``j``) that stand for
every value for which the name exists; ``\\delta^{L}_{j}`` uses ``L`` for the output layer;
``out_{oi}`` indexes the units o1, o2. ``w_{5}^{+}``, ``w_{t+1}`` and ``w^{(t+1)}`` are the
value after an update step, ``w_t`` the value before it; ``L^{(i)}`` and ``E_i`` are the loss
of example i. These helpers read and rewrite the scripts of a name's raw text.

>>> index_letters("w^{l+1}_{kj}"), substitute("w^{l+1}_{kj}", {"l": 1, "k": 2, "j": 1})
(['l', 'k', 'j'], 'w^{2}_{21}')
>>> index_letters("out_{oi}"), substitute("out_{oi}", {"i": 2})
(['i'], 'out_{o2}')
>>> update_mark("w_{5}^{+}"), update_mark("w_{t+1}"), update_mark("w_t"), update_mark("w")
(('w_{5}', 'next'), ('w', 'next'), ('w', 'current'), ('w', None))
>>> example_mark("L^{(i)}"), example_mark("E_i"), example_mark("x^i")
(('L', 'i'), ('E', 'i'), ('x', 'i'))

The subscript of the network written as a function, ``f_{\\textbf{W},\\textbf{B}}``, lists
collections of parameters:

>>> function_subscript(r"f_{\\textbf{W}, \\textbf{B}}", "f"), function_subscript("f", "f")
('\\\\textbf{W}, \\\\textbf{B}', '')
>>> collections_in(r"\\textbf{W}, \\textbf{B}"), collections_in("W, x")
([('W', 'weight'), ('B', 'bias')], None)
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from .index_arithmetic import fold

INDEX_LETTERS = frozenset("ijkl")
LAST_LAYER = "L"
MAX_INDEX_VALUE = 1000

_NEXT = re.compile(r"(\^\s*\{\s*\+\s*\}|\^\+|\^\s*\{\s*\(?\s*t\s*\+\s*1\s*\)?\s*\}|"
                   r"_\s*\{\s*\(?\s*t\s*\+\s*1\s*\)?\s*\}|"
                   r"\^\s*\{\s*\(?\s*(\\(text|mathrm)\s*\{\s*)?new\s*\}?\s*\)?\s*\}|"
                   r"\^\s*\{\s*\(\s*\+\s*\)\s*\})$")
_CURRENT = re.compile(r"(\^\s*\{\s*\(?\s*t\s*\)?\s*\}|_\s*\{\s*\(?\s*t\s*\)?\s*\}|_t|\^t|"
                      r"\^\s*\{\s*\(?\s*(\\(text|mathrm)\s*\{\s*)?old\s*\}?\s*\)?\s*\})$")
_EXAMPLE = re.compile(r"(\^\s*\{\s*\(\s*([A-Za-z])\s*\)\s*\}|_\s*\{\s*([A-Za-z])\s*\}|"
                      r"_([A-Za-z])|\^\s*\{\s*([ijk])\s*\}|\^([ijk]))$")  # x^i: not x^n, a power
_COMMAND_ARG = re.compile(r"\\[A-Za-z]+\s*(\{[^{}]*\})?")


def _scripts(raw: str) -> Iterator[tuple[int, int]]:
    """The (start, end) spans of the contents of every sub- and superscript of ``raw``."""
    i = 0
    while i < len(raw):
        if raw[i] in "_^":
            j = i + 1
            while j < len(raw) and raw[j] == " ":
                j += 1
            if j < len(raw) and raw[j] == "{":
                depth, k = 0, j
                while k < len(raw):
                    depth += {"{": 1, "}": -1}.get(raw[k], 0)
                    if depth == 0:
                        break
                    k += 1
                yield j + 1, k
                i = k + 1
                continue
            if j < len(raw) and raw[j] == "\\":
                m = re.match(r"\\[A-Za-z]+", raw[j:])
                i = j + (m.end() if m else 1)
                continue
            k = j
            if raw[i] == "^":
                k = min(j + 1, len(raw))
            else:
                while k < len(raw) and raw[k].isalnum():
                    k += 1
            yield j, k
            i = k
            continue
        if raw[i] == "\\":
            m = _COMMAND_ARG.match(raw, i)
            i = m.end() if m else i + 1
            continue
        i += 1


def _index_positions(content: str, letters: frozenset[str] = INDEX_LETTERS
                     ) -> Iterator[tuple[int, str]]:
    """Positions of index letters in one script's content (``jk``, ``oi``, ``l+1``, ``L``);
    ``letters`` adds the free indices a formula declares (``f,c,m,n``)."""
    i = 0
    while i < len(content):
        if content[i] == "\\":
            m = _COMMAND_ARG.match(content, i)
            i = m.end() if m else i + 1
            continue
        if content[i].isascii() and content[i].isalpha():
            j = i
            while j < len(content) and content[j].isascii() and content[j].isalpha():
                j += 1
            run = content[i:j]
            if all(c in letters for c in run):
                yield from ((i + k, c) for k, c in enumerate(run))
            elif run == LAST_LAYER:
                yield i, run
            elif len(run) == 2 and run[1] in letters and run[0] not in letters:
                yield i + 1, run[1]
            i = j
            continue
        i += 1


def index_letters(raw: str, letters: frozenset[str] = INDEX_LETTERS) -> list[str]:
    """The index letters in the scripts of ``raw``, in order of appearance (``letters``:
    the letters that may be indices beside i, j, k, l)."""
    found: list[str] = []
    for start, end in _scripts(raw):
        for _, letter in _index_positions(raw[start:end], letters | INDEX_LETTERS):
            if letter not in found:
                found.append(letter)
    return found


def substitute(raw: str, values: dict[str, int]) -> str | None:
    """``raw`` with index letters replaced by values and the arithmetic of each script
    folded (``l+1``, ``i+m-1``); None if an index is negative. A one-letter key of
    ``values`` is an index letter here, whether or not it is one of i, j, k, l."""
    letters = INDEX_LETTERS | {k for k in values if len(k) == 1}
    out: list[str] = []
    last = 0
    for start, end in _scripts(raw):
        content = raw[start:end]
        pieces: list[str] = []
        done = 0
        for k, letter in _index_positions(content, letters):
            if letter not in values:
                continue
            pieces.append(content[done:k])
            pieces.append(str(values[letter]))
            done = k + len(letter)
        pieces.append(content[done:])
        new = fold("".join(pieces))
        if new is None:
            return None
        out.append(raw[last:start])
        out.append(new)
        last = end
    out.append(raw[last:])
    return "".join(out)


def update_mark(raw: str) -> tuple[str, str | None]:
    """The name without an update mark, and ``next``, ``current`` or None."""
    m = _NEXT.search(raw)
    if m is not None and m.start() > 0:
        return raw[:m.start()].rstrip(), "next"
    m = _CURRENT.search(raw)
    if m is not None and m.start() > 0:
        return raw[:m.start()].rstrip(), "current"
    return raw, None


def example_mark(raw: str) -> tuple[str, str] | None:
    """``L^{(i)}``, ``E_i``, ``x_{i}`` → (the name, the letter), when the last script is one
    letter (whether it is an example index depends on the sums around it)."""
    m = _EXAMPLE.search(raw)
    if m is None or m.start() == 0:
        return None
    letter = m.group(2) or m.group(3) or m.group(4) or m.group(5) or m.group(6)
    return raw[:m.start()].rstrip(), letter


def transposed(raw: str) -> list[str]:
    """``raw`` with two index letters of one script swapped, for every such pair written
    side by side (``w^{l+1}_{jk}`` → ``w^{l+1}_{kj}``, ``w^{[l]}_{j,k}`` → ``w^{[l]}_{k,j}``).

    >>> transposed("w^{l+1}_{jk}"), transposed("w^{[l]}_{j,k}"), transposed("a^{l-1}_{k}")
    (['w^{l+1}_{kj}'], ['w^{[l]}_{k,j}'], [])
    """
    found: list[str] = []
    for start, end in _scripts(raw):
        content = raw[start:end]
        letters = list(_index_positions(content))
        for (i, a), (j, b) in itertools.pairwise(letters):
            between = content[i + 1:j]
            if a == b or between.strip(" ,") or len(a) != 1 or len(b) != 1:
                continue
            swapped = content[:i] + b + between + a + content[j + 1:]
            found.append(raw[:start] + swapped + raw[end:])
    return found


COLLECTIONS = {"W": "weight", "w": "weight", "B": "bias", "b": "bias", r"\theta": "param",
               r"\Theta": "param", "theta": "param"}
"""Letters for all the weights, all the biases or all the parameters of a network (bold or
not: ``\\textbf{W}``, ``\\mathbf{b}``, ``\\theta``)."""
_BOLD = re.compile(r"\\(?:textbf|mathbf|boldsymbol|bm)\s*\{\s*(\\?[A-Za-z]+)\s*\}")


def function_subscript(raw: str, head: str) -> str | None:
    """The subscript of ``raw`` when ``raw`` is ``head`` with one subscript, ``""`` when it
    is ``head`` alone, None when it is another name."""
    if raw == head:
        return ""
    rest = raw[len(head):].lstrip() if raw.startswith(head) else ""
    if not rest.startswith("_"):
        return None
    rest = rest[1:].strip()
    if len(rest) == 1 and rest.isalnum():
        return rest
    if rest.startswith("\\") and re.fullmatch(r"\\[A-Za-z]+", rest):
        return rest
    if not (rest.startswith("{") and rest.endswith("}")):
        return None
    depth = 0
    for k, ch in enumerate(rest):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth == 0 and k < len(rest) - 1:
            return None  # f_{a}{b}: not one subscript
    return rest[1:-1].strip()


def collections_in(text: str) -> list[tuple[str, str]] | None:
    """``(letter, role)`` for each comma-separated item of ``text`` that is a collection of
    parameters (role ``weight``, ``bias`` or ``param``); None if an item is anything else."""
    found: list[tuple[str, str]] = []
    for item in text.split(","):
        item = item.strip()
        m = _BOLD.fullmatch(item)
        letter = m.group(1) if m is not None else item
        if letter not in COLLECTIONS:
            return None
        found.append((letter, COLLECTIONS[letter]))
    return found
