"""Printing what the network and its derivations say.

The network's own notation as text and LaTeX (``printing``), LaTeX line breaking (``latex``),
derivation documents as text, LaTeX, Markdown (``derivations``) or JSON
(``derivation_json``), the δ form of layered networks printed from templates
(``templated``), the matrix form (``matrix``), pictures (``tikz``; ``graph`` and its TikZ
picture ``tikz_graph``) and evaluation reports (``numeric_reports``). Imports
``numeric``, ``network`` and ``spec``.
"""

# the templated δ form registers itself with derivations.DELTA_FAST_PATHS
from . import templated as _templated  # noqa: F401

