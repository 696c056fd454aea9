"""A bounded memo: results a Checker keeps across the answers of a class.

A class hands in the same expressions again and again (the same wrong step, the same
gradient written in another order); their printed forms and diagnoses are worked out once.
Only pure functions of the key are kept, so a memo never changes a verdict, and it stops
growing at its bound instead of evicting.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_KEPT = 20_000


class Memo(Generic[T]):
    """``get(key, make)``: ``make()`` once per key, up to ``bound`` keys."""

    def __init__(self, bound: int = MAX_KEPT) -> None:
        self.bound = bound
        self._kept: dict[Hashable, T] = {}

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        try:
            return self._kept[key]
        except KeyError:
            pass
        value = make()
        if len(self._kept) < self.bound:
            self._kept[key] = value
        return value

    def __len__(self) -> int:
        return len(self._kept)
