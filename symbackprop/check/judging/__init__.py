"""Judging: the verdict on every step of a formula or derivation.

``context`` holds what checking needs about one network; ``claims`` and ``sides`` say what
each step claims and evaluate its sides at many random points (``sample_points``), numbers at
the spec's worked example (``numbers``), update rules against gradient descent (``updates``),
∂A/∂B chains against the paths of the graph (``leibniz``); ``steps`` judges a derivation
line by line, ``verdict`` holds the :class:`Checker` of one network and ``symbolic`` confirms
a correct gradient when it can. ``outcome`` holds the results, ``memo`` what a Checker keeps
across the answers of a class. ``matrix_steps`` judges a step in matrix form entry by entry,
with each side's matrices evaluated at the random points by ``matrix_values`` (the values
themselves and NumPy's own operations on them in ``matrix_entries``).
"""
