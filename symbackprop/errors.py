"""One exception hierarchy for everything a user can get wrong.

Each error knows where it happened (file, line, field) and may carry a hint.
The CLI turns any :class:`SymbackpropError` into one line on stderr and an exit code.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class SymbackpropError(Exception):
    """Base class: a problem with the user's input, reported without a traceback."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        self.hint = hint

    def located(self) -> str:
        """The message as one line: ``file:line: field: message (hint)``."""
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{field}{self.message}{hint}"

    def __str__(self) -> str:
        return self.located()


class SpecError(SymbackpropError):
    """A network spec that cannot be read or does not describe a valid network."""


class FormulaError(SymbackpropError):
    """A hand-written formula that cannot be parsed or is too large to check."""


class ValuesError(SymbackpropError):
    """Numeric values (inputs, targets, parameters) that are missing or malformed."""


class ToolMissingError(SymbackpropError):
    """An external program (pdflatex, dot) that a command needs is not installed."""


NEAR_ENOUGH = 0.05
"""Candidates whose similarity is this close to the best one's are shown beside it."""


def close_matches(word: str, choices: Iterable[str], *, n: int = 3, cutoff: float = 0.6
                  ) -> list[str]:
    """The choices closest to ``word`` in spelling: the best one and, up to ``n`` in all,
    those about as close.

    >>> close_matches("a_3_2", ["a_3_1", "a_2_2", "b_1_1"])
    ['a_2_2', 'a_3_1']
    """
    matcher = difflib.SequenceMatcher(b=word)
    scored: list[tuple[float, str]] = []
    for option in sorted(set(choices)):
        matcher.set_seq1(option)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            ratio = matcher.ratio()
            if ratio >= cutoff:
                scored.append((ratio, option))
    if not scored:
        return []
    best = max(r for r, _ in scored)
    near = sorted((-r, o) for r, o in scored if r >= best - NEAR_ENOUGH)
    return [o for _, o in near[:n]]


def listed(names: list[str], last: str = "or") -> str:
    """```a```, ```a`` or ``b```, ```a``, ``b`` or ``c``` (``last`` joins the final two)."""
    shown = [f"`{n}`" for n in names]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} {last} {shown[-1]}"


def suggestion(names: list[str]) -> str:
    """``did you mean `a`?`` or ``did you mean `a`, `b` or `c`?``."""
    return f"did you mean {listed(names)}?"


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest valid words (up to three about equally close), or the
    choices when there are few, or ``None``.

    >>> did_you_mean("sigmod", ["sigmoid", "tanh"])
    'did you mean `sigmoid`?'
    """
    options = sorted(set(choices))
    close = close_matches(word, options)
    if close:
        return suggestion(close)
    if options and len(options) <= 12:
        return "expected one of: " + ", ".join(f"`{o}`" for o in options)
    return None
