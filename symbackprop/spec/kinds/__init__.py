"""Layer kinds beyond the dense layer, each compiled into the spec's units, edges and
parameters: a kind's units are ordinary units and its shared weights ordinary parameters used
on many edges, so the network, its derivations and its numbers need nothing new.

One module per family of layers (``conv``: conv1d and conv2d; ``pool``, ``recurrent``,
``dropout``: inverted dropout with its mask as data; ``embedding``: a table looked up by token
ids; ``layer_norm``: μ, σ² and γ_j (a_j − μ)/√(σ² + ε) + β_j as formula nodes, read by
``nodes``' machinery; ``attention``: one head of self-attention, Q, K, V, S = Q Kᵀ/√d, a
row softmax P and O = P V as formula nodes; ``batch``: a network unrolled over an explicit
batch of examples, its weights shared, and ``batch_norm``: μ_B, σ_B², x̂_i and
y_i = γ x̂_i + β over that batch as formula nodes); ``docs/graph.md`` describes how a kind
compiles into the graph.
"""
