"""Printing what the network and its derivations say.

The network's own notation as text and LaTeX (``printing``), LaTeX line breaking (``latex``),
derivation documents as text, LaTeX, Markdown or JSON (``derivations``), the matrix form
(``matrix``), pictures (``tikz``, ``graph``) and evaluation reports (``numeric_reports``).
Imports ``numeric``, ``network`` and ``spec``.
"""
