"""Templated rows are broken once per digit pattern of their names, as the general way
breaks them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from layered_specs import write_spec

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.render import row_breaks
from symbackprop.render.derivations import build_document, equations_block
from symbackprop.render.latex import raw_width
from symbackprop.render.row_breaks import SEPARATOR, aligned_by_pattern, marker
from symbackprop.render.row_templates import OPEN, Template
from symbackprop.spec.load import load_spec


def _blocks(path: Path) -> tuple[object, list[object], str, str]:
    """The forward pass of ``path`` as a Markdown block, from templates and the general way."""
    net = build_network(load_spec(path))
    grads = derive(net)
    fast = build_document(net, grads, form="delta")
    slow = build_document(net, grads, form="delta", templates=False)
    return (net, fast.definitions, equations_block(net, fast.definitions, env="aligned"),
            equations_block(net, slow.definitions, env="aligned"))


def test_rows_of_one_digit_pattern_share_one_break(tmp_path: Path) -> None:
    # 40 inputs: every forward row of the first layer is broken over several lines; its
    # 12 units have names of one and of two digits
    path = write_spec(tmp_path, "wide", 40, [(12, "sigmoid"), (2, "sigmoid")], "squared_error")
    _, rows, fast, slow = _blocks(path)
    assert fast == slow
    assert "&\\qquad {} + w" in fast
    first = rows[0].shape  # type: ignore[attr-defined]
    layer = [r for r in rows if getattr(r, "shape", None) is first]
    assert len(layer) == 24  # net input and activation of each unit
    # units 1–9 and 10–12 have two digit patterns: two breaks for each of the two rows
    assert len(first.broken) == 4 and all(t is not None for t in first.broken.values())


def test_a_template_that_breaks_otherwise_is_not_used(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_spec(tmp_path, "wrong", 30, [(3, "tanh"), (1, "sigmoid")], "squared_error")

    original = row_breaks.marked_template

    def wrong(printed: str) -> Template:
        right = original(printed)
        return Template((*right.literals[:-1], "x"), right.slots)

    monkeypatch.setattr(row_breaks, "marked_template", wrong)
    _, rows, fast, slow = _blocks(path)
    assert fast == slow
    shape = rows[0].shape  # type: ignore[attr-defined]
    assert shape.broken and all(t is None for t in shape.broken.values())


def _recording(calls: list[tuple[str, ...]], widths: list[int]) -> Callable[
        [Sequence[str], Callable[[str], int]], list[str]]:
    """A breaker that puts two names on one line when they fit in 5 em, and says what it
    was asked to break and how wide it found the line."""
    def run(names: Sequence[str], measure: Callable[[str], int]) -> list[str]:
        calls.append(tuple(names))
        joined = " + ".join(names)
        widths.append(measure(joined))
        return [joined] if widths[-1] < 5000 else [names[0], f"{{}} + {names[1]}"]
    return run


def test_names_differing_in_their_digits_are_filled_in() -> None:
    memo: dict[object, list[Template] | None] = {}
    calls: list[tuple[str, ...]] = []
    widths: list[int] = []
    run = _recording(calls, widths)
    assert aligned_by_pattern(memo, 0, ["a_{1}", "b_{2}"], run) == ["a_{1} + b_{2}"]
    assert calls == [(marker(0), marker(1)), ("a_{1}", "b_{2}")]  # templates, then compared
    assert widths == [raw_width("a_{1} + b_{2}")] * 2  # markers are measured as the names
    assert aligned_by_pattern(memo, 0, ["a_{7}", "b_{3}"], run) == ["a_{7} + b_{3}"]
    assert len(calls) == 2  # filled from the templates
    wide = [r"\mathrm{long}_{17}", r"\mathrm{longer}_{3}"]
    assert aligned_by_pattern(memo, 0, wide, run) == [wide[0], f"{{}} + {wide[1]}"]
    assert len(calls) == 4  # another digit pattern: broken again
    assert aligned_by_pattern(memo, 0, [r"\mathrm{long}_{29}", r"\mathrm{longer}_{5}"],
                              run) == [r"\mathrm{long}_{29}", r"{} + \mathrm{longer}_{5}"]
    assert len(calls) == 4
    assert aligned_by_pattern(memo, 1, ["a_{7}", "b_{3}"], run) == ["a_{7} + b_{3}"]
    assert len(calls) == 6  # another key (row, width): broken again


@pytest.mark.parametrize("names", [[f"a{SEPARATOR}", "b"], [f"a{OPEN}", "b"]])
def test_names_that_could_be_taken_for_markers_are_broken_the_general_way(
        names: list[str]) -> None:
    memo: dict[object, list[Template] | None] = {}
    calls: list[tuple[str, ...]] = []
    for _ in range(2):
        aligned_by_pattern(memo, 0, names, _recording(calls, []))
    assert calls == [tuple(names)] * 2 and not memo


def test_one_line_blocks_are_kept_per_digit_pattern(tmp_path: Path) -> None:
    """Whether a gradient fits on its line depends on its names' widths: near the limit,
    names of one digit fit where names of two do not, and each pattern keeps its answer."""
    from symbackprop.render.derivations import param_block

    path = write_spec(tmp_path, "digits", 11, [(12, "tanh"), (2, "sigmoid")], "squared_error")
    net = build_network(load_spec(path))
    doc = build_document(net, derive(net), form="delta")
    fits = set()
    for width in [8.0 + 0.5 * k for k in range(13)]:
        for pd in doc.params:
            fast = param_block(doc, pd, width=width)
            assert fast == param_block(doc, pd, width=width, shortcut=False), (pd.name, width)
            fits.add("&\\qquad" not in fast)
    assert fits == {True, False}
    shape = doc.params[0].rows[0].shape  # type: ignore[attr-defined]
    assert any(t is None for t in shape.blocks.values())
    assert any(t is not None for t in shape.blocks.values())
