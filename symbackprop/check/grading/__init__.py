"""Grading: a class's answers graded against one network, and the reports.

``grading`` reads a file of answers (YAML or CSV rows) within its bounds and grades each
distinct answer once (``answers``), in worker processes if asked (``parallel``); ``report``
prints a check's result or a class's grades as text, JSON or CSV.
"""
