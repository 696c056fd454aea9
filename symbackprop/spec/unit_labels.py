"""The one name each unit's results are listed under, and the rule that keeps it one.

A unit the spec names (``units: [h1]``) is listed as ``h1``; a unit the spec only counts
(``size: 3``, a convolution's or a recurrent layer's units) has a made name (``u2_1``) that no
output prints, so it is listed under its activation's name as the text output prints it
(``a_2_1``). ``eval --format json`` keys its ``units`` by these labels and generated code's
``OUTPUT_UNITS`` lists them (:meth:`NetworkSpec.unit_labels`). Activation names are unique
already (:mod:`symbackprop.spec.naming`) and so are unit names; what is left is a named unit
taking the activation name of a counted one, which :func:`check_unit_labels` refuses.
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import UnitSpec
from .naming import look_key, name_key
from .reader import Reader


def check_unit_labels(r: Reader, units: Sequence[UnitSpec]) -> None:
    """Refuse a unit name that is (or looks like) the label of a counted unit, at the named
    unit's field: ``layers: [{size: 1, activation: tanh}, {units: [a_1_1], …}]`` stops with
    "layers[1].units[0]: unit name `a_1_1` is also the name of the activation of layer 1,
    unit 1"."""
    names = r.names.names()
    counted = {look_key(names.name("activation", u.name)): u for u in units if not u.named}
    for unit in units:
        other = counted.get(look_key(unit.name)) if unit.named else None
        if other is None:
            continue
        label = names.name("activation", other.name)
        whose = f"the activation of layer {other.layer}, unit {other.index}"
        what = (f"unit name `{unit.name}` is also the name of {whose}"
                if name_key(label) == name_key(unit.name) else
                f"unit name `{unit.name}` looks like `{label}` (Unicode confusables, TR39), "
                f"the name of {whose}")
        raise r.fail(("layers", unit.layer - 1, "units", unit.index - 1), what,
                     hint="a unit given by a count (`size:`) goes by its activation's name in "
                          "`eval --format json` and in generated code, so the two units would "
                          "share one name; rename this unit")
