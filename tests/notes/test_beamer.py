"""Beamer slides: compiled by a real pdflatex, every frame rendered and checked for overflow.

A frame overflows when TeX reports an overfull box or when ink reaches the frame's edge:
each frame is rendered to a grey image (pdftoppm) and its outer bands must be blank. The
frames are kept as PNG test artifacts. The tests skip only when pdflatex or pdftoppm is
missing and CI is not set; under CI they fail instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from browser import ARTIFACTS
from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.notes.beamer import notes_beamer
from symbackprop.notes.pdflatex import compile_tex
from symbackprop.notes.sections import build_notes
from symbackprop.spec.load import load_spec

DECKS = ["seed-004-mazur-2-2-2", "tanh-softmax-3-4-3", "relu-mlp"]
EDGE = 0.02  # the outer band of a frame, as a share of its size, that must stay blank
HOSTILE_TITLE = r"50% of \input{/etc/passwd} & $x$ #1 ~ ^ _ {}"


def _needs(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} not installed (.ci/run installs them)")
        pytest.skip(f"{', '.join(missing)} not installed (under CI this test fails instead)")


def deck_for(path: Path) -> str:
    net = build_network(load_spec(path))
    return notes_beamer(build_notes(net, derive(net)), net)


def _frames(pdf: bytes, folder: Path, name: str) -> list[tuple[int, int, bytes]]:
    """Each page as (width, height, grey pixels); PNG copies go to the artifacts."""
    (folder / "deck.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-gray", "-r", "40", "deck.pdf", "f"], cwd=folder,
                   check=True, timeout=300)
    out = []
    for page in sorted(folder.glob("f-*.pgm")):
        data = page.read_bytes()
        magic, width, height, _maxval, pixels = data.split(maxsplit=4)
        assert magic == b"P5"
        out.append((int(width), int(height), pixels[:int(width) * int(height)]))
    target = ARTIFACTS / f"{name}-frames"
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "deck.pdf", str(target / "frame")],
                   cwd=folder, check=True, timeout=300)
    return out


def _ink_at_edges(width: int, height: int, pixels: bytes) -> list[str]:
    """The outer bands (bottom, left, right) of a frame where there is ink."""
    band_x, band_y = max(1, int(width * EDGE)), max(1, int(height * EDGE))

    def dark(rows: range, cols: range) -> bool:
        return any(pixels[y * width + x] < 200 for y in rows for x in cols)

    found = []
    if dark(range(height - band_y, height), range(width)):
        found.append("bottom")
    if dark(range(height), range(band_x)):
        found.append("left")
    if dark(range(height), range(width - band_x, width)):
        found.append("right")
    return found


@pytest.mark.parametrize("name", DECKS)
def test_the_deck_compiles_and_no_frame_overflows(name: str, tmp_path: Path) -> None:
    _needs("pdflatex", "pdftoppm")
    source = deck_for(SPECS / f"{name}.yaml")
    result = compile_tex(source, runs=1)
    assert result.log.overfull == []
    frames = _frames(result.pdf, tmp_path, name)
    assert len(frames) == source.count("\\begin{frame}")
    for number, (width, height, pixels) in enumerate(frames, start=1):
        assert width > height  # 16:9
        assert _ink_at_edges(width, height, pixels) == [], f"frame {number}"


def test_the_edge_check_sees_a_frame_that_runs_over(tmp_path: Path) -> None:
    _needs("pdflatex", "pdftoppm")
    source = deck_for(SPECS / "seed-004-perceptron.yaml")
    rows = " \\\\\n".join(f"x_{{{k}}} &= {k}" for k in range(40))
    over = source.replace("\\end{document}", "\\begin{frame}{Too long}\n\\[\\begin{aligned}"
                          f"{rows}\\end{{aligned}}\\]\n\\end{{frame}}\n\\end{{document}}")
    frames = _frames(compile_tex(over, runs=1).pdf, tmp_path, "overflow-probe")
    assert "bottom" in _ink_at_edges(*frames[-1])


def test_spec_text_is_escaped_in_the_deck(tmp_path: Path) -> None:
    _needs("pdflatex")
    text = (SPECS / "seed-004-perceptron.yaml").read_text(encoding="utf-8")
    spec = tmp_path / "hostile.yaml"
    line = "title: " + yaml.safe_dump(HOSTILE_TITLE).strip()
    spec.write_text(re.sub(r"(?m)^title: .*$", lambda _: line, text, count=1),
                    encoding="utf-8")
    assert load_spec(spec).title == HOSTILE_TITLE
    source = deck_for(spec)
    assert "\\input{/etc/passwd}" not in source
    result = compile_tex(source, runs=1)
    assert result.log.ok
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        (tmp_path / "d.pdf").write_bytes(result.pdf)
        shown = subprocess.run([pdftotext, "-f", "1", "-l", "1", "d.pdf", "-"], cwd=tmp_path,
                               capture_output=True, text=True, check=True).stdout
        assert "50% of \\input{/etc/passwd}" in shown
