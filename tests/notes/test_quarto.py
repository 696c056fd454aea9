"""Quarto slides: a .qmd whose front matter is YAML, maths in $…$, spec text inert."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.notes.document import Equations
from symbackprop.notes.quarto import notes_quarto, quarto_math, quarto_text
from symbackprop.notes.sections import build_notes
from symbackprop.spec.load import load_spec

BUNDLED = sorted(SPECS.glob("*.yaml"))


def qmd_for(path: Path) -> tuple[str, object]:
    net = build_network(load_spec(path))
    notes = build_notes(net, derive(net))
    return notes_quarto(notes, net), notes


def _front_matter(qmd: str) -> dict[str, object]:
    m = re.match(r"---\n(.*?)\n---\n", qmd, flags=re.S)
    assert m
    return yaml.safe_load(m.group(1))


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_the_deck_has_a_slide_per_idea_and_every_formula(path: Path) -> None:
    qmd, notes = qmd_for(path)
    meta = _front_matter(qmd)
    assert set(meta["format"]) == {"revealjs", "beamer"}  # type: ignore[arg-type]
    body = qmd.split("\n---\n", 1)[1]
    # every aligned display is closed, and inline math pairs up on every line
    assert body.count("$$\n\\begin{aligned}") == body.count("\\end{aligned}\n$$")
    for line in body.splitlines():
        assert (line.count("$") - line.count("\\$")) % 2 == 0, line
    rows = [r for b in notes.blocks if isinstance(b, Equations) for r in b.rows]  # type: ignore[attr-defined]
    for r in rows:
        assert quarto_math(r) in body
    net = build_network(load_spec(path))
    assert len(re.findall(r"(?m)^## Local gradient \$", body)) == len(net.units)
    assert "```{mermaid}" in body


def test_spec_text_cannot_become_markup_or_a_shortcode() -> None:
    hostile = "1. {{< include /etc/passwd >}} @cite [link](x) <b> $x$ ::: {.note}"
    shown = quarto_text(hostile)
    # every character that Markdown, HTML, math, citations or shortcodes read is escaped
    assert not re.search(r"(?<!\\)[@$<>{}\[\]]", shown)
    assert "\\{\\{\\< include" in shown and "{{<" not in shown
    assert shown.startswith("1\\.")  # no list
    assert quarto_math("a_{{<b}}") == "a_{ {<b} }"
    assert "{{" not in quarto_math("{{{{x}}}}")


def test_the_title_is_yaml_and_markdown_safe(tmp_path: Path) -> None:
    text = (SPECS / "seed-004-perceptron.yaml").read_text(encoding="utf-8")
    spec = tmp_path / "t.yaml"
    title = 'A "quoted" title: {{< meta x >}} @ref\\n'
    line = "title: " + yaml.safe_dump(title).strip()
    spec.write_text(re.sub(r"(?m)^title: .*$", lambda _: line, text, count=1),
                    encoding="utf-8")
    assert load_spec(spec).title == title
    qmd, _ = qmd_for(spec)
    shown = _front_matter(qmd)["title"]
    assert isinstance(shown, str) and "{{<" not in shown
    assert shown == quarto_text(title)
