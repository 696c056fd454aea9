"""Mutants of an index formula: one index letter, sign or number of a script changed, or the
right side negated. A correct formula's mutants must not be CORRECT (tests/check)."""

from __future__ import annotations

import re

_SCRIPT = re.compile(r"[_^](?:\{([^{}]*)\}|([A-Za-z0-9]))")


def mutants(formula: str, letters: str) -> list[str]:
    """Every formula that changes one index letter (to the next of ``letters``), one sign or
    one number (by ±1) in a script of the right side, or negates the right side."""
    head, _, right = formula.partition(" = ")
    out = [f"{head} = -({right})"]
    for m in _SCRIPT.finditer(right):
        group = 1 if m.group(1) is not None else 2
        start, content = m.start(group), m.group(group)
        for k, ch in enumerate(content):
            at = start + k
            if ch in letters:
                new = letters[(letters.index(ch) + 1) % len(letters)]
                out.append(f"{head} = {right[:at]}{new}{right[at + 1:]}")
            elif ch in "+-":
                flip = "-" if ch == "+" else "+"
                out.append(f"{head} = {right[:at]}{flip}{right[at + 1:]}")
            elif ch.isdigit():
                for step in (1, -1):
                    if int(ch) + step >= 0:
                        out.append(f"{head} = {right[:at]}{int(ch) + step}{right[at + 1:]}")
    return list(dict.fromkeys(out))


def digit_mutants(formula: str) -> list[str]:
    """The right side negated, or one of its digits changed by ±1 (a script's or a
    factor's), never below 0."""
    head, _, right = formula.partition(" = ")
    out = [f"{head} = -({right})"]
    for k, ch in enumerate(right):
        if ch.isdigit():
            for step in (1, -1):
                if int(ch) + step >= 0:
                    out.append(f"{head} = {right[:k]}{int(ch) + step}{right[k + 1:]}")
    return out
