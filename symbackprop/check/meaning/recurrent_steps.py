"""Names of a recurrent layer outside its steps: the zero initial state, and steps past the last.

A recurrent layer unrolled over T steps names its quantities h^{(t)}_i, a^{(t)}_i,
o^{(t)}_k, … for t = 1, …, T. Two names just outside that range have a meaning of their own,
documented in ``docs/index-formulas.md``:

* h^{(0)}_i, the initial state, is 0 when the spec says ``initial: zero`` (like the zeros of a
  convolution's padding): ``h^{(t-1)}_j`` at t = 1 reads as 0;
* a name at a step past the last (h^{(T+1)}_k, reached by ``h^{(t+1)}`` at t = T) names
  nothing: an instance of a formula that reaches it is not judged (the recurrence
  ∂L/∂h^{(t)} = … + Σ_k W_{k,i} (1 − (h^{(t+1)}_k)²) ∂L/∂h^{(t+1)}_k is stated for the steps
  where t + 1 exists), and the verdict says which instances were left out and why.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ...spec.naming import expand
from .names import MissingInstance
from .unknown_names import family_of

if TYPE_CHECKING:
    from ...spec.model import LayerSpec
    from .names import NameTable

STEP_MARK, INDEX_MARK = 900_001, 900_002
STEPPED_ROLES = ("activation", "net", "delta", "target")


def _templates(table: NameTable) -> Iterator[tuple[LayerSpec, str, str]]:
    """(layer, role, template) of every stepped name of the recurrent layers."""
    for layer in table.quantities.net.spec.layers:
        g = layer.recurrent
        if g is None:
            continue
        for role, template in g.templates:
            if role in STEPPED_ROLES:
                yield layer, role, template


def _step_and_index(layer: LayerSpec, template: str, filled: str) -> tuple[int, int] | None:
    """The step and unit index of ``filled`` when it has the shape of ``template``."""
    marked = expand(template, layer=layer.number, step=STEP_MARK, index=INDEX_MARK,
                    unit=f"u{layer.number}_{STEP_MARK}_{INDEX_MARK}")
    shape, numbers = family_of(marked)
    got_shape, got = family_of(filled)
    if got_shape != shape or len(got) != len(numbers) or STEP_MARK not in numbers or \
            INDEX_MARK not in numbers:
        return None
    if any(v != n for v, n in zip(got, numbers, strict=True) if n not in (STEP_MARK, INDEX_MARK)):
        return None
    return got[numbers.index(STEP_MARK)], got[numbers.index(INDEX_MARK)]


def initial_zero(table: NameTable, filled: str) -> bool:
    """Whether ``filled`` is h^{(0)}_i of a recurrent layer whose initial state is zero."""
    for layer, role, template in _templates(table):
        g = layer.recurrent
        assert g is not None
        if role != "activation" or g.role != "hidden" or g.initial != "zero":
            continue
        found = _step_and_index(layer, template, filled)
        if found is not None and found[0] == 0 and 1 <= found[1] <= g.size:
            return True
    return False


def past_last_step(table: NameTable, filled: str) -> str | None:
    """Why ``filled`` names nothing when it is a recurrent layer's name at a step past the
    last (its unit index in range); None otherwise."""
    for layer, _, template in _templates(table):
        g = layer.recurrent
        assert g is not None
        found = _step_and_index(layer, template, filled)
        if found is not None and found[0] > g.steps and 1 <= found[1] <= g.size:
            return f"{filled} is past the last step (T = {g.steps})"
    return None


def missing_past_last_step(table: NameTable, missing: MissingInstance) -> str | None:
    """Why an instance names nothing, when it is a step past the last (looking into the
    terms of a sum none of whose terms exist)."""
    filled = getattr(missing, "filled", None)
    if isinstance(filled, str):
        why = past_last_step(table, filled)
        if why is not None:
            return why
    for cause in getattr(missing, "causes", ()):
        why = missing_past_last_step(table, cause)
        if why is not None:
            return why
    return None
