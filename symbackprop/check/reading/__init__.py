"""Reading: formula and derivation text into syntax trees, before any meaning is given.

A derivation is cut into its steps (``lines``); each step is split into tokens (``tokens``,
with the words and LaTeX commands of ``vocabulary``; a name with the scripts that belong to
it, ``written_names``) and parsed by the project's own grammar (``parser`` over a ``cursor``,
with the spellings of derivatives in ``derivatives``) into the nodes of ``syntax``.
``scripts`` knows the sub- and superscript conventions of names (layers, units, examples,
updates); ``forms`` recognises steps by their form alone (matrix form, identities in a
variable of their own). A step in matrix form has its own small grammar: ``matrix_parser``
builds the tree of ``matrix_syntax`` (whole layers, transposes, ⊙, Σ over a batch), and
reads NumPy code into the same tree with ``code_syntax`` (``np.dot``, ``.T``, ``np.sum``
along an axis, a mask set in place), never running it. Nothing
here builds SymPy objects or knows the network beyond
asking whether a name exists. ``index_arithmetic`` folds the integer arithmetic of a
subscript once its letters have values (``x_{c,i+m-1,j+n-1}``).
"""
