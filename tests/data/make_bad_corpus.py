"""Write the generated part of the corpus of malformed and hostile inputs in tests/data/bad/.

Every file here must make the tool exit with status 2 and one line naming the file, the
line and the field; ``tests/spec/test_bad_corpus.py`` runs each. The expected line and a
part of the message of each file are written beside it in ``bad/expected.json``. Run

    python tests/data/make_bad_corpus.py

after changing a case, and commit the files it writes. Hand-written cases in bad/ carry
their expectations as ``# expect-line:`` and ``# expect:`` comments instead.
"""

from __future__ import annotations

import json
from pathlib import Path

BAD = Path(__file__).resolve().parent / "bad"
MAZUR = "specs/seed-004-mazur-2-2-2.yaml"

# a small valid network, the base most cases spoil in one place
NET = """inputs: [x1, x2]
layers:
  - {name: hidden, size: 2, activation: sigmoid}
  - {name: out, size: 1, activation: sigmoid}
loss: squared_error
"""
VALUES = "values:\n  inputs: {x1: 0.5, x2: -1}\n  targets: {u2_1: 0.25}\n"

CASES: list[tuple[str, str | bytes, int, str]] = []
"""(file name, content, expected line, part of the message)"""
ARGS: dict[str, list[str]] = {}
"""Command lines other than ``derive FILE`` (``{file}`` stands for the case)."""


def case(name: str, content: str | bytes, line: int, message: str,
         args: list[str] | None = None) -> None:
    CASES.append((name, content, line, message))
    if args is not None:
        ARGS[name] = args


def values_case(name: str, content: str | bytes, line: int, message: str) -> None:
    """A values file read by ``eval SPEC --at FILE``, through the same reader as specs."""
    case(name, content, line, message, ["eval", MAZUR, "--at", "{file}"])


# ----------------------------------------------------------------------- YAML syntax
case("yaml-unclosed-bracket.yaml", "inputs: [x1, x2\nlayers: []\nloss: mse\n", 2,
     "not valid YAML")
case("yaml-unclosed-brace.yaml", NET + "notation: {loss: E\n", 7, "not valid YAML")
case("yaml-tab-indent.yaml", "inputs: [x1]\nlayers:\n\t- {size: 1, activation: tanh}\n"
     "loss: mse\n", 3, "not valid YAML")
case("yaml-unclosed-quote.yaml", 'inputs: [x1]\ntitle: "never closed\nloss: mse\n', 4,
     "not valid YAML")
case("yaml-bad-indent.yaml", "inputs: [x1]\nlayers:\n  - size: 1\n   activation: tanh\n"
     "loss: mse\n", 4, "not valid YAML")
case("yaml-bad-escape.yaml", 'inputs: [x1]\ntitle: "bad \\q escape"\nlayers: []\n', 2,
     "not valid YAML")
case("yaml-two-documents.yaml", NET + "---\n" + NET, 6, "more than one YAML document")
case("yaml-nested-duplicate-key.yaml", NET + "values:\n  inputs: {x1: 1, x1: 2}\n", 7,
     "duplicate key `x1`")
case("yaml-duplicate-layer-key.yaml", "inputs: [x1]\nlayers:\n  - size: 1\n    size: 2\n"
     "    activation: tanh\nloss: mse\n", 4, "duplicate key `size`")
case("yaml-unknown-alias.yaml", NET.replace("[x1, x2]", "*names"), 1, "unknown alias")
case("yaml-complex-key.yaml", "inputs: [x1]\n? [a, b]\n: c\nloss: mse\n", 2,
     "a key must be a plain word")
case("yaml-mapping-key.yaml", "inputs: [x1]\n{a: 1}: 2\nloss: mse\n", 2,
     "a key must be a plain word")
case("yaml-scalar-top.yaml", "just some words\n", 1, "a spec must be a mapping")
case("yaml-list-top.yaml", "- inputs\n- layers\n", 1, "a spec must be a mapping")
case("yaml-only-comments.yaml", "# a comment\n# and another\n", 1, "the file is empty")
case("yaml-null-document.yaml", "~\n", 1, "the file is empty")
case("yaml-directive-garbage.yaml", "%YAML 9.9\n%TAG\n---\ninputs: [x1]\n", 1,
     "not valid YAML")

# ---------------------------------------------------------------------- YAML features
case("yaml-tag-binary.yaml", NET + "title: !!binary aGVsbG8=\n", 6, "`!!binary` is not allowed")
case("yaml-tag-python-object.yaml", NET.replace("loss: squared_error",
     "loss: !!python/object/apply:os.system [\"echo owned\"]"), 5, "python/object/apply")
case("yaml-tag-python-name.yaml", NET + "title: !!python/name:os.system ''\n", 6,
     "!!python/name:os.system")
case("yaml-tag-python-map.yaml", NET.replace("layers:", "layers: !!python/object:x.Y"), 2,
     "!!python/object:x.Y")
case("yaml-tag-set.yaml", NET + "title: !!set {a, b}\n", 6, "`!!set` is not allowed")
case("yaml-tag-omap.yaml", NET + "notation: !!omap [{loss: E}]\n", 6, "`!!omap` is not allowed")
case("yaml-tag-custom.yaml", NET + "title: !shout hello\n", 6, "`!shout` is not allowed")
case("yaml-tag-timestamp.yaml", NET + "title: !!timestamp 2024-01-01\n", 6,
     "`!!timestamp` is not allowed")
case("yaml-tag-on-key.yaml", NET + "!!binary aGk=: 1\n", 6, "`!!binary` is not allowed")
case("yaml-merge-key.yaml", "base: &b {size: 1, activation: tanh}\ninputs: [x1]\n"
     "layers:\n  - <<: *b\nloss: mse\n", 4, "merge keys")
case("yaml-recursive-alias.yaml", "inputs: &a [x1, *a]\nlayers: []\nloss: mse\n", 1,
     "unknown alias")


def _billion_laughs(levels: int, fan: int) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * fan) + "]"]
    for k in range(1, levels):
        lines.append(f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * fan) + "]")
    return "\n".join(lines) + f"\ninputs: *a{levels - 1}\nlayers: []\nloss: mse\n"


case("yaml-alias-bomb.yaml", _billion_laughs(10, 9), 7, "values")
case("yaml-alias-bomb-wide.yaml", _billion_laughs(5, 40), 4, "values")
case("yaml-alias-bomb-in-title.yaml", _billion_laughs(9, 9).replace("inputs: *a8",
     "inputs: [x]\ntitle: *a8"), 7, "values")
case("yaml-alias-deep.yaml", "a: &a " + "[" * 25 + "1" + "]" * 25 + "\n"
     "b: &b " + "[" * 25 + "*a" + "]" * 25 + "\n"
     "c: &c " + "[" * 25 + "*b" + "]" * 25 + "\n"
     "inputs: [x1]\nlayers: []\nloss: mse\n", 3, "nested more than")
case("yaml-deep-flow.yaml", "inputs: " + "[" * 5000 + "]" * 5000 + "\n", 1,
     "nested more than")
case("yaml-deep-block.yaml", "inputs:\n" + "".join(" " * k + "- \n" for k in range(1, 80))
     + "layers: []\n", 65, "nested more than")
case("yaml-deep-mappings.yaml", "inputs:\n" + "".join(" " * k + f"k{k}:\n"
                                                     for k in range(1, 90)) + "\n", 65,
     "nested more than")

# ----------------------------------------------------------------------------- JSON
JNET = ('{"inputs": ["x1", "x2"],\n "layers": [{"size": 2, "activation": "sigmoid"},\n'
        '            {"size": 1, "activation": "sigmoid"}],\n "loss": "squared_error"')
case("json-trailing-comma.json", JNET + ",\n}\n", 5, "not valid JSON")
case("json-single-quotes.json", "{'inputs': ['x1']}\n", 1, "not valid JSON")
case("json-comment.json", "// a comment\n" + JNET + "}\n", 1, "not valid JSON")
case("json-unquoted-key.json", JNET + ",\n title: 1}\n", 5, "not valid JSON")
case("json-truncated.json", JNET + ',\n "values": {"inputs": {"x1": 1', 5, "not valid JSON")
case("json-extra-data.json", JNET + "}\n{}\n", 5, "not valid JSON")
case("json-control-character.json", JNET + ',\n "title": "tab\there"}\n', 5, "not valid JSON")
case("json-bad-escape.json", JNET + ',\n "title": "\\x41"}\n', 5, "not valid JSON")
case("json-lone-surrogate-key.json", JNET + ',\n "\\ud800": 1}\n', 5, "unknown key")
case("json-duplicate-top-key.json", JNET + ',\n "loss": "cross_entropy"}\n', 5,
     "duplicate key `loss`")
case("json-duplicate-nested-key.json", JNET + ',\n "values": {"inputs": {"x1": 1,\n'
     '   "x1": 2, "x2": 0}, "targets": {"u2_1": 0.5}}}\n', 6, "duplicate key `x1`")
case("json-duplicate-in-layer.json", '{"inputs": ["x1"],\n "layers": [{"size": 1,\n'
     '   "activation": "tanh", "size": 2}],\n "loss": "mse"}\n', 3, "duplicate key `size`")
case("json-nan.json", JNET + ',\n "values": {"inputs": {"x1": NaN, "x2": 1},\n'
     '   "targets": {"u2_1": 0.5}}}\n', 5, "finite number")
case("json-infinity.json", JNET + ',\n "values": {"inputs": {"x1": 1, "x2": Infinity},\n'
     '   "targets": {"u2_1": 0.5}}}\n', 5, "finite number")
case("json-minus-infinity.json", JNET + ',\n "values": {"inputs": {"x1": 1, "x2": 0},\n'
     '   "targets": {"u2_1": 0.5}, "params": {"b_2_1": -Infinity}}}\n', 6, "finite number")
case("json-overflow.json", JNET + ',\n "values": {"inputs": {"x1": 1e400, "x2": 0},\n'
     '   "targets": {"u2_1": 0.5}}}\n', 5, "finite number")
case("json-underflow.json", JNET + ',\n "values": {"inputs": {"x1": 1, "x2": 2.5e-400},\n'
     '   "targets": {"u2_1": 0.5}}}\n', 5, "number too small")
case("json-subnormal.json", JNET + ',\n "values": {"inputs": {"x1": 1, "x2": 0},\n'
     '   "targets": {"u2_1": 5e-324}}}\n', 6, "number too small")
case("json-huge-integer.json", JNET + ',\n "values": {"inputs": {"x1": ' + "7" * 5000
     + ', "x2": 0},\n   "targets": {"u2_1": 0.5}}}\n', 5, "more than 4300 digits")
case("json-deep-arrays.json", '{"inputs": ' + "[" * 3000 + "]" * 3000 + "}\n", 1,
     "nested more than")
case("json-deep-objects.json", "{\n" + '"a": {\n' * 70 + "}" * 71 + "\n", 65,
     "nested more than")
case("json-top-array.json", '[{"inputs": ["x1"]}]\n', 1, "a spec must be a mapping")
case("json-top-string.json", '"inputs"\n', 1, "a spec must be a mapping")
case("json-empty-object.json", "{}\n", 1, "missing required key `inputs`")
case("json-null-layers.json", '{"inputs": ["x1"],\n "layers": null,\n "loss": "mse"}\n', 2,
     "expected a list")
case("json-number-as-activation.json", JNET.replace('"sigmoid"}]', '7}]') + "}\n", 3,
     "unknown activation `7`")

# ----------------------------------------------------------------------------- TOML
TNET = ('inputs = ["x1", "x2"]\nloss = "squared_error"\n\n[[layers]]\nsize = 2\n'
        'activation = "sigmoid"\n\n[[layers]]\nsize = 1\nactivation = "sigmoid"\n')
case("toml-missing-equals.toml", TNET + "title \"x\"\n", 11, "not valid TOML")
case("toml-duplicate-key.toml", TNET.replace('loss = "squared_error"\n',
     'loss = "squared_error"\nloss = "bce"\n'), 3, "not valid TOML")
case("toml-duplicate-table.toml", TNET + "[notation]\nloss = \"E\"\n[notation]\ncost = \"J\"\n",
     13, "not valid TOML")
case("toml-unterminated-string.toml", TNET + 'title = "oops\n', 11, "not valid TOML")
case("toml-unterminated-multiline.toml", TNET + 'title = """never\nends\n', 12,
     "not valid TOML")
case("toml-bad-header.toml", TNET + "[values\n", 11, "not valid TOML")
case("toml-inline-newline.toml", TNET + "[values]\ninputs = {x1 = 1,\n x2 = 2}\n", 12,
     "not valid TOML")
case("toml-table-redefines-key.toml", 'inputs = ["x1"]\nloss = "mse"\nlayers = 3\n'
     "[[layers]]\nsize = 1\n", 4, "not valid TOML")
case("toml-nan.toml", TNET + "[values]\ninputs = {x1 = nan, x2 = 1}\ntargets = {u2_1 = 0.5}\n",
     12, "finite number")
case("toml-underflow.toml", TNET + "[values]\ninputs = {x1 = -1e-400, x2 = 1}\n"
     "targets = {u2_1 = 0.5}\n", 12, "number too small")
case("toml-subnormal.toml", TNET + "[values]\ninputs = {x1 = 1e-310, x2 = 1}\n"
     "targets = {u2_1 = 0.5}\n", 12, "number too small")
case("toml-inf.toml", TNET + "[values]\ninputs = {x1 = 1, x2 = inf}\n"
     "targets = {u2_1 = 0.5}\n", 12, "finite number")
case("toml-minus-inf-factor.toml", TNET.replace('loss = "squared_error"',
     'loss = {kind = "squared_error", factor = -inf}'), 2, "finite number")
case("toml-huge-integer.toml", TNET + "[values]\ninputs = {x1 = " + "3" * 5000
     + ", x2 = 1}\n", 12, "more than 4300 digits")
case("toml-deep-arrays.toml", 'inputs = ' + "[" * 3000 + "]" * 3000 + "\n", 1,
     "nested more than")
case("toml-deep-inline-tables.toml", 'title = ' + "{a = " * 100 + "1" + "}" * 100 + "\n", 1,
     "nested more than")
case("toml-deep-dotted-keys.toml", TNET + ".".join(f"k{k}" for k in range(100)) + " = 1\n",
     11, "nested more than")
case("toml-date-as-input.toml", 'inputs = [1979-05-27]\nloss = "mse"\n[[layers]]\nsize = 1\n'
     'activation = "tanh"\n', 1, "expected text")
case("toml-unknown-key.toml", TNET.replace("size = 1\n", "size = 1\nactivaton = \"x\"\n"), 10,
     "unknown key `activaton`")
case("toml-wrong-type-loss.toml", TNET.replace('loss = "squared_error"', "loss = 3"), 2,
     "unknown loss")
case("toml-bad-unicode-escape.toml", TNET + 'title = "\\uD800"\n', 11, "not valid TOML")

# ------------------------------------------------------------------------- encodings
case("enc-utf16le.yaml", b"\xff\xfe" + NET.encode("utf-16-le"), 1, "UTF-16")
case("enc-utf16be.json", b"\xfe\xff" + (JNET + "}").encode("utf-16-be"), 1, "UTF-16")
case("enc-utf32le.toml", b"\xff\xfe\x00\x00" + TNET.encode("utf-32-le"), 1, "UTF-16")
case("enc-latin1.yaml", NET.encode() + "title: caf\u00e9\n".encode("latin-1"), 6,
     "not UTF-8")
case("enc-invalid-byte.json", (JNET + ',\n "title": "a').encode() + b"\xff" + b'"}\n', 5,
     "not UTF-8")
case("enc-truncated-multibyte.toml", TNET.encode() + b'title = "\xe2\x82"\n', 11, "not UTF-8")
case("enc-overlong.yaml", NET.encode() + b"title: \xc0\xaf\n", 6, "not UTF-8")
case("enc-surrogate-bytes.yaml", NET.encode() + b"title: \xed\xa0\x80\n", 6, "not UTF-8")
case("enc-nul-byte.yaml", NET.encode() + b"title: a\x00b\n", 6, "NUL byte")
case("enc-nul-json.json", (JNET + "}\n").encode() + b"\x00", 5, "NUL byte")
case("enc-nul-toml.toml", b"\x00" + TNET.encode(), 1, "NUL byte")
case("enc-bom-then-garbage.yaml", b"\xef\xbb\xbf" + b"inputs: [x1\n", 2, "not valid YAML")
case("enc-control-chars.yaml", NET + "title: bell\x07here\n", 6, "not valid YAML")

# ------------------------------------------------------------------------- size bombs
case("size-units-hundred-million.yaml", "inputs: [x1]\nlayers:\n"
     "  - {units: 100000000, activation: tanh}\nloss: mse\n", 3, "inputs and units")
case("size-layer-size.yaml", "inputs: [x1]\nlayers:\n  - {size: 1e9, activation: tanh}\n"
     "loss: mse\n", 3, "inputs and units")
case("size-inputs.yaml", "inputs: {size: 50000000}\nlayers:\n"
     "  - {size: 1, activation: tanh}\nloss: mse\n", 1, "inputs and units")
case("size-units-summed.yaml", "inputs: [x1]\nlayers:\n"
     + "".join("  - {size: 60000, activation: tanh}\n" for _ in range(2)) + "loss: mse\n", 4,
     "inputs and units")
case("size-wide-product.yaml", "inputs: {size: 3000}\nlayers:\n"
     "  - {size: 3000, activation: tanh}\nloss: mse\n", 3, "parameters")
case("size-params-summed.yaml", "inputs: {size: 800}\nlayers:\n"
     + "".join("  - {size: 800, activation: tanh}\n" for _ in range(3)) + "loss: mse\n", 4,
     "parameters")
case("size-file-bytes.yaml", NET + "# " + "x" * 3000 + "\n", 1, "file is larger than",
     ["--max-bytes", "2000", "derive", "{file}"])
case("size-values-count.yaml", NET + "description: [" + ", ".join(["1"] * 600) + "]\n", 6,
     "more than 500 values", ["--max-values", "500", "derive", "{file}"])
case("size-json-values.json", JNET + ',\n "description": [' + ", ".join(["1"] * 600)
     + "]}\n", 5, "more than 500 values", ["--max-values", "500", "derive", "{file}"])
case("size-toml-values.toml", TNET + "description = [" + ", ".join(["1"] * 600) + "]\n", 11,
     "more than 500 values", ["--max-values", "500", "derive", "{file}"])
case("size-lowered-depth.yaml", NET + "notation:\n  loss: [[[[E]]]]\n", 7, "nested more than",
     ["--max-depth", "3", "derive", "{file}"])
case("size-lowered-params.yaml", NET, 3, "more than 5 parameters",
     ["--max-params", "5", "derive", "{file}"])
case("size-lowered-units.yaml", NET, 4, "more than 4 inputs and units",
     ["--max-units", "4", "derive", "{file}"])
case("size-explicit-edges.yaml", NET + "edges:\n" + "".join(
    f"  - {{from: x1, to: u2_1, weight: e{k}}}\n" for k in range(3)), 6,
     "more than 10 parameters", ["--max-params", "10", "derive", "{file}"])

# ----------------------------------------------------------------------------- schema
case("schema-layers-mapping.yaml", "inputs: [x1]\nlayers: {size: 1}\nloss: mse\n", 2,
     "expected a list")
case("schema-inputs-number.yaml", "inputs: 3\nlayers: []\nloss: mse\n", 1,
     "expected a list of input names")
case("schema-loss-list.yaml", NET.replace("loss: squared_error", "loss: [mse]"), 5,
     "expected text")
case("schema-missing-loss.yaml", NET.replace("loss: squared_error\n", ""), 1,
     "missing required key `loss`")
case("schema-missing-activation.yaml", NET.replace(", activation: sigmoid}", "}", 1), 3,
     "missing required key `activation`")
case("schema-unknown-layer-key.yaml", NET.replace("size: 2,", "sise: 2,"), 3,
     "did you mean `size`")
case("schema-unknown-notation-key.yaml", NET + "notation: {wieght: w}\n", 6,
     "did you mean `weight`")
case("schema-first-layer-negative.yaml", NET + "notation: {first_layer: -1}\n", 6,
     "whole number")
case("schema-first-layer-fraction.yaml", NET + "notation: {first_layer: 1/2}\n", 6,
     "whole number")
case("schema-weight-layer-choice.yaml", NET + "notation: {weight_layer: middle}\n", 6,
     "unknown choice `middle`")
case("schema-cost-key.yaml", NET + "cost: {exemples: m}\n", 6, "did you mean `examples`")
case("schema-values-key.yaml", NET + "values: {input: {x1: 1}}\n", 6, "did you mean `inputs`")
case("schema-values-list.yaml", NET + "values: [1, 2]\n", 6, "expected a mapping")
case("schema-examples-not-list.yaml", NET + "values: {examples: {inputs: {}}}\n", 6,
     "expected a list")
case("schema-example-extra-key.yaml", NET + "values:\n  examples:\n"
     "    - {inputs: {x1: 1, x2: 1}, targets: {u2_1: 0}, weight: 2}\n", 8, "unknown key `weight`")
case("schema-examples-and-inputs.yaml", NET + "values:\n  inputs: {x1: 1}\n  examples: []\n",
     8, "not both")
case("schema-inputs-without-targets.yaml", NET + "values:\n  inputs: {x1: 1, x2: 2}\n", 6,
     "give both `inputs` and `targets`")
case("schema-alpha-on-sigmoid.yaml", NET.replace("activation: sigmoid}",
     "activation: {kind: sigmoid, alpha: 1}}", 1), 3, "`alpha` applies only to leaky_relu")
case("schema-activation-typo.yaml", NET.replace("sigmoid}", "sigmod}", 1), 3,
     "did you mean `sigmoid`")
case("schema-bias-count.yaml", NET.replace("size: 1,", "size: 1, bias: [b1, b2],"), 4,
     "expected 1 bias names")
case("schema-units-empty.yaml", NET.replace("size: 1,", "units: [],"), 4,
     "at least one unit")
case("schema-size-zero.yaml", NET.replace("size: 1,", "size: 0,"), 4, "whole number")
case("schema-size-fraction.yaml", NET.replace("size: 1,", "size: 1.5,"), 4, "whole number")
case("schema-size-text.yaml", NET.replace("size: 1,", "size: two,"), 4, "expected a number")
case("schema-units-and-size.yaml", NET.replace("size: 1,", "size: 1, units: [o],"), 4,
     "not both")
case("schema-reduction.yaml", NET.replace("loss: squared_error",
     "loss: {kind: squared_error, reduction: avg}"), 5, "unknown reduction `avg`")
case("schema-factor-negative.yaml", NET.replace("loss: squared_error",
     "loss: {kind: squared_error, factor: -2}"), 5, "must be positive")
case("schema-unit-mapping-no-name.yaml", NET.replace("size: 1,", "units: [{latex: o}],"), 4,
     "missing required key `name`")
case("schema-no-layers.yaml", "inputs: [x1]\nlayers: []\nloss: mse\n", 2,
     "at least one layer")

# ----------------------------------------------------------------------------- wiring
case("wiring-from-later-layer.yaml", NET.replace("activation: sigmoid}",
     "activation: sigmoid, from: out}", 1), 3, "does not come before")
case("wiring-from-self.yaml", NET.replace("size: 1,", "size: 1, from: out,"), 4,
     "does not come before")
case("wiring-from-unknown.yaml", NET.replace("size: 1,", "size: 1, from: [hiden],"), 4,
     "did you mean `hidden`")
case("wiring-from-twice.yaml", NET.replace("size: 1,", "size: 1, from: [hidden, u1_1],"), 4,
     "already a source")
case("wiring-from-inputs-twice.yaml", NET.replace("size: 1,", "size: 1, from: [inputs, x1],"),
     4, "already a source")
case("wiring-edge-into-input.yaml", NET + "edges:\n  - {from: u1_1, to: x1}\n", 7,
     "edges cannot point into it")
case("wiring-edge-from-output.yaml", NET + "edges:\n  - {from: u2_1, to: u1_1}\n", 7,
     "feeds only the loss")
case("wiring-edge-twice.yaml", NET + "edges:\n  - {from: x1, to: u2_1}\n"
     "  - {from: x1, to: u2_1}\n", 8, "already exists")
case("wiring-edge-exists-in-layer.yaml", NET + "edges:\n  - {from: u1_1, to: u2_1}\n", 7,
     "already exists")
case("wiring-edge-unknown.yaml", NET + "edges:\n  - {from: x3, to: u2_1}\n", 7,
     "no input or unit called `x3`")
case("wiring-cycle.yaml", "inputs: [x1]\nlayers:\n  - {units: [a, b], activation: tanh,"
     " connect: none}\n  - {units: [o], activation: tanh}\nedges:\n  - {from: x1, to: a}\n"
     "  - {from: a, to: b}\n  - {from: b, to: a}\nloss: mse\n", 7, "form a cycle")
case("wiring-rows.yaml", NET.replace("size: 1,", "size: 1, weights: [[a, b], [c, d]],"), 4,
     "expected 1 rows")
case("wiring-row-length.yaml", NET.replace("size: 1,", "size: 1, weights: [[a]],"), 4,
     "must list 2 weight names")
case("wiring-weights-unknown-unit.yaml", NET.replace("size: 1,",
     "size: 1, weights: {o: {u1_1: a}},"), 4, "not a unit of this layer")
case("wiring-weights-unknown-source.yaml", NET.replace("size: 1,",
     "size: 1, weights: {u2_1: {x1: a}},"), 4, "does not feed this layer")
case("wiring-connect-choice.yaml", NET.replace("size: 1,", "size: 1, connect: some,"), 4,
     "unknown choice `some`")
case("wiring-weights-without-connect.yaml", NET.replace("size: 1,",
     "size: 1, connect: none, weights: [[a, b]],"), 4, "needs `connect: full`")
case("wiring-unit-unconnected.yaml", NET.replace("size: 1,", "size: 1, connect: none,"), 4,
     "has no incoming edge")
case("wiring-softmax-hidden.yaml", NET.replace("size: 2, activation: sigmoid",
     "size: 2, activation: softmax"), 3, "only on the output layer")
case("wiring-softmax-one-unit.yaml", "inputs: [x1]\nlayers:\n  - units:\n"
     "      - {name: o, activation: softmax}\n    activation: sigmoid\nloss: mse\n", 4,
     "whole layer")
case("wiring-bce-relu.yaml", NET.replace("size: 1, activation: sigmoid",
     "size: 1, activation: relu").replace("squared_error", "bce"), 4,
     "binary cross-entropy takes the log of the output")

# ------------------------------------------------------------------------------ names
case("names-invalid-input.yaml", NET.replace("[x1, x2]", "[x1, 2x]"), 1, "not a valid name")
case("names-keyword-input.yaml", NET.replace("[x1, x2]", "[x1, class]"), 1,
     "not a valid name")
case("names-hyphen-weight.yaml", NET.replace("size: 1,", "size: 1, weights: [[w-1, w2]],"), 4,
     "not a valid name")
case("names-input-twice.yaml", NET.replace("[x1, x2]", "[x1, x1]"), 1, "listed twice")
case("names-nfkc-inputs.yaml", NET.replace("[x1, x2]", "[x1, \uff58\uff11]"), 1,
     "one name to Python")
case("names-nfkc-unit.yaml", NET.replace("size: 1,", "units: [\uff58\uff12],"), 4,
     "already used")
case("names-confusable-inputs.yaml", 'inputs: {"a": "a", "\u0430": "\\\\alpha"}\n'
     + NET.split("\n", 1)[1], 1, "`\u0430` and `a` look alike (Unicode confusables, TR39)")
case("names-confusable-digit.yaml", NET.replace("[x1, x2]", "[x1, xl]"), 1,
     "`xl` and `x1` look alike")
case("names-confusable-unit.yaml", NET.replace("size: 2,", "units: [o1, h2],")
     .replace("size: 1,", "units: [\u03bf1],"), 4, "looks like `o1` (Unicode confusables")
case("names-invisible-input.yaml", NET.replace("[x1, x2]", "[a, \"a\u3164\"]"), 1,
     "U+3164 HANGUL FILLER, which shows nothing")
case("names-zero-width-weight.yaml", NET.replace(
    "size: 2, activation: sigmoid}",
    "size: 1, activation: sigmoid, weights: [[\"w\u200b1\", w2]]}"), 3,
     "U+200B ZERO WIDTH SPACE")
case("names-layer-twice.yaml", NET.replace("name: out", "name: hidden"), 4, "used twice")
case("names-layer-like-unit.yaml", NET.replace("size: 1,", "units: [out],"), 4,
     "names both a layer and a unit")
case("names-unit-inputs.yaml", NET.replace("size: 1,", "units: [inputs],"), 4,
     "already used")
case("names-weight-like-unit.yaml", NET.replace("size: 1,", "size: 1, weights: [[u1_1, w]],"),
     4, "names a unit")
case("names-weight-and-bias.yaml", NET.replace("size: 1,",
     "size: 1, weights: [[w, v]], bias: w,"), 4, "both as a weight and as a bias")
case("names-weight-like-delta.yaml", NET.replace("size: 1,",
     "size: 1, weights: [[delta_2_1, v]],"), 4, "the δ of `u2_1`")
case("names-weight-like-activation.yaml", NET.replace("size: 1,",
     "size: 1, weights: [[a_1_1, v]],"), 4, "the activation of `u1_1`")
case("names-weight-like-target.yaml", NET.replace("size: 1,",
     "size: 1, weights: [[y_1, v]],"), 4, "the target of `u2_1`")
case("names-weight-like-net.yaml", NET.replace("size: 1,",
     "size: 1, weights: [[z_1_2, v]],"), 4, "the net input of `u1_2`")
case("names-weight-like-loss.yaml", NET.replace("size: 1,", "size: 1, weights: [[L, v]],"), 4,
     "the loss")
case("names-weight-like-learning-rate.yaml", NET.replace("size: 1,",
     "size: 1, weights: [[alpha, v]],") + "values: {learning_rate: 0.5}\n", 4,
     "the learning rate")
case("names-param-tanh.yaml", NET.replace("size: 1,", "size: 1, bias: tanh,"), 4,
     "the built-in function `tanh`")
case("names-param-sigmoid.yaml", NET.replace("size: 1,", "size: 1, weights: [[sigmoid, v]],"),
     4, "the built-in function `sigmoid`")
case("names-param-exp.yaml", NET.replace("size: 1,", "size: 1, bias: exp,"), 4,
     "the built-in function `exp`")
case("names-param-f.yaml", NET.replace("activation: sigmoid}", "activation: f}", 1)
     .replace("size: 1,", "size: 1, bias: f,"), 4, "the unspecified function `f`")
case("names-param-f-prime.yaml", NET.replace("activation: sigmoid}", "activation: g}", 1)
     .replace("size: 1,", "size: 1, bias: g_prime,"), 4, "the derivative `g'`")
case("names-unspecified-sigmoid.yaml", NET.replace("activation: sigmoid}",
     "activation: {kind: unspecified, name: sigmoid}}", 1), 3, "is a built-in function")
case("names-unspecified-log.yaml", NET.replace("activation: sigmoid}",
     "activation: {kind: unspecified, name: log}}", 1), 3, "is a built-in function")
case("names-input-like-function.yaml", NET.replace("activation: sigmoid}", "activation: g}", 1)
     .replace("[x1, x2]", "[x1, g]"), 3, "the input `g`")
case("names-printed-alike.yaml", NET.replace("size: 1,", "size: 1, weights: [[x_1, v]],"), 4,
     "exactly like the input `x1`")
case("names-template-collision.yaml", "notation: {weight: 'w^{{layer}}_{{j}{k}}'}\n"
     "inputs: {size: 11}\nlayers:\n  - {size: 11, activation: tanh}\nloss: mse\n", 4,
     "would both be named")
case("names-notation-delta-like-activation.yaml", NET + "notation: {delta: 'a_{{index}}',"
     " activation: 'a_{{index}}'}\n", 3, "the δ of `u1_1`")
case("names-cost-examples-like-input.yaml", NET + "cost: {examples: x1}\n", 1,
     "the number of examples")
case("names-empty-weight.yaml", NET.replace("size: 1,", "size: 1, weights: [['', v]],"), 4,
     "not a valid name")

# ----------------------------------------------------------------------------- values
case("values-yaml-nan.yaml", NET + "values:\n  inputs: {x1: .nan, x2: 1}\n"
     "  targets: {u2_1: 0.5}\n", 7, "finite number")
case("values-yaml-inf.yaml", NET + "values:\n  inputs: {x1: .inf, x2: 1}\n"
     "  targets: {u2_1: 0.5}\n", 7, "finite number")
case("values-yaml-float-overflow.yaml", NET + "values:\n  inputs: {x1: 1.0e+400, x2: 1}\n"
     "  targets: {u2_1: 0.5}\n", 7, "finite number")
case("values-text-overflow.yaml", NET + "values:\n  inputs: {x1: 1e400, x2: 1}\n"
     "  targets: {u2_1: 0.5}\n", 7, "too large")
case("values-huge-exponent.yaml", NET + "values:\n  inputs: {x1: 1e999999999, x2: 1}\n"
     "  targets: {u2_1: 0.5}\n", 7, "expected a number")
case("values-tiny-exponent.yaml", NET + "values:\n  inputs: {x1: '1e-999', x2: 1}\n"
     "  targets: {u2_1: 0.5}\n", 7, "too small")
case("values-divide-by-zero.yaml", NET + "values:\n  inputs: {x1: 1/0, x2: 1}\n"
     "  targets: {u2_1: 0.5}\n", 7, "divides by zero")
case("values-factor-divide-by-zero.yaml", NET.replace("loss: squared_error",
     "loss: {kind: squared_error, factor: 1/0}"), 5, "divides by zero")
case("values-slope-nan.yaml", NET.replace("activation: sigmoid}",
     "activation: {kind: leaky_relu, alpha: .nan}}", 1), 3, "finite number")
case("values-huge-integer.yaml", NET + "values:\n  inputs: {x1: " + "9" * 5000 + ", x2: 1}\n"
     "  targets: {u2_1: 0.5}\n", 7, "4300 digits")
case("values-integer-too-large.yaml", NET + "values:\n  inputs: {x1: " + "9" * 400
     + ", x2: 1}\n  targets: {u2_1: 0.5}\n", 7, "too large")
case("values-text.yaml", NET + "values:\n  inputs: {x1: one, x2: 1}\n"
     "  targets: {u2_1: 0.5}\n", 7, "expected a number")
case("values-bool.yaml", NET + "values:\n  inputs: {x1: true, x2: 1}\n"
     "  targets: {u2_1: 0.5}\n", 7, "a boolean")
case("values-unknown-param.yaml", NET + "values:\n  params: {w9: 1}\n", 7,
     "no parameter called `w9`")
case("values-unknown-input.yaml", NET + "values:\n  inputs: {x3: 1}\n  targets: {u2_1: 0}\n", 7,
     "no input called `x3`")
case("values-unknown-target.yaml", NET + "values:\n  inputs: {x1: 1}\n  targets: {o: 0}\n", 8,
     "no output unit called `o`")
case("values-bce-target-above-one.yaml", NET.replace("squared_error", "bce") + "values:\n"
     "  inputs: {x1: 1, x2: 1}\n  targets: {u2_1: 1.5}\n", 8, "between 0 and 1")
case("values-ce-target-negative.yaml", NET.replace("size: 1, activation: sigmoid",
     "size: 2, activation: softmax").replace("squared_error", "cross_entropy") + "values:\n"
     "  inputs: {x1: 1, x2: 1}\n  targets: {u2_1: -0.5, u2_2: 1.5}\n", 8, "between 0 and 1")
case("values-softmax-sum.yaml", NET.replace("size: 1, activation: sigmoid",
     "size: 2, activation: softmax").replace("squared_error", "cross_entropy") + "values:\n"
     "  inputs: {x1: 1, x2: 1}\n  targets: {u2_1: 0.5, u2_2: 0.7}\n", 8, "sum to 1")
case("values-softmax-partial-sum.yaml", NET.replace("size: 1, activation: sigmoid",
     "size: 3, activation: softmax").replace("squared_error", "cross_entropy") + "values:\n"
     "  inputs: {x1: 1, x2: 1}\n  targets: {u2_1: 0.8, u2_2: 0.7}\n", 8, "sum to 1")
case("values-learning-rate-nan.yaml", NET + "values: {learning_rate: .nan}\n", 6,
     "finite number")
case("values-functions-unknown.yaml", NET + "values: {functions: {f: tanh}}\n", 6,
     "no unspecified function called `f`")
case("values-functions-kind.yaml", NET.replace("sigmoid}", "f}", 1)
     + "values: {functions: {f: relu}}\n", 6, "cannot stand in")
case("values-example-not-mapping.yaml", NET + "values:\n  examples: [3]\n", 7,
     "expected a mapping")

# ---------------------------------------------------------------------- log domain
case("loss-ce-on-relu.yaml", NET.replace("size: 1, activation: sigmoid",
     "size: 1, activation: relu").replace("squared_error", "cross_entropy"), 4,
     "a relu output can be 0")
case("loss-ce-on-linear.yaml", NET.replace("size: 1, activation: sigmoid",
     "size: 1, activation: linear").replace("squared_error", "ce"), 4, "a linear output")
case("loss-ce-on-tanh.yaml", NET.replace("size: 1, activation: sigmoid",
     "size: 1, activation: tanh").replace("squared_error", "cross_entropy"), 4,
     "a tanh output")
case("loss-bce-on-softplus-above-one.yaml", NET.replace("size: 1, activation: sigmoid",
     "size: 1, activation: softplus").replace("squared_error", "bce") + "values:\n"
     "  params: {w_1_1_1: 1, w_1_1_2: 1, w_1_2_1: 1, w_1_2_2: 1, b_1_1: 0, b_1_2: 0,"
     " w_2_1_1: 3, w_2_1_2: 3, b_2_1: 2}\n"
     "  inputs: {x1: 1, x2: 1}\n  targets: {u2_1: 0.5}\n", 6,
     "the loss is not a number", ["eval", "{file}"])
case("loss-bce-on-one-relu-unit.yaml", "inputs: [x1]\nlayers:\n  - name: out\n    units:\n"
     "      - o1\n      - {name: o2, activation: relu}\n    activation: sigmoid\n"
     "loss: bce\n", 6, "a relu output")

# -------------------------------------------------------------- values files (--at)
values_case("at-syntax.yaml", "inputs: {i1: 0.05, i2: 0.10\n", 2, "not valid YAML")
values_case("at-nan.yaml", "inputs: {i1: .nan, i2: 0.1}\ntargets: {o1: 0.01, o2: 0.99}\n", 1,
            "finite number")
values_case("at-unknown-input.yaml", "inputs: {i3: 1}\ntargets: {o1: 0, o2: 1}\n", 1,
            "no input called `i3`")
values_case("at-missing-input.yaml", "examples:\n  - inputs: {i1: 1}\n"
            "    targets: {o1: 0.01, o2: 0.99}\n", 2, "no value for input(s) i2")
values_case("at-unknown-names.yaml", "params: {w5: 1, w9: 2}\ninputs: {i3: 1}\n", 1,
            "2 unknown names: `w9` (no parameter, line 1), `i3` (no input, line 2)")
values_case("at-missing-target.yaml", "examples:\n  - inputs: {i1: 1, i2: 2}\n"
            "    targets: {o1: 0.01}\n"
            "params: {w1: 0.15, w2: 0.2, w3: 0.25, w4: 0.3, w5: 0.4, w6: 0.45, w7: 0.5,"
            " w8: 0.55, b1: 0.35, b2: 0.6}\n", 3, "no target for output(s) o2")
values_case("at-tag.yaml", "inputs: !!python/object/apply:os.getcwd []\n", 1,
            "is not allowed")
values_case("at-duplicate.json", '{"inputs": {"i1": 1, "i2": 2},\n "inputs": {}}\n', 2,
            "duplicate key `inputs`")
values_case("at-utf16.yaml", b"\xff\xfe" + "inputs: {i1: 1}\n".encode("utf-16-le"), 1,
            "UTF-16")
values_case("at-alias-bomb.yaml", _billion_laughs(10, 9).replace(
    "inputs: *a9\nlayers: []\nloss: mse\n", "examples: *a9\n"), 7, "values")
values_case("at-deep.json", '{"inputs": ' + "[" * 2000 + "]" * 2000 + "}\n", 1,
            "nested more than")
values_case("at-yaml-underflow.yaml", "inputs:\n  i1: 0.5\n  i2: 1.0e-999\n"
            "targets: {o1: 0.5, o2: 0.5}\n", 3,
            "number too small")
values_case("at-yaml-subnormal.yaml", "inputs: {i1: 1, i2: 0}\ntargets:\n  o1: 4.9e-324\n"
            "  o2: 0.5\n", 3, "number too small")
values_case("at-below-least-number.yaml", "inputs:\n  i1: '1e-301'\n  i2: 1\n"
            "targets: {o1: 0.5, o2: 0.5}\n", 2, "number too small")
values_case("at-huge-number.toml", "[inputs]\ni1 = " + "1" * 6000 + "\n", 2,
            "more than 4300 digits")
values_case("at-list.yaml", "- 1\n- 2\n", 1, "expected a mapping of values")
values_case("at-empty.yaml", "\n\n", 1, "the file is empty")


def main() -> None:
    expected: dict[str, dict[str, object]] = {}
    names = [name for name, *_ in CASES]
    duplicated = {n for n in names if names.count(n) > 1}
    assert not duplicated, duplicated
    for name, content, line, message in CASES:
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (BAD / name).write_bytes(data)
        expected[name] = {"line": line, "message": message,
                          "args": ARGS.get(name, ["derive", "{file}"])}
    (BAD / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False)
                                       + "\n", encoding="utf-8")
    print(f"wrote {len(CASES)} cases to {BAD}")


if __name__ == "__main__":
    main()
