"""A fully connected layer's weights made at once: the same spec, and the same errors, as
when they are made one by one."""

from __future__ import annotations

from pathlib import Path

import pytest

from symbackprop.errors import SpecError
from symbackprop.spec import wiring
from symbackprop.spec.full_layers import template_weights
from symbackprop.spec.load import load_spec
from symbackprop.spec.naming import expand, plain_name

TEMPLATES = ["w^{[{layer}]}_{{j},{k}}", "w^{{layer}}_{{j}{k}}", "w_{{unit}{k}}",
             "{unit}_{{j}{k}}", "W^{({layer})}_{{k}{j}{k}}", "w"]


@pytest.mark.parametrize("template", TEMPLATES)
def test_template_weights_are_the_names_expand_gives(template: str) -> None:
    targets = ["k", "j", "u1", "{k}"]  # names that are placeholders once filled in
    numbers = ["1", "2", "10", "j"]
    expected = []
    for j, target in enumerate(targets, start=1):
        for k in numbers:
            latex = expand(template, layer=3, j=j, k=k, unit=target)
            expected.append((plain_name(latex), latex))
    assert template_weights(template, 3, targets, numbers) == expected


def _spec_text(weight: str, extra: str = "") -> str:
    return (f"notation: {{weight: '{weight}'{extra}}}\ninputs: {{size: 11}}\n"
            "layers:\n  - {size: 11, activation: tanh}\n  - {size: 2, activation: sigmoid}\n"
            "loss: squared_error\n")


def _read_both(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch
               ) -> tuple[object, object]:
    """The spec (or the error) read with layers made at once, then one weight at a time."""
    p = tmp_path / "net.yaml"
    p.write_text(text, encoding="utf-8")
    results = []
    for at_once in (True, False):
        if not at_once:
            monkeypatch.setattr(wiring, "add_template_params", lambda *a, **k: False)
        try:
            spec = load_spec(p)
            results.append((spec.params, spec.edges, spec.biases, spec.names))
        except SpecError as error:
            results.append((error.message, error.line, error.field, error.hint))
    return results[0], results[1]


@pytest.mark.parametrize("text", [
    _spec_text("w^{[{layer}]}_{{j},{k}}"),
    _spec_text("w^{{layer}}_{{j}{k}}"),  # w_1_111 twice: an error
    _spec_text("z^{[{layer}]}_{{j}}"),  # a weight named like a net input
    _spec_text("w^{[{layer}]}_{{j},{k}}", ", net: 'w^{[{layer}]}_{{index},1}'"),
    _spec_text("x_{{k}}"),  # the inputs' names
    _spec_text("sigmoid"),  # a function's name
    _spec_text("u{layer}_{j}"),  # the units' names
])
def test_a_layer_at_once_reads_as_one_weight_at_a_time(
        tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at_once, one_by_one = _read_both(tmp_path, text, monkeypatch)
    assert at_once == one_by_one
