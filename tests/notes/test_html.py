"""The notes as a web page: self-contained, escaped, anchored, and rendered by a real browser.

The browser tests load every bundled spec's page in headless Chromium 800 px wide and
measure it: no ``merror``, every ``math`` laid out as MathML with a box of its own, no
horizontal overflow of the page or of any formula, every ``#`` link landing, no two labels
of the network drawing on top of each other. A screenshot of seed 004's page is kept as a
test artifact (``build/test-artifacts``, or ``$SYMBACKPROP_ARTIFACTS``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from browser import ARTIFACTS, dump_dom, measure, print_pdf, screenshot
from paths import ROOT, SPECS

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.notes.html import notes_html, slug
from symbackprop.notes.sections import build_notes
from symbackprop.spec.load import load_spec

BUNDLED = sorted(SPECS.glob("*.yaml"))
SEED_004 = SPECS / "seed-004-mazur-2-2-2.yaml"

HOSTILE = """\
title: "<script>alert(1)</script> & </title><b>x</b> {{< include /etc/passwd >}}"
description: >
  Text </p><img src=x onerror=alert(1)> with $w_1$ and $\\input{/etc/hostname}$ and
  <math><mi>bad</mi></math> &amp; "quotes".
source: "http://example.invalid/<style>body{display:none}</style>"
inputs: [x1, x2]
layers:
  - name: output
    units:
      - {name: o1}
    activation: sigmoid
    weights: [[w1, w2]]
loss:
  kind: squared_error
values:
  inputs: {x1: 0.5, x2: -1}
  targets: {o1: 1}
  params: {w1: 0.1, w2: 0.2, b_1_1: 0.3}
"""


def page_for(path: Path, **kwargs: Any) -> str:
    net = build_network(load_spec(path))
    return notes_html(build_notes(net, derive(net), **kwargs), net)


@pytest.fixture(scope="module")
def mazur_page() -> str:
    return page_for(SEED_004)


def _body(page: str) -> str:
    return page.split("<body>", 1)[1]


# ----------------------------------------------------------------------------- the file


def test_the_page_needs_nothing_from_outside_and_runs_nothing(mazur_page: str) -> None:
    assert mazur_page.startswith("<!DOCTYPE html>")
    assert "<script" not in mazur_page.lower()
    assert not re.search(r"\son[a-z]+\s*=", mazur_page)  # no event handlers
    # the only URL is the SVG namespace; every link is to an anchor on the page
    urls = set(re.findall(r"https?://[^\s\"'<>]+", mazur_page))
    assert urls == {"http://www.w3.org/2000/svg"}
    assert all(h.startswith("#") for h in re.findall(r'href="([^"]*)"', mazur_page))
    assert not re.search(r"\ssrc\s*=", mazur_page)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', mazur_page)
    assert policy and "default-src 'none'" in policy.group(1)
    assert "script-src" not in policy.group(1)  # so default-src 'none' forbids scripts
    assert "@media print" in mazur_page


def test_every_formula_is_mathml_carrying_its_tex(mazur_page: str) -> None:
    maths = re.findall(r"<math\b.*?</math>", mazur_page, flags=re.S)
    assert len(maths) > 40
    for m in maths:
        root = ET.fromstring(m)  # well-formed XML, one semantics, its TeX annotated
        (semantics,) = list(root)
        assert semantics.tag == "semantics"
        *content, annotation = list(semantics)
        assert len(content) == 1 and annotation.tag == "annotation"
        assert annotation.get("encoding") == "application/x-tex" and annotation.text
    assert "<merror" not in mazur_page
    # Mazur's published ∂E/∂w5 = 0.082167041 is in the page as a number of the maths
    assert "<mn>0.0821670406</mn>" in mazur_page


def test_every_gradient_and_local_gradient_has_an_anchor(mazur_page: str) -> None:
    net = build_network(load_spec(SEED_004))
    ids = re.findall(r'\bid="([^"]+)"', mazur_page)
    assert len(ids) == len(set(ids))
    for p in net.params:
        assert f'id="grad-{p.name}"' in mazur_page, p.name
        assert f'href="#grad-{p.name}"' in mazur_page, p.name
        assert f'<tr id="step-{p.name}">' in mazur_page, p.name
    for u in net.units:
        assert f'id="delta-{u.name}"' in mazur_page, u.name
    # the anchor of w5 sits on the row that starts ∂E/∂w5's derivation
    row = re.search(r'<mtr id="grad-w5">(.*?)</mtr>', mazur_page).group(1)
    assert "<mi>∂</mi><msub><mi>w</mi><mn>5</mn></msub>" in row


def test_ids_are_made_of_safe_characters() -> None:
    assert slug("w5") == "w5"
    assert slug('a"><script>') == "a-22-3e-3c-script-3e"
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", slug("W^{(1)}_{12} ü"))


def test_everything_from_the_spec_is_escaped(tmp_path: Path) -> None:
    spec = tmp_path / "hostile.yaml"
    spec.write_text(HOSTILE, encoding="utf-8")
    page = page_for(spec)
    body = _body(page)
    for raw in ("<script>", "<img", "<b>x</b>", "</title><b>", "<math><mi>bad"):
        assert raw not in page, raw
    assert page.count("<style>") == 1 and "&lt;style&gt;body{display:none}" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;/title&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "&amp;amp; &quot;quotes&quot;" in body
    # vetted math is typeset; TeX that is not vetted stays text
    assert "<msub><mi>w</mi><mn>1</mn></msub>" in body
    assert "$\\input{/etc/hostname}$" in body


def test_a_page_for_a_spec_without_values_or_with_full_notes() -> None:
    page = page_for(SPECS / "seed-002-four-layer.yaml")
    assert "<merror" not in page and 'id="grad-' in page
    full = page_for(SEED_004, full=True)
    ids = re.findall(r'\bid="([^"]+)"', full)
    assert len(ids) == len(set(ids))  # a gradient derived twice is anchored once


# ----------------------------------------------------------------------------- the browser


def _overlaps(a: dict[str, float], b: dict[str, float]) -> float:
    dx = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
    dy = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
    return dx * dy if dx > 0.5 and dy > 0.5 else 0.0


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_the_page_renders_in_chromium(path: Path, tmp_path: Path) -> None:
    found = measure(page_for(path), tmp_path, width=800)
    assert found["merror"] == 0
    assert found["viewport"] <= 800 and found["scrollWidth"] <= found["viewport"]
    assert len(found["maths"]) > 10
    for m in found["maths"]:
        assert "math" in m["display"], m  # laid out by the MathML engine, not as text
        assert m["w"] > 0 and m["h"] > 0, m["tex"]
        assert m["right"] <= found["viewport"], m["tex"]
    for s in found["scrollers"]:  # no formula or table scrolls inside its box either
        assert s["scroll"] <= s["client"], s["tex"][:200]
    assert found["links"] and all(link["found"] for link in found["links"])
    aligned = [lefts for lefts in found["equals"] if len(lefts) > 1]
    assert aligned
    for lefts in aligned:  # each display's rows aligned on their = (or ∈)
        assert max(lefts) - min(lefts) < 1, lefts
    for rights in found["sides"]:  # and their left sides set flush right
        assert not rights or max(rights) - min(rights) < 1, rights
    (figure,) = found["figures"]
    assert figure["svg"]["right"] <= found["viewport"]
    texts = [t for t in figure["texts"] if t["text"].strip()]
    assert texts
    for k, a in enumerate(texts):
        for b in texts[k + 1:]:
            assert _overlaps(a, b) == 0, (a["text"], b["text"])


LECTURER = """\
title: "2-3-1 leaky-ReLU regression in a lecturer's notation"
notation:
  weight: "W^{({layer})}_{{j}{k}}"
  activation: "a^{({layer})}_{{index}}"
  net: "z^{({layer})}_{{index}}"
  bias: "b^{({layer})}_{{j}}"
  delta: "\\\\delta^{({layer})}_{{index}}"
inputs: {size: 2}
layers:
  - {size: 3, activation: {kind: leaky_relu, alpha: 1/10}}
  - {size: 1, activation: linear}
loss: {kind: squared_error, factor: 1/2}
"""
SHARED = """\
title: "Shared weight, skip edge and an unspecified g"
inputs: [x1, x2]
layers:
  - {name: hidden, units: [h1, h2], activation: g, weights: [[w, v], [v, w]]}
  - {name: output, units: [o1], activation: sigmoid}
edges:
  - {from: x1, to: o1, weight: s}
loss: squared_error
"""


def _generated(folder: Path, which: str) -> Path:
    from layered_specs import random_layered, write_spec

    if which in ("lecturer", "shared"):
        path = folder / f"{which}.yaml"
        path.write_text(LECTURER if which == "lecturer" else SHARED, encoding="utf-8")
        return path
    if which == "wide":
        return write_spec(folder, "wide", 10, [(10, "leaky_relu"), (10, "softmax")],
                          "cross_entropy")
    return random_layered(folder, int(which))


@pytest.mark.parametrize("which", ["lecturer", "shared", "wide", "0", "1", "2", "3"])
def test_a_generated_spec_s_page_renders_in_chromium(which: str, tmp_path: Path) -> None:
    found = measure(page_for(_generated(tmp_path, which)), tmp_path, width=800)
    assert found["merror"] == 0
    assert found["scrollWidth"] <= found["viewport"]
    assert all(m["w"] > 0 and m["h"] > 0 and m["right"] <= found["viewport"]
               for m in found["maths"])
    assert all(s["scroll"] <= s["client"] for s in found["scrollers"])
    assert all(link["found"] for link in found["links"])
    texts = [t for t in found["figures"][0]["texts"] if t["text"].strip()]
    for k, a in enumerate(texts):
        assert all(_overlaps(a, b) == 0 for b in texts[k + 1:]), a["text"]


def test_the_policy_stops_a_script_from_running(mazur_page: str, tmp_path: Path) -> None:
    injected = mazur_page.replace(
        "</body>", "<script>document.body.setAttribute('data-ran', 'yes')</script></body>")
    dom = dump_dom(injected, tmp_path)
    assert "<main>" in dom and 'data-ran="yes"' not in dom


def test_the_printed_page_leaves_out_the_contents_and_keeps_the_maths(
        mazur_page: str, tmp_path: Path) -> None:
    pdf = print_pdf(mazur_page, tmp_path)
    assert pdf.startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext is not installed (.ci/run installs poppler-utils)")
        pytest.skip("pdftotext is not installed")
    (tmp_path / "p.pdf").write_bytes(pdf)
    text = subprocess.run([pdftotext, "p.pdf", "-"], cwd=tmp_path, capture_output=True,
                          text=True, check=True).stdout
    assert "Gradients:" not in text  # the list of links is for the screen
    assert "One step of gradient descent" in text and "0.298371109" in text


def test_a_screenshot_is_kept(mazur_page: str, tmp_path: Path) -> None:
    shot = screenshot(mazur_page, tmp_path, ARTIFACTS / "seed-004-web-page.png")
    assert shot.stat().st_size > 20_000  # a page of text and maths, not a blank image
    docs = ROOT / "docs" / "img" / "seed-004-web-page.png"
    if os.environ.get("SYMBACKPROP_UPDATE_EXPECTED"):
        docs.write_bytes(shot.read_bytes())
    assert docs.exists(), "run with SYMBACKPROP_UPDATE_EXPECTED=1 to make it"
