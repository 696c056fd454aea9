"""Meaning: syntax trees become SymPy expressions in the network's quantities.

``quantities`` lists what a network has (units, parameters, targets, losses); ``names`` maps
every way of writing them to their symbols, and ``unknown_names`` says what an unknown name
was likely meant to be. ``meaning`` walks a tree: free indices, sums over units and examples
(``sums``), calls of the network's functions and of the network itself (``network_calls``),
bounded exact arithmetic (``arithmetic``), and ∂A/∂B factors as total derivatives through
the network's graph (``graph``). ``matrix_names`` says what the names of a matrix-form step
(a layer's z, a, δ, b, W, the batch, a free layer l) mean in a layered network, and
``code_names`` the names a spec's layers give their matrices in code (``scores``, ``W2``)
with ``d`` before one for the cost's gradient (``dW2``).
``free_indices`` finds the letters a left side declares (w^{[1]}_{f,c,m,n}), their family's
range, and what a name outside its family is; ``index_ranges`` the values of a bounded sum;
``recurrent_steps`` the names just outside a recurrent layer's steps (the zero initial state,
a step past the last).
"""
