"""The weights of a fully connected layer named by the notation, made and checked at once.

A 784-100-100-10 network has 89,400 weights whose names all come from one template
(``w^{[{layer}]}_{{j},{k}}``). Checking them one call at a time costs most of the time it
takes to read the spec; here the template is filled once per unit and the checks that
:func:`symbackprop.spec.wiring.read_connections` makes of each weight are made of the whole
layer: when any weight would fail one, nothing is added and the layer is read one weight
at a time, so the error is the one that path reports.
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import ParamSpec
from .naming import expand, is_identifier, plain_name
from .reader import Reader
from .source import Path_


def template_weights(template: str, layer: int, targets: Sequence[str],
                     source_numbers: Sequence[str]) -> list[tuple[str, str]]:
    """(plain name, LaTeX) of every weight, target by target and source by source, exactly
    as ``expand(template, layer=layer, j=j, k=k, unit=target)`` and ``plain_name`` give it.

    ``expand`` fills ``{unit}`` and ``{layer}`` before ``{j}`` and ``{k}``, so filling the
    first two once per target and the last two per weight gives the same text.
    """
    latex: list[str] = []
    for j, target in enumerate(targets, start=1):
        head = expand(template, unit=target, layer=layer).replace("{j}", str(j))
        latex += [head.replace("{k}", ks) for ks in source_numbers]
    return list(zip(plain_name.many(latex), latex, strict=True))


def add_template_params(r: Reader, entries: Sequence[tuple[str, str]], kind: str,
                        path: Path_, *, layer_of: dict[str, int], kinds: dict[str, str],
                        params: dict[str, ParamSpec], derived: dict[str, Path_]) -> bool:
    """Add parameters named by a notation template, all at ``path``; False (and nothing
    added) when one would fail a check, for the caller to add them one by one."""
    names = [name for name, _ in entries]
    fresh = set(names)
    if (len(fresh) != len(names) or not fresh.isdisjoint(layer_of)
            or not fresh.isdisjoint(kinds) or not fresh.isdisjoint(params)
            or not all(map(is_identifier, names))):
        return False
    r.claim_many(path, "parameter", [(name, name, latex) for name, latex in entries])
    for name, latex in entries:
        derived[name] = path
        kinds[name] = kind
        params[name] = ParamSpec(name, latex, kind)
    return True
