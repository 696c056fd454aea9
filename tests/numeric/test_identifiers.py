"""Python names for quantities: one variable per quantity, whatever the spec calls them."""

from __future__ import annotations

import keyword
import math
import unicodedata

import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symbackprop.numeric.identifiers import (
    PREFIX,
    check_distinct,
    lambdify_by_position,
    python_names,
    spelled_out,
)

RESERVED = frozenset({"np", "theta", "x", "t", "m", "g", "losses"})

# names as a spec may write them: ASCII, the tool's own prefix, fullwidth and Greek letters
name_chars = st.sampled_from([*"xvgtm_019Zｘｖ＿αβ", "\u2160", "\u0301"])
names = st.lists(st.text(name_chars, min_size=1, max_size=6), unique=True, max_size=12)


def _read_back(ident: str) -> str:
    """Undo :func:`spelled_out` (a spelling that reads back cannot merge two names)."""
    body, out, k = ident[len(PREFIX):], [], 0
    while k < len(body):
        if body[k] != "_":
            out.append(body[k])
            k += 1
        elif body[k + 1] == "_":
            out.append("_")
            k += 2
        else:
            end = body.index("_", k + 1)
            out.append(chr(int(body[k + 1:end], 16)))
            k = end + 1
    return "".join(out)


@given(names)
def test_every_name_gets_its_own_ascii_variable(given_names: list[str]) -> None:
    mapping = python_names(given_names, RESERVED)
    idents = list(mapping.values())
    folded = {unicodedata.normalize("NFKC", v) for v in idents}
    assert len(folded) == len(given_names)
    for name, ident in mapping.items():
        assert ident.isascii() and ident.isidentifier() and not keyword.iskeyword(ident)
        assert ident not in RESERVED
        if ident != name:
            assert _read_back(ident) == name


def test_the_names_that_used_to_collide_do_not() -> None:
    mapping = python_names(["x", "v_x", "v_v__x", "ｘ", "_x", "np"], RESERVED)
    assert mapping == {"x": "v_x", "v_x": "v_v__x", "v_v__x": "v_v__v____x",
                       "ｘ": "v__ff58_", "_x": "v___x", "np": "v_np"}
    assert python_names(["w1", "net_h1"], RESERVED) == {"w1": "w1", "net_h1": "net_h1"}


def test_check_distinct_finds_a_shared_variable() -> None:
    for clash in ({"x": "v_x", "v_x": "v_x"}, {"a": "ｘ", "b": "x"}, {"a": "np"}):
        try:
            check_distinct(clash, RESERVED)
        except ValueError:
            continue
        raise AssertionError(f"no clash found in {clash}")


def test_spelled_out_is_plain_ascii() -> None:
    assert spelled_out("α_1") == "v__3b1___1"


def test_lambdify_by_position_is_blind_to_names() -> None:
    # a quantity named like the functions the code calls must not shadow them
    sigmoid, exp, np_, fullwidth = sp.symbols("sigmoid exp np ｘ", real=True)
    total = sp.Symbol("log", real=True)
    defs = [(total, sp.exp(exp) + sigmoid * np_)]
    f = lambdify_by_position([sigmoid, exp, np_, fullwidth], [sp.log(total) + fullwidth],
                             modules="math", definitions=defs)
    assert f(2.0, 0.5, 3.0, 10.0)[0] == math.log(math.exp(0.5) + 6.0) + 10.0
