"""One graded answer: the row of a class's results, and how a distinct answer is graded."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ...errors import SymbackpropError
from ..diagnosis.codes import code_of, codes_of
from ..judging.outcome import Counterexample
from ..judging.verdict import Checker

MAX_SHOWN_FORMULA = 200

Key = tuple[str, str, str, str]
"""What to check: (``formula`` or ``derivation``, param, text, syntax)."""


@dataclass(frozen=True)
class GradeRow:
    """One graded answer: a verdict of :data:`~symbackprop.check.judging.outcome.VERDICTS` (correct,
    incorrect, undecided, not an answer), or ``error`` (unreadable)."""

    id: str
    param: str
    formula: str
    verdict: str
    diagnosis: tuple[str, ...] = ()
    equals_gradient_of: str | None = None
    error: str | None = None
    first_wrong_line: int | None = None
    steps: int = 0
    counterexample: Counterexample | None = None
    diagnosis_codes: tuple[str, ...] = field(default=(), repr=False)
    """The codes of the diagnosis as the check gave them (else worked out from the text)."""

    @property
    def codes(self) -> tuple[str, ...]:
        """The code of each line of the diagnosis; for an ``error`` row, the code of its
        error (:mod:`symbackprop.check.diagnosis.codes`)."""
        if self.verdict == "error":
            code = code_of(self.error or "")
            return (code if code in ("TOO_LARGE", "MISSING_ANSWER") else "UNREADABLE",)
        return self.diagnosis_codes or codes_of(self.diagnosis)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["diagnosis"] = list(self.diagnosis)
        data["codes"] = list(self.codes)
        del data["diagnosis_codes"]
        return data


def grade(checker: Checker, key: Key) -> GradeRow:
    """One distinct answer, graded (an unreadable one as an ``error`` row)."""
    kind, param, text, syntax = key
    try:
        if kind == "derivation":
            result = checker.check_derivation(text, param=param or None, syntax=syntax,
                                              detail=False)
        else:
            result = checker.check(param or None, text, syntax=syntax, detail=False)
        return GradeRow("", result.param or param, text[:MAX_SHOWN_FORMULA], result.verdict,
                        result.diagnosis, result.equals_gradient_of,
                        first_wrong_line=result.first_wrong_line if len(result.steps) > 1
                        else None, steps=len(result.steps), counterexample=result.counterexample,
                        diagnosis_codes=result.codes)
    except SymbackpropError as exc:
        error = exc.located()
    except (RecursionError, MemoryError):
        error = "the formula is too large to check"
    return GradeRow("", param, text[:MAX_SHOWN_FORMULA], "error", error=error)
