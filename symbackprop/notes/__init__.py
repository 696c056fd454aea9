"""Lecture notes: a document model (``document``), its sections (``sections``), derivative
identities derived step by step (``identities``) and a safe pdflatex runner (``pdflatex``);
the notes as a web page (``html``, with ``mathml`` and ``svg``) and as slides (``slides``,
rendered by ``beamer`` and ``quarto``). Imports ``check``, ``render``, ``numeric``,
``network`` and ``spec``.
"""
