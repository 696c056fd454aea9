"""The outcome of checking one formula: verdict, counterexample, diagnosis, both forms."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Counterexample:
    """A point where the formula and the true gradient differ."""

    point: dict[str, float]
    true_value: float | None  # None: the gradient is undefined there (a log of 0, say)
    formula_value: float | None  # None: the formula is undefined there


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one formula for ∂E/∂param."""

    param: str
    formula: str
    verdict: str  # "correct" | "incorrect"
    counterexample: Counterexample | None
    diagnosis: tuple[str, ...]
    equals_gradient_of: str | None
    parsed: str
    parsed_latex: str
    gradient: str
    gradient_latex: str
    notes: tuple[str, ...] = ()
    method: str = ""
    loss: str = "E"

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["diagnosis"] = list(self.diagnosis)
        data["notes"] = list(self.notes)
        return data
