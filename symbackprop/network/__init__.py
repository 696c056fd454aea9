"""Spec → symbolic network → derivations.

Activations and losses as SymPy objects that carry their own derivatives (``functions``,
``losses``), the network of net inputs and activations as Symbols with their definitions
(``build``), and symbolic reverse mode through δ symbols (``derivation``). Imports ``spec``.
"""
