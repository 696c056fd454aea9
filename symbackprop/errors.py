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


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest valid word, or ``None`` when nothing is close.

    >>> did_you_mean("sigmod", ["sigmoid", "tanh"])
    'did you mean `sigmoid`?'
    """
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    if options and len(options) <= 12:
        return "expected one of: " + ", ".join(f"`{o}`" for o in options)
    return None
