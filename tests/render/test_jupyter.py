"""How an evaluation shows itself in a notebook: its units under the names the text prints."""

from __future__ import annotations

import math
import re

from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.numeric.evaluation import evaluate
from symbackprop.render.jupyter import evaluation_markdown
from symbackprop.spec.load import load_spec
from symbackprop.spec.model import Example, Values


def test_an_evaluation_lists_counted_units_by_their_activation_names() -> None:
    net = build_network(load_spec(SPECS / "tanh-regression.yaml"))
    params = {p.name: 0.0 for p in net.params} | {"w_1_2_1": 1.0, "w_2_1_2": 1.0}
    values = Values(params=params, examples=(Example({"x1": 0.5, "x2": -1.0},
                                                     {"u2_1": 0.25}),))
    shown = evaluation_markdown(evaluate(net, derive(net), values))
    assert not re.search(r"u\d+_\d+", shown)
    rows = re.findall(r"^\| `(\w+)` \| (\S+) \| (\S+) \|$", shown, flags=re.MULTILINE)
    assert [name for name, _, _ in rows] == ["a_1_1", "a_1_2", "a_1_3", "a_2_1"]
    # only z_1_2 = 1·x1 is not 0, and the output copies its tanh
    assert float(rows[1][1]) == 0.5 and math.isclose(float(rows[1][2]), math.tanh(0.5),
                                                      rel_tol=1e-8)
    assert math.isclose(float(rows[3][2]), math.tanh(0.5), rel_tol=1e-8)
