"""What the oracle tests of the normalisation kinds (batch_norm, layer_norm) draw alike: the
constant ε and the loss with the layer that reads the normalised units."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

EPSILONS = st.sampled_from((Fraction(1, 100000), Fraction(1, 10), Fraction(1, 3),
                            Fraction(1)))


def draw_head(draw: st.DrawFn, fewest: int) -> tuple[str, int, str]:
    """A loss, the number of output units after the normalisation (0: the loss reads the
    normalised units themselves; ``fewest`` the least drawn for squared error) and their
    activation, as the loss needs it."""
    loss = draw(st.sampled_from(("squared_error", "binary_cross_entropy", "cross_entropy")))
    outputs = {"binary_cross_entropy": 1, "cross_entropy": 2}.get(loss) or draw(
        st.integers(fewest, 2))
    output_activation = {"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax"}.get(
        loss) or draw(st.sampled_from(("linear", "tanh", "sigmoid")))
    return loss, outputs, output_activation
