"""A printer that remembers its prints prints what a printer without memory prints."""

from __future__ import annotations

import sympy as sp

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.render.derivations import build_document
from symbackprop.render.printing import DisplayTextPrinter, NetworkLatexPrinter
from symbackprop.spec.load import load_spec

SEED_004 = "specs/seed-004-mazur-2-2-2.yaml"


def _forgetting(printer: object) -> object:
    printer.forget()  # type: ignore[attr-defined]
    return printer


def test_equal_looking_numbers_of_other_precision_print_their_own_way() -> None:
    """0.1 kept to 15 digits and 0.1 kept to 40 are different numbers to the printers (the
    second is printed with the digits that tell it from the given 0.1), so one's print is not
    the other's."""
    x = sp.Symbol("x")
    short = sp.Mul(sp.Float("0.1", 15), x, evaluate=False)
    long = sp.Mul(sp.Float(sp.Rational(1, 10) + sp.Rational(1, 10**20), 40), x,
                  evaluate=False)
    for make in (lambda: NetworkLatexPrinter(None), lambda: DisplayTextPrinter()):
        remembering = make()
        prints = [remembering.doprint(e) for e in (short, long, short)]
        fresh = [_forgetting(make()).doprint(e) for e in (short, long, short)]  # type: ignore[attr-defined]
        assert prints == fresh
        assert prints[0] != prints[1]


def test_a_derivation_prints_alike_with_and_without_memory() -> None:
    net = build_network(load_spec(SEED_004))
    grads = derive(net)
    doc = build_document(net, grads, values=net.spec.values)
    rows = [r for pd in doc.params for r in pd.rows if r.expr is not None]
    assert len(rows) > 20
    remembering = NetworkLatexPrinter(net)
    forgetting = _forgetting(NetworkLatexPrinter(net))
    for r in rows + rows:  # the second time round from memory
        assert remembering.doprint(r.expr) == forgetting.doprint(r.expr)  # type: ignore[attr-defined]
