"""Reading: formula and derivation text into syntax trees, before any meaning is given.

A derivation is cut into its steps (``lines``); each step is split into tokens (``tokens``,
with the words and LaTeX commands of ``vocabulary``) and parsed by the project's own grammar
(``parser``) into the nodes of ``syntax``. ``scripts`` knows the sub- and superscript
conventions of names (layers, units, examples, updates); ``forms`` recognises steps by their
form alone (matrix form, identities in a variable of their own). Nothing here imports SymPy
or knows the network beyond asking whether a name exists.
"""
