"""The values a bound index of a sum takes when both bounds are numbers.

``\\sum_{i=1}^{3}`` runs over 1, 2, 3 whether or not every term's names exist: a term whose
name falls outside its family is not left out, it is an error (or a zero of a
convolution's padding, :mod:`symbackprop.check.meaning.free_indices`). A sum without
numeric bounds (``\\sum_k``) runs over the values for which its names exist.

>>> bounded_values(1, 3, 0), bounded_values(2, 1, 0)
([1, 2, 3], [])
"""

from __future__ import annotations

from ..reading.tokens import formula_error
from .names import MAX_SUM_TERMS


def bounded_values(low: int, high: int, pos: int) -> list[int]:
    """The integers from ``low`` to ``high`` (an empty sum when ``high < low``)."""
    if high - low + 1 > MAX_SUM_TERMS:
        raise formula_error(f"a sum of more than {MAX_SUM_TERMS} terms", pos)
    return list(range(low, high + 1))
