"""The bounded memo a Checker keeps across answers."""

from __future__ import annotations

from symbackprop.check.judging.memo import Memo


def test_memo_makes_each_value_once_and_stops_growing_at_its_bound() -> None:
    made: list[int] = []

    def make(k: int) -> int:
        made.append(k)
        return k * k

    memo: Memo[int] = Memo(bound=2)
    assert [memo.get(k, lambda k=k: make(k)) for k in (1, 2, 1, 2)] == [1, 4, 1, 4]
    assert made == [1, 2]
    assert memo.get(3, lambda: make(3)) == 9 and memo.get(3, lambda: make(3)) == 9
    assert made == [1, 2, 3, 3] and len(memo) == 2  # beyond the bound: made every time
