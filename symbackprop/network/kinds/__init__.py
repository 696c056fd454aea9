"""What a lecture prints for a layer kind, beside what the engine derives for its units.

The units, edges and shared parameters of a kind are made in :mod:`symbackprop.spec.kinds`;
here each kind maps a parameter's uses back to its own indices (``conv``: a kernel weight's
gradient as one sum over positions; ``pool``, ``dropout`` and ``embedding``: the backward
rule of the layer in index form, with its windows, its mask and p, or its tokens;
``attention``: a head's backward pass in index and tensor form; ``batch_norm``: Ioffe and
Szegedy's ∂L/∂x_i, ∂L/∂γ and ∂L/∂β over the batch).
"""
