"""The names a dense layer gives its matrices, as code writes them (CS231n's ``scores``,
``hidden_layer``, ``W2``, ``b2``), and the gradient names ``check`` reads from them.

``matrices: {net: scores, activation: probs, weights: W2, bias: b2}`` names the layer's net
inputs and activations over a batch (one example a row in the row layout, a column in the
column layout), its weight matrix and its bias vector; a list gives one matrix several
names (CS231n's ``activation: [hidden_layer, hidden]``, whose gradient it calls
``dhidden``). Each is a quantity's name like any other, so no two quantities may share one;
and ``d`` before each (``dscores``, ``dW2``) is the gradient of the cost by it, claimed too,
so a spec in which ``dscores`` would also name something else is refused rather than read
one way in silence.
"""

from __future__ import annotations

from .model import MatrixNamesSpec
from .reader import Reader
from .source import Path_

MATRIX_ROLES = ("net", "activation", "weights", "bias")
_WORDS = {"net": "net input matrix", "activation": "activation matrix",
          "weights": "weight matrix", "bias": "bias vector"}
GRADIENT_PREFIX = "d"
"""``d`` before a matrix name: the gradient of the cost by it (CS231n's ``dW2``)."""


def read_matrix_names(r: Reader, path: Path_, layer: str, *, bias: bool
                      ) -> MatrixNamesSpec | None:
    """The ``matrices`` of the layer at ``path``, claimed with their gradient names; None
    when the layer has none. ``bias``: whether the layer has a bias to name."""
    if "matrices" not in r.get(path):
        return None
    mpath: Path_ = (*path, "matrices")
    given = r.mapping(mpath, MATRIX_ROLES)
    names: dict[str, tuple[str, ...]] = {}
    for role in MATRIX_ROLES:
        if role not in given:
            continue
        at: Path_ = (*mpath, role)
        if role == "bias" and not bias:
            raise r.fail(at, f"layer `{layer}` has no bias to name",
                         hint="leave out `bias:` here, or give the layer a bias")
        value = r.get(at)
        spots: list[Path_] = [(*at, k) for k in range(len(value))] \
            if isinstance(value, list) else [at]
        if not spots:
            raise r.fail(at, "give the matrix a name, or leave the key out")
        found = []
        for k, spot in enumerate(spots):
            name = r.string(spot, identifier=True)
            owner = f"{_WORDS[role]} of layer `{layer}`" + (f" (name {k + 1})" if k else "")
            r.claim(spot, "matrix", owner, name, "")
            r.claim(spot, "matrix gradient", name, GRADIENT_PREFIX + name, "")
            found.append(name)
        names[role] = tuple(found)
    return MatrixNamesSpec(**names)
