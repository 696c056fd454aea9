"""symbackprop: exact, readable, verified backpropagation gradients.

A typed Python API; the ``symbackprop`` command is a thin layer over it::

    from symbackprop import load_spec, build_network, derive
    net = build_network(load_spec("specs/seed-004-mazur-2-2-2.yaml"))
    grads = derive(net)
    grads.derivation(net.symbol_by_name["w5"]).closed

SymPy is imported only when one of these names is first used, so importing the package
(and ``symbackprop --help``) stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_spec": "spec.load",
    "load_values": "spec.load",
    "NetworkSpec": "spec.load",
    "build_network": "network.build",
    "Network": "network.build",
    "derive": "network.derivation",
    "Gradients": "network.derivation",
    "Derivation": "network.derivation",
    "evaluate": "numeric.evaluation",
    "gradcheck": "numeric.gradient_check",
    "check_formula": "check",
    "build_document": "render.derivations",
    "SymbackpropError": "errors",
    "SpecError": "errors",
    "FormulaError": "errors",
}

__all__ = sorted(_EXPORTS)


def _formula_reader() -> Any:
    # a spec's formulas are read by the grammar check reads formulas with (a later stage)
    return importlib.import_module(".check.reading.formula_terms", __name__).read_terms


importlib.import_module(".spec.formulas", __name__).provide_reader(_formula_reader)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        value = getattr(module, name)
        if _EXPORTS[name] != "errors":  # results show as maths in Jupyter from now on
            importlib.import_module(".render.jupyter", __name__)
            importlib.import_module(".check.grading.report", __name__)
        # importing a submodule binds its name here (``symbackprop.network.derivation`` the module);
        # bind the function instead, so ``from symbackprop import derive`` gives the function
        globals()[name] = value
        return value
    raise AttributeError(f"module 'symbackprop' has no attribute {name!r}")
