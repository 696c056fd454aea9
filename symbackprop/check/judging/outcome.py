"""The outcome of a check: a verdict for every step, the first wrong line, and for a
gradient its counterexample, diagnosis and both forms."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ...network.display import Displayable
from ..diagnosis.codes import code_of, codes_of

STEP_VERDICTS = ("correct", "incorrect", "consequence", "definition", "unread",
                 "unchecked", "undecided")
"""A step holds; does not hold; does not hold only because an earlier step does not (it
follows from it); defines a name of the derivation's own; cannot be read (it is set aside,
with the reason, and is not judged: never the first wrong line); cannot be checked
(numbers with no worked example in the spec); holds, but its numbers have too few digits to
tell the right value from another quantity's, with which it would not hold."""

VERDICTS = ("correct", "incorrect", "undecided", "not an answer")
"""A formula or derivation: states the gradient (or the quantity) it is about, correctly;
has a wrong step; has no wrong step, but one too few digits to judge; has no wrong step and
states nothing but what it starts from (``w5 = w5``, ``1 = 1``): no answer."""


@dataclass(frozen=True)
class Counterexample:
    """A point where the formula and the true value differ."""

    point: dict[str, float]
    true_value: float | None  # None: undefined there (a log of 0, say)
    formula_value: float | None  # None: the formula is undefined there
    uses: dict[str, float] = field(default_factory=dict)
    """The quantities the formula uses (net inputs and activations too), by plain name, at
    the point: what a reader needs to redo the sum; the rest are drawn at random."""
    worked: bool = False  # the point is the spec's worked example (numbers were written)


@dataclass(frozen=True)
class StepResult:
    """The verdict on one step of a derivation (one ``=`` of one line)."""

    line: int
    text: str
    verdict: str
    diagnosis: tuple[str, ...] = ()
    counterexample: Counterexample | None = None
    claim: str = ""  # what was compared, in the network's plain names
    label: str | None = None
    consequence_of: int | None = None  # the line whose error this step inherits
    instances: str | None = None  # "3 of 8 instances hold" for index formulas
    notes: tuple[str, ...] = ()
    trivial: bool = False  # the side is what it is compared with (w5 = w5, 1 = 1)
    about: tuple[str, ...] = ()  # the parameters whose gradient or update the step states

    @property
    def wrong(self) -> bool:
        return self.verdict in ("incorrect", "consequence")

    @property
    def codes(self) -> tuple[str, ...]:
        """The code of each line of the diagnosis (:mod:`symbackprop.check.diagnosis.codes`)."""
        if self.verdict == "unread":
            return ("UNREADABLE",) * len(self.diagnosis)
        return codes_of(self.diagnosis)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["diagnosis"] = list(self.diagnosis)
        data["codes"] = list(self.codes)
        data["notes"] = list(self.notes)
        return data


@dataclass(frozen=True)
class CheckResult(Displayable):
    """The outcome of checking a formula or a derivation.

    ``param`` and the gradient fields describe ∂E/∂param when the check is about one
    parameter's gradient (a formula with ``--param``, or a derivation ending in one).
    """

    param: str | None
    formula: str
    verdict: str  # one of VERDICTS
    counterexample: Counterexample | None
    diagnosis: tuple[str, ...]
    equals_gradient_of: str | None
    parsed: str
    parsed_latex: str
    gradient: str | None
    gradient_latex: str | None
    notes: tuple[str, ...] = ()
    method: str = ""
    loss: str = "E"
    steps: tuple[StepResult, ...] = field(default=())
    first_wrong_line: int | None = None
    not_judged: int = 0  # lines of a derivation set aside: unread, or not checked
    names: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    """How the report writes each plain name of a counterexample (``y_prime`` as ``y′``)."""

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"

    @property
    def codes(self) -> tuple[str, ...]:
        """The code of each line of the diagnosis: a wrong step's own codes where the
        diagnosis is that step's (:mod:`symbackprop.check.diagnosis.codes`)."""
        shown = {s.diagnosis: s.codes for s in self.steps if s.diagnosis}
        own = {text: code for texts, codes in shown.items()
               for text, code in zip(texts, codes, strict=True)}
        return tuple(own.get(t) or code_of(t) for t in self.diagnosis)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["diagnosis"] = list(self.diagnosis)
        data["codes"] = list(self.codes)
        data["notes"] = list(self.notes)
        data["steps"] = [s.to_dict() for s in self.steps]
        del data["names"]
        return data
