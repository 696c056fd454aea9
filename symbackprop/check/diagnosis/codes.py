"""Stable codes for the diagnoses: one registry, and the code of each diagnosis text.

Every line of a diagnosis (of a step, of a whole formula or derivation, of a graded answer)
has a code from :data:`CODES`, in the same position of a parallel ``codes`` tuple. The codes
are a contract: reports, results files and assignments (partial credit by code) name them,
so a code is never renamed or given another meaning; new codes are added. The words of a
diagnosis may change; its code may not. A code in :data:`RESERVED` is named in the contract
but produced by no check today.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    """A diagnosis code, what it means, and the diagnosis texts it is given to."""

    name: str
    meaning: str
    patterns: tuple[str, ...] = ()  # regular expressions searched in a diagnosis text


CODES: tuple[Code, ...] = (
    Code("LOCATION", "where the error is: a line of a derivation, or the index values (or the "
         "matrix entry) for which a step fails (not a mistake itself)",
         (r"^line \d+: ", r"^fails for ", r"^fails at entry ")),
    Code("CONSEQUENCE", "the step is wrong only because an earlier wrong line is carried into "
         "it", (r"^follows from the error in line ",)),
    Code("NOT_AN_ANSWER", "no wrong step, but nothing is stated beyond what it starts from "
         "(w5 = w5)", (r"^not an answer: ",)),
    Code("TOO_FEW_DIGITS", "the numbers are rounded too coarsely to tell the right value from "
         "another quantity's", (r"^too few digits to judge",)),
    Code("OTHER_PARAMETER", "it is the gradient of another parameter",
         (r"^it equals ∂.*, the gradient of .*, not of ",)),
    Code("SIGN", "the sign is wrong, for the whole or for one occurrence of a quantity",
         (r"^the sign is wrong", r"^with −.* for .* it holds$")),
    Code("CONSTANT_FACTOR", "it is a constant multiple of the true value",
         (r"^it is off by a constant factor", r" has a constant factor ")),
    Code("MISSING_ACTIVATION_DERIVATIVE", "the factor of an activation's derivative is missing",
         (r"^it misses the activation-derivative factor ",)),
    Code("EXTRA_ACTIVATION_DERIVATIVE", "an activation's derivative is multiplied in once too "
         "often", (r"^it has an extra activation-derivative factor ",)),
    Code("MISSING_FACTOR", "another factor of the true gradient is missing",
         (r"^it misses the factors? ",)),
    Code("EXTRA_FACTOR", "a factor is multiplied in that does not belong, or is repeated",
         (r"^it has an extra factor ", r" repeats a factor$")),
    Code("MISSING_PATH", "a path of the chain rule's sum (or a shared parameter's use) is "
         "missing", (r"^it misses the paths? through ", r"^it misses the contribution through ",
                     r"^it keeps only the paths? through ", r"^no term follows the path ")),
    Code("PATH_COUNTED_TWICE", "a path of the chain rule's sum is counted more than once",
         (r"^the path .* is counted \d+ times$",)),
    Code("BROKEN_CHAIN", "a product of partial derivatives is not a chain from the top "
         "quantity down to the bottom one along the network",
         (r" does not chain from ∂", r" is not a path of the network$")),
    Code("MISSING_TERM", "a term is missing from a sum", (r"a term is missing$",)),
    Code("SWAPPED_SYMBOL", "one quantity is written where another belongs, or two are swapped",
         (r"^replacing .* by .* makes it correct$", r"^swapping .* and .* makes it correct$",
          r"^it uses .* where .* belongs$", r"^with .* for .* it holds$")),
    Code("TRANSPOSED_INDICES", "the indices of a weight are transposed",
         (r"^the indices of .* are transposed",)),
    Code("PRECEDENCE", "the step holds with brackets the written text lacks",
         (r"binds tighter than",)),
    Code("SUM_INDEX", "the terms of a sum do not change with its index",
         (r"^the terms of the sum over ",)),
    Code("MEANINGLESS_FACTOR", "a partial derivative in the chain is meaningless (of an "
         "independent quantity, by δ, or upside down)",
         (r" is meaningless: ", r" is upside down: ", r"^without the meaningless factors ")),
    Code("ZERO_FACTOR", "a partial derivative in the chain is zero (the quantities are "
         "independent)", (r" is 0: ",)),
    Code("SINGLE_EXAMPLE", "a cost (mean over the examples) is given as one example's value",
         (r" of one example; ",)),
    Code("MISSING_MEAN", "a sum over the examples is not divided by their number m",
         (r"over the m examples without dividing by m$",)),
    Code("WRONG_DIVISOR", "a mean over the examples divides by another number than m",
         (r"^it divides by .* where the cost divides by the number of examples m$",)),
    Code("GRADIENT_ASCENT", "an update adds the gradient instead of subtracting it",
         (r"^gradient ascent: ",)),
    Code("MISSING_LEARNING_RATE", "an update leaves out the learning rate",
         (r"^the learning rate .* is missing$",)),
    Code("UPDATE_START", "an update does not start from the parameter's current value",
         (r"^the step must start from the current value of ",)),
    Code("UPDATE_GRADIENT", "the gradient in an update is wrong",
         (r"^the gradient in the step is (wrong:|not )",)),
    Code("NOT_AN_UPDATE", "it is not one gradient-descent step",
         (r"^it is not one gradient-descent step for ",)),
    Code("WRONG_UPDATE_VALUE", "a new value in numbers is not what one descent step gives",
         (r"^one gradient-descent step takes ",)),
    Code("WRONG_QUANTITY_VALUE", "a number is another quantity's value at the worked example",
         (r" is .*'s value( rounded)?; with .* in its place the line holds$",)),
    Code("WRONG_NUMBER", "a number is not the value at the worked example",
         (r"^with .* in place of .* the line holds$",
          r"^at the spec's values the exact value is ")),
    Code("DIFFERENT_NUMBERS", "two sides in numbers alone differ",
         (r"^the two sides are different numbers$",)),
    Code("NO_EXPLANATION", "wrong, and no single common mistake explains the difference",
         (r"^no single common mistake ",)),
    Code("UNCHECKED", "the step cannot be checked (matrix form, or numbers without a worked "
         "example)", (r" is not checked: ", r"^numbers are checked at the spec's worked ",
                      r"^a new value in numbers is checked at ")),
    Code("TOO_LARGE", "the answer is too large or too long to check",
         (r"too large to check", r"too long to check")),
    Code("UNREADABLE", "the answer or a step cannot be read", ()),
    Code("MISSING_ANSWER", "the submission gives no answer to the question",
         (r"^no answer with id ",)),
    Code("MISSING_TRANSPOSE", "matrix form: a factor is written where its transpose belongs",
         (r"^a transpose is missing: ",)),
    Code("EXTRA_TRANSPOSE", "matrix form: a transposed factor where the factor itself belongs",
         (r"^an extra transpose: ",)),
    Code("TRANSPOSED", "matrix form: the side is the transpose of what it should be (the "
         "factors in the wrong order)", (r"^this is the transpose of ",
                                         r"^the factors are in the wrong order: ")),
    Code("SHAPE_MISMATCH", "matrix form: the shapes do not fit, or the side has the wrong "
         "shape; the shapes are named",
         (r"^the shape is wrong: ", r"^\S.* is \S+×\S+ and .+ is ")),
    Code("ELEMENTWISE_FOR_PRODUCT", "matrix form: ⊙ where a matrix product belongs",
         (r"^⊙ where a matrix product belongs$",)),
    Code("PRODUCT_FOR_ELEMENTWISE", "matrix form: a matrix product where ⊙ belongs",
         (r"^a matrix product where ⊙ belongs$",)),
    Code("WRONG_LAYER", "matrix form: a name of one layer where the layer before or after "
         "belongs (the wrong layer's activation or δ)", (r"^the wrong layer: ",)),
    Code("WRONG_ACTIVATION_DERIVATIVE", "another activation's derivative is used for a "
         "unit's (a(1 − a), the sigmoid's, for a tanh unit)",
         (r" is the derivative of .*; .* is an? .* unit, whose derivative is ",)),
    Code("SOFTMAX_DIAGONAL", "the softmax Jacobian is taken as diagonal (the terms with "
         "∂a_i/∂z_j for i ≠ j are missing)", (r"^it takes the softmax Jacobian as diagonal",)),
    Code("KERNEL_FLIPPED", "a convolution's kernel is flipped where the forward pass is a "
         "cross-correlation (each weight gets the gradient of the weight at the 180°-rotated "
         "position)", (r"^the kernel is flipped: ",)),
    Code("SHARED_WEIGHT_NOT_SUMMED", "a weight shared over positions (a kernel weight, a "
         "filter's bias) has its gradient from one position, not summed over all of them",
         (r"^the gradient of the shared weight .* is not summed over its positions",)),
    Code("STRIDE_MISSING", "a convolution's index map leaves out the stride (i + m − 1 where "
         "s(i − 1) + m − p belongs)", (r"^the stride is missing from the index map",)),
    Code("MISSING_SUM_OVER_TIME", "a parameter shared by the steps of a recurrent network has "
         "the gradient of one step (or of some steps), not the sum over time",
         (r"^the sum over time (is missing|misses steps): ",)),
    Code("MISSING_RECURRENT_TERM", "∂L/∂h^{(t)} of a recurrent layer's state leaves out the "
         "term through the next step, Σ_k W_{k,i} (1 − (h^{(t+1)}_k)²) ∂L/∂h^{(t+1)}_k",
         (r"^the recurrent term is missing: ",)),
    Code("DERIVATIVE_AT_WRONG_STEP", "the activation's derivative is taken at another step "
         "than the unit's (1 − (h^{(t−1)})² where 1 − (h^{(t)})² belongs)",
         (r"^the activation's derivative is taken at the wrong step: ",)),
    Code("MAX_POOL_SPREAD", "a max-pooling gradient is spread over the window (every member "
         "gets the window's δ, or δ/k²) where it goes to the window's maximum only",
         (r"^the max-pooling gradient is spread over the window: ",)),
    Code("FROZEN_UPDATED", "an update changes a parameter the spec freezes, which gradient "
         "descent leaves at its value", (r" is frozen: gradient descent leaves it at its ",)),
    Code("DROPOUT_SCALE_MISSING", "dropout's backward pass without the 1/p scale: a gradient "
         "through an inverted-dropout layer is p times its true value (the mask applied, the "
         "1/p of the forward pass left out)",
         (r"^dropout's backward pass is without the 1/p scale: ",)),
    Code("EMBEDDING_NOT_ACCUMULATED", "an embedding row's gradient is taken from one "
         "occurrence of its token (overwritten) where a token that occurs several times adds "
         "the gradients of all its positions",
         (r"^the embedding gradient is not accumulated over the token's occurrences: ",)),
    Code("ATTENTION_SOFTMAX_ELEMENTWISE", "self-attention's row softmax is differentiated "
         "elementwise: ∂L/∂S_{t,u} written P_{t,u} (1 − P_{t,u}) ∂L/∂P_{t,u}, without the "
         "terms through the other P_{t,k} of the row",
         (r"^the softmax Jacobian of attention is taken as elementwise: ",)),
    Code("ATTENTION_SCALE_MISSING", "self-attention's scale 1/√d is left out of a gradient "
         "through the scores S = Q Kᵀ/√d (∂L/∂Q, ∂L/∂K, ∂L/∂W^Q, ∂L/∂W^K are √d times the "
         "true value)", (r"^the attention scale 1/√d is missing: ",)),
    Code("BATCH_NORM_STATISTICS_CONSTANT", "batch normalisation's μ_B and σ_B² treated as "
         "constants: ∂L/∂x_i keeps the path through x̂_i only, not the paths through the "
         "batch's mean and variance", (r"^the batch statistics are treated as constants: ",)),
    Code("BATCH_NORM_UNBIASED_VARIANCE", "batch normalisation's variance differentiated with "
         "1/(m − 1) where the batch's (biased) variance divides by m",
         (r"^the batch variance is taken with 1/\(m − 1\): ",)),
    Code("BATCH_NORM_WRONG_AXIS", "a layer normalisation's answer to a batch normalisation "
         "question: the sums run over the units of one example, not over the examples of the "
         "batch", (r"^the sums run over the wrong axis: ",)),
    Code("CELL_PATH_MISSING", "∂L/∂c^{(t)} of an LSTM's cell state leaves out the path along "
         "the cell state to the next step, ∂L/∂c^{(t+1)} f^{(t+1)}, keeping the term through "
         "h^{(t)} alone", (r"^the cell-state path is missing: ",)),
    Code("GATE_DERIVATIVE_SWAPPED", "a gate of an LSTM or GRU is differentiated with the other "
         "activation's derivative: tanh′ = 1 − i² for a sigmoid gate i, or σ′ = g (1 − g) for "
         "a tanh candidate g", (r"^σ′ and tanh′ are swapped: ",)),
    Code("NORM_STATISTICS_CONSTANT", "a normalisation layer's backward pass with its mean, "
         "its variance or both held constant: the terms of the gradient through them are "
         "missing", (r"^the layer normalisation's statistics are taken as constants: ",)),
    Code("NORM_UNBIASED_VARIANCE", "a normalisation layer's variance divided by H − 1 (the "
         "sample variance) where the layer divides by H",
         (r"^the layer normalisation's variance divides by H − 1: ",)),
    Code("NORM_WRONG_AXIS", "a normalisation layer's statistics taken over the wrong axis: "
         "each unit on its own (batch normalisation's axis) instead of over the units of the "
         "layer", (r"^the layer normalisation's statistics are taken over the wrong axis: ",)),
)
"""Every code, in the order they are tried on a text (the first that matches is given)."""

RESERVED: frozenset[str] = frozenset({"NOT_AN_UPDATE"})
"""Codes of the contract that no check gives today: an update whose start and gradient are
both right is one descent step, so NOT_AN_UPDATE is only a guard."""

FALLBACK = "UNREADABLE"
"""The code of a text no pattern names: the words of a reading error (a file, a line, a
column and what could not be read)."""

BY_NAME = {c.name: c for c in CODES}
_COMPILED = [(c.name, [re.compile(p) for p in c.patterns]) for c in CODES]
NOT_MISTAKES = frozenset({"LOCATION"})
"""Codes that say where, not what: left out of a class summary."""


def code_of(text: str) -> str:
    """The code of one diagnosis text."""
    for name, patterns in _COMPILED:
        if any(p.search(text) for p in patterns):
            return name
    return FALLBACK


def codes_of(texts: Iterable[str]) -> tuple[str, ...]:
    """The codes of a diagnosis, one per text, in order."""
    return tuple(code_of(t) for t in texts)


def mistakes(codes: Iterable[str]) -> list[str]:
    """The distinct mistakes among ``codes`` (a location is no mistake), in order."""
    return [c for c in dict.fromkeys(codes) if c not in NOT_MISTAKES]


def class_summary(answers: Iterable[Iterable[str]]) -> dict[str, int]:
    """How many answers made each mistake: each answer counted once per code, the most
    frequent first (ties in the registry's order)."""
    counts: Counter[str] = Counter()
    for codes in answers:
        counts.update(mistakes(codes))
    order = {c.name: k for k, c in enumerate(CODES)}
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], order.get(kv[0], len(order)))))


def markdown_table() -> str:
    """The registry as a Markdown table (the one in ``docs/diagnosis-codes.md``)."""
    rows = ["| Code | Meaning |", "| --- | --- |"]
    rows += [f"| `{c.name}` | {c.meaning}{' (reserved)' if c.name in RESERVED else ''} |"
             for c in CODES]
    return "\n".join(rows) + "\n"
