"""The common mistakes of a matrix-form step, found by rewriting what was written.

A wrong side is rewritten one mistake at a time and the rewrite checked entry by entry as
the side was: a transpose added or dropped on one factor, ⊙ for a matrix product or the
reverse, an activation's derivative left out or put in once too often, a name of one layer
written where the layer before or after belongs (the wrong layer's activation), the factors
of a product in the wrong order (the whole side the transpose of what it should be). A
product whose shapes do not fit is named with the shapes, and with the transpose that makes
it fit: ``W^{[2]} is 3×2 and δ^{[2]} is 3×1: (W^{[2]})^T δ^{[2]} is 2×1``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from ..reading.matrix_syntax import (
    LayerRef,
    MCall,
    MDivide,
    MExampleSum,
    MGrad,
    MHadamard,
    MName,
    MNode,
    MProduct,
    MSum,
    MTranspose,
    written,
)

Rewrite = tuple[str, MNode]
MAX_REWRITES = 60


def _children(node: MNode) -> tuple[MNode, ...]:
    if isinstance(node, MProduct | MHadamard):
        return node.args
    if isinstance(node, MSum):
        return tuple(t for _, t in node.terms)
    if isinstance(node, MTranspose | MCall):
        return (node.arg,)
    if isinstance(node, MDivide):
        return (node.arg, node.by)
    if isinstance(node, MExampleSum):
        return (node.body,)
    return ()


def _rebuild(node: MNode, children: list[MNode]) -> MNode:
    if isinstance(node, MProduct):
        return MProduct(tuple(children))
    if isinstance(node, MHadamard):
        return MHadamard(tuple(children))
    if isinstance(node, MSum):
        return MSum(tuple((s, c) for (s, _), c in zip(node.terms, children, strict=True)))
    if isinstance(node, MTranspose):
        return MTranspose(children[0])
    if isinstance(node, MCall):
        return replace(node, arg=children[0])
    if isinstance(node, MDivide):
        return MDivide(children[0], children[1])
    if isinstance(node, MExampleSum):
        return replace(node, body=children[0])
    return node


def _everywhere(node: MNode, change: Callable[[MNode], Iterator[Rewrite]], *,
                calls: bool = True) -> Iterator[Rewrite]:
    """Every rewrite of one place of ``node`` (the node itself or one below it; not inside
    a function of every entry unless ``calls``)."""
    yield from change(node)
    if isinstance(node, MCall) and not calls:
        return
    kids = list(_children(node))
    for k, kid in enumerate(kids):
        for words, new in _everywhere(kid, change, calls=calls):
            yield words, _rebuild(node, [*kids[:k], new, *kids[k + 1:]])


def _transposes(node: MNode) -> Iterator[Rewrite]:
    if isinstance(node, MTranspose) and isinstance(node.arg, MName | MGrad):
        yield (f"an extra transpose: {written(node.arg)}, not {written(node)}", node.arg)
    elif isinstance(node, MName | MGrad):
        flipped = MTranspose(node)
        yield (f"a transpose is missing: {written(flipped)}, not {written(node)}", flipped)


def _operators(node: MNode) -> Iterator[Rewrite]:
    if isinstance(node, MHadamard):
        yield ("⊙ where a matrix product belongs", MProduct(node.args))
    elif isinstance(node, MProduct) and len(node.args) == 2:
        yield ("a matrix product where ⊙ belongs", MHadamard(node.args))


def _orders(node: MNode) -> Iterator[Rewrite]:
    if isinstance(node, MProduct) and len(node.args) == 2:
        swapped = MProduct(node.args[::-1])
        yield (f"the factors are in the wrong order: {written(swapped)}", swapped)


def _layers(node: MNode) -> Iterator[Rewrite]:
    if isinstance(node, MName) and node.layer is not None:
        for step in (-1, 1):
            layer = LayerRef(node.layer.letter, node.layer.offset + step)
            other = replace(node, layer=layer, raw=_relabel(node, layer))
            yield (f"the wrong layer: with {written(other)} in place of {written(node)} the "
                   f"line holds", other)


def _relabel(name: MName, layer: LayerRef) -> str:
    """The name as written with another layer in its superscript."""
    head, _, script = name.raw.partition("^")
    inner = script[1:-1] if script.startswith("{") else script
    open_, close = ("[", "]") if inner.startswith("[") else ("(", ")") \
        if inner.startswith("(") else ("", "")
    if layer.letter is None:
        label = str(layer.offset)
    else:
        label = layer.letter + (f"+{layer.offset}" if layer.offset > 0 else
                                f"-{-layer.offset}" if layer.offset < 0 else "")
    return f"{head}^{{{open_}{label}{close}}}"


def _derivative_factors(node: MNode) -> Iterator[Rewrite]:
    if isinstance(node, MHadamard):
        for k, arg in enumerate(node.args):
            if isinstance(arg, MCall) and arg.primes:
                rest = node.args[:k] + node.args[k + 1:]
                yield (f"it has an extra activation-derivative factor {written(arg)}",
                       rest[0] if len(rest) == 1 else MHadamard(rest))


def rewrites(side: MNode, derivative: MNode | None,
             named: Callable[[MName], Iterator[Rewrite]] | None = None) -> list[Rewrite]:
    """The one-mistake rewrites of ``side``; ``derivative`` (σ'(z^l) of the head's layer)
    is the factor a missing activation derivative would be; ``named`` gives the rewrites of
    one name the spec's matrices give in code (``W`` for ``W2``, ``dhidden`` without its
    ReLU mask)."""
    found: list[Rewrite] = []
    if derivative is not None:
        found.append((f"it misses the activation-derivative factor {written(derivative)}",
                      MHadamard((side, derivative))))
    changes: list[Callable[[MNode], Iterator[Rewrite]]] = [
        _transposes, _orders, _operators, _derivative_factors, _layers]
    if named is not None:
        changes.append(lambda node: named(node) if isinstance(node, MName) else iter(()))
    for change in changes:
        found += list(_everywhere(side, change, calls=change is _layers))
    return found[:MAX_REWRITES]


def shape_fixes(side: MNode, fits: Callable[[MNode], str | None],
                shape: Callable[[MNode], str | None]) -> list[str]:
    """For a side whose shapes do not fit: the transposes that make it fit (``fits``: the
    whole side then has the shape it should), each as the product it makes and that
    product's shape (``shape``)."""
    out = []
    for _words, new in _everywhere(side, _transposes, calls=False):
        if fits(new) is None:
            continue
        place = _outermost_changed(side, new) or new
        size = shape(place)
        if size is not None:
            out.append(f"{written(place)} is {size}")
    return list(dict.fromkeys(out))


def _walk(node: MNode) -> Iterator[MNode]:
    yield node
    for kid in _children(node):
        yield from _walk(kid)


def _outermost_changed(old: MNode, new: MNode) -> MNode | None:
    """The smallest product around the place where ``new`` differs from ``old``."""
    if old == new:
        return None
    if isinstance(new, MProduct) or not _children(old) or \
            type(old) is not type(new) or len(_children(old)) != len(_children(new)):
        return new
    changed = [(a, b) for a, b in zip(_children(old), _children(new), strict=True) if a != b]
    if len(changed) != 1:
        return new
    inner = _outermost_changed(*changed[0])
    return inner if inner is not None else new
