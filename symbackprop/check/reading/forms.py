"""Steps recognised by their form before they are read: the matrix form, which has its own
reader (:mod:`symbackprop.check.reading.matrix_syntax`), and identities in a variable of their
own (d/dz σ(z) = σ(z)(1 − σ(z)), as the lecture notes derive each activation's derivative).
"""

from __future__ import annotations

import re

MATRIX_WORDS = "the step in matrix form is not checked"
"""The start of the reason a matrix-form step is not checked (what follows says why)."""
TENSOR_WORDS = ("a tensor form (convolution, pooling, recurrent and attention layers) is not "
                "read; the index form is checked instead")
"""Why a step of the tensor form ``derive`` prints for such layers is not checked."""
_MATRIX = re.compile(r"\\odot|\\top(?![A-Za-z])|\\nabla|\\Delta\s*\^|"
                     # bold for a vector or a matrix, not for one entry set in bold (w_4)
                     r"\\mathbf\s*\{(?!\s*[A-Za-z][A-Za-z0-9]*\s*[_^])|"
                     r"(?<![A-Za-z\\])[AWXZ]\s*\^\s*\{[^{}]*\}(?!\s*_)|"
                     # as ``derive`` prints it in text: δ^(2) ⊙ σ'(z^(2)), (W^(2))^T, OUT^(1), ∇
                     r"[⊙ᵀ∇]|Δ\^|\^T(?![A-Za-z0-9_])|(?<![A-Za-z])[A-Z]+\^[\[(]\d+[\])](?!_)|"
                     # a whole layer l in Nielsen's notation: \delta^l, w^{l+1}, b^{l} alone
                     r"(?<![A-Za-z])(?:[A-Za-z]|\\delta)\s*\^\s*(?:[lL]|\{\s*[lL]\s*"
                     r"(?:[-+]\s*1\s*)?\})(?!\s*_)(?![A-Za-z])")
_LAYER_VECTOR = re.compile(r"[A-Za-z}]\^\s*\{\s*[\[(]?\s*\d+\s*[\])]?\s*\}(?!\s*_)|"
                           r"[A-Za-z]\^[\[(]\d+[\])](?![_\w])|"
                           # below a ∂ in Nielsen's notation: ∂C/∂b^3, a layer, not a power
                           r"\\partial\s*[A-Za-z]\s*\^\s*\d+(?![_\w])")
IDENTITY_VARIABLE = re.compile(r"\\[dt]?frac\s*\{\s*(?:d|\\partial)(?:\s*\\?[A-Za-z]+\s*\(\s*"
                                r"[A-Za-z]\s*\))?\s*\}\s*\{\s*(?:d|\\partial)\s*([A-Za-z])\s*\}")
"""∂/∂z (or ∂σ(z)/∂z) of an identity in a variable z that names nothing in the network."""
SOFTMAX_WORDS = ("a softmax of a whole layer (softmax_j(z_1, …, z_n)) is not read, so this "
                 "definition is not checked; the gradients through it are")
_SOFTMAX = re.compile(r"softmax\s*\}?\s*(_\s*\{?\s*\w+\s*\}?)?\s*(\(|\\left\()")
_VECTOR_ERRORS = ("is ambiguous", "expected `}`, found `^`")


_BOLD_ITEM = r"\\mathbf\s*\{\s*(?:[WwBb]|\\[Tt]heta)\s*\}"
_COLLECTIONS = re.compile(rf"(_\s*\{{|\()\s*{_BOLD_ITEM}(\s*,\s*{_BOLD_ITEM})*\s*(?=[)}}])")
"""A list of collections of parameters, f_{\\mathbf{W},\\mathbf{b}}(x) or J(\\mathbf{W}): the
network as a function, not a step in matrix form."""


def matrix_form(formula: str, error: str | None = None) -> bool:
    """Whether a step is written in matrix form (z^{(1)} = W^{(1)} x + b, δ ⊙ σ', Aᵀ):
    by its marks, or, when it cannot be read, by a name with a layer's script alone."""
    formula = _COLLECTIONS.sub(r"\1", formula)
    if _MATRIX.search(formula):
        return True
    return error is not None and any(e in error for e in _VECTOR_ERRORS) and \
        bool(_LAYER_VECTOR.search(formula))


def unchecked_form(formula: str, error: str) -> str | None:
    """Why a step that cannot be read is not checked, when its form says so: the matrix
    form, or a softmax of its whole layer (as ``derive`` prints the forward pass)."""
    if matrix_form(formula, error):
        return MATRIX_WORDS
    if _SOFTMAX.search(formula) and "takes one argument" in error:
        return SOFTMAX_WORDS
    return None
