"""Spec files → validated, frozen dataclasses that describe one network.

Reads YAML, TOML or JSON with the line of every field (``source``, ``reader``), validates the
wiring (``wiring``) and the names (``naming``) into the model (``model``); ``load`` is the
entry point. Imports only the standard library, PyYAML and ``symbackprop.errors``.
"""
