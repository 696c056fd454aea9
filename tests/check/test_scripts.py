"""The scripts of written names: example marks and the network function's subscript."""

from __future__ import annotations

import pytest

from symbackprop.check.reading.scripts import collections_in, example_mark, function_subscript


@pytest.mark.parametrize(("raw", "mark"), [
    ("L^{(i)}", ("L", "i")), ("E_i", ("E", "i")), ("x^i", ("x", "i")),
    ("y^{k}", ("y", "k")), ("x^n", None), ("x^{2}", None), ("w5^w", None), ("x", None),
])
def test_example_marks(raw: str, mark: tuple[str, str] | None) -> None:
    assert example_mark(raw) == mark


@pytest.mark.parametrize(("raw", "sub"), [
    ("f", ""), (r"f_{\textbf{W},\textbf{B}}", r"\textbf{W},\textbf{B}"),
    (r"f _ { W, b }", "W, b"), (r"f_\theta", r"\theta"), ("f_W", "W"),
    ("g", None), ("f^{2}", None), ("f_{a}{b}", None), ("ff", None),
])
def test_the_subscript_of_the_network_function(raw: str, sub: str | None) -> None:
    assert function_subscript(raw, "f") == sub


@pytest.mark.parametrize(("text", "found"), [
    (r"\textbf{W}, \textbf{B}", [("W", "weight"), ("B", "bias")]),
    (r"\mathbf{w},\boldsymbol{b}", [("w", "weight"), ("b", "bias")]),
    (r"\bm{\theta}", [(r"\theta", "param")]),
    ("W, b", [("W", "weight"), ("b", "bias")]),
    (r"\textbf{W}, x", None), (r"\textbf{X}", None), ("", None),
])
def test_collections_of_parameters(text: str, found: list[tuple[str, str]] | None) -> None:
    assert collections_in(text) == found
