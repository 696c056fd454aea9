"""Lecture notes: a document model (``document``), its sections (``sections``), derivative
identities derived step by step (``identities``) and a safe pdflatex runner (``pdflatex``).
Imports ``check``, ``render``, ``numeric``, ``network`` and ``spec``.
"""
