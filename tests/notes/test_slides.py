"""The notes cut into slides: every formula kept, one idea a slide."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.notes.document import Equations, Figure, Para, Table
from symbackprop.notes.sections import build_notes
from symbackprop.notes.slides import (
    LONG_PARA,
    MAX_LINES,
    Rows,
    Section,
    Slide,
    display_lines,
    para_length,
    row_groups,
    slides,
)
from symbackprop.spec.load import load_spec

BUNDLED = sorted(SPECS.glob("*.yaml"))


def deck_for(path: Path, **kwargs: object) -> tuple[object, object, list[Slide | Section]]:
    net = build_network(load_spec(path))
    notes = build_notes(net, derive(net), **kwargs)
    return net, notes, slides(notes, net)


def _title_text(s: Slide) -> str:
    return "".join(p if isinstance(p, str) else p.latex for p in s.title)


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_every_block_and_row_is_on_a_slide_in_order(path: Path) -> None:
    _net, notes, deck = deck_for(path)
    shown = [s for s in deck if isinstance(s, Slide)]
    rows = [r for s in shown for p in s.parts if isinstance(p, Rows) for r in p.rows]
    assert rows == [r for b in notes.blocks if isinstance(b, Equations) for r in b.rows]
    others = [p for s in shown for p in s.parts if not isinstance(p, Rows)]
    assert others == [b for b in notes.blocks if isinstance(b, Para | Figure | Table)]
    assert all(s.parts for s in shown)
    sections = [s.title for s in deck if isinstance(s, Section)]
    assert sections[:3] == ["The network", "Forward pass and loss",
                            "Derivatives of the activations and the loss"]


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_each_local_gradient_and_gradient_has_a_slide_of_its_own(path: Path) -> None:
    net, _notes, deck = deck_for(path)
    shown = [s for s in deck if isinstance(s, Slide)]
    deltas = [s for s in shown if _title_text(s).startswith("Local gradient ")]
    assert len(deltas) == len(net.units)
    for s in deltas:
        (rows,) = [p for p in s.parts if isinstance(p, Rows)]
        (group,) = row_groups(rows.rows)  # one δ, with its numbers line if any
        lhs = group[0].split("&", 1)[0].strip()
        assert _title_text(s).endswith(f"{lhs}"), (_title_text(s), lhs)
    gradients = [s for s in shown if _title_text(s).startswith("Gradient ")]
    assert gradients
    for s in gradients:
        assert len([p for p in s.parts if isinstance(p, Rows)]) == 1


def test_seed004_deck_has_the_network_the_forward_pass_and_the_descent_step() -> None:
    net, _notes, deck = deck_for(SPECS / "seed-004-mazur-2-2-2.yaml")
    shown = [s for s in deck if isinstance(s, Slide)]
    titles = [_title_text(s) for s in shown]
    assert any(isinstance(p, Figure) for p in shown[titles.index("The network")].parts)
    assert "Forward pass and loss" in titles
    assert [t for t in titles if t.startswith("Gradient ")] == [
        f"Gradient \\partial E_{{\\mathrm{{total}}}} / \\partial {net.latex_of(p)}"
        for p in _derived_order(net)]
    last = shown[-1]
    assert titles[-1] == "One step of gradient descent"
    assert any(isinstance(p, Table) for p in last.parts)


def _derived_order(net: object) -> list[object]:
    from symbackprop.notes.gradients import backward_params

    return backward_params(net, derive(net))  # type: ignore[arg-type]


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_slides_that_share_equations_stay_within_their_lines(path: Path) -> None:
    _net, _notes, deck = deck_for(path)
    for s in deck:
        if not isinstance(s, Slide):
            continue
        blocks = [p for p in s.parts if isinstance(p, Rows)]
        groups = [g for b in blocks for g in row_groups(b.rows)]
        if len(groups) > 1:  # one formula alone may be long: its display is shrunk
            assert sum(display_lines(g) for g in groups) <= MAX_LINES, _title_text(s)


def test_a_lead_in_opens_the_slide_of_what_it_leads_into() -> None:
    _net, _notes, deck = deck_for(SPECS / "seed-004-mazur-2-2-2.yaml")
    for s in deck:
        if not isinstance(s, Slide):
            continue
        for k, p in enumerate(s.parts):
            if isinstance(p, Para) and isinstance(p.parts[-1], str) and \
                    p.parts[-1].rstrip().endswith(":") and para_length(p) <= LONG_PARA:
                # what a short paragraph ending with a colon leads into follows it on its
                # slide (a long explanation has a slide of its own)
                assert k + 1 < len(s.parts), _title_text(s)
