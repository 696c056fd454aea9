"""A real browser for the tests: Debian's headless Chromium, driven from its command line.

A page is measured by a copy of it with a measuring script added before ``</body>`` (and
the page's Content-Security-Policy, which forbids scripts, taken out of the copy only);
Chromium runs it as it loads the page and ``--dump-dom`` prints the DOM with the
measurements in it as JSON. Where Chromium is missing, the tests that need it skip, unless
CI is set: then they fail (``.ci/run`` installs it).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from paths import ROOT

ARTIFACTS = Path(os.environ.get("SYMBACKPROP_ARTIFACTS", ROOT / "build" / "test-artifacts"))
TIMEOUT = 120
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--no-first-run", "--disable-extensions", "--mute-audio")

MEASURE = r"""
<script>
(() => {
  const box = (e) => { const b = e.getBoundingClientRect();
    return {x: b.left, y: b.top, w: b.width, h: b.height, right: b.right}; };
  const doc = document.documentElement;
  const out = {
    viewport: doc.clientWidth, scrollWidth: doc.scrollWidth,
    merror: document.querySelectorAll("merror").length,
    maths: [...document.querySelectorAll("math")].map((m) => ({
      ...box(m), display: getComputedStyle(m).display,
      tex: (m.querySelector("annotation") || {}).textContent || ""})),
    scrollers: [...document.querySelectorAll(".display, .table")].map((d) => ({
      client: d.clientWidth, scroll: d.scrollWidth,
      tex: (d.querySelector("annotation") || {}).textContent || ""})),
    equals: [...document.querySelectorAll("mtable.align")].map((t) =>
      [...t.querySelectorAll(":scope > mtr > mtd:nth-child(2)")]
        .map((d) => d.firstElementChild)
        .filter((e) => e && e.tagName === "mo" && e.getAttribute("form") === "infix")
        .map((e) => e.getBoundingClientRect().left)),
    sides: [...document.querySelectorAll("mtable.align")].map((t) =>
      [...t.querySelectorAll(":scope > mtr > mtd:nth-child(1)")]
        .filter((d) => d.lastElementChild)
        .map((d) => d.lastElementChild.getBoundingClientRect().right)),
    links: [...document.querySelectorAll("a[href^='#']")].map((a) => ({
      href: a.getAttribute("href"),
      found: !!document.getElementById(a.getAttribute("href").slice(1))})),
    figures: [...document.querySelectorAll("svg.network")].map((svg) => ({
      svg: box(svg),
      texts: [...svg.querySelectorAll("text")].map((t) => ({...box(t), text: t.textContent})),
      shapes: [...svg.querySelectorAll("circle, rect:not(.halo)")].map(box)})),
  };
  const pre = document.createElement("pre");
  pre.id = "measured";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""
POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')


def chromium() -> str:
    """The Chromium executable; skips the test where there is none, fails it under CI."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
    pytest.skip("chromium is not installed (under CI this test fails instead)")


def _run(args: list[str], cwd: Path) -> str:
    done = subprocess.run([chromium(), *FLAGS, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL, check=False,
                          env={**os.environ, "HOME": str(cwd)})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dump_dom(page: str, folder: Path, *, width: int = 800, height: int = 1000) -> str:
    """The DOM of ``page`` after Chromium has loaded it at ``width`` × ``height``."""
    path = folder / "page.html"
    path.write_text(page, encoding="utf-8")
    return _run([f"--window-size={width},{height}", "--dump-dom", path.as_uri()], folder)


def measure(page: str, folder: Path, *, width: int = 800) -> dict[str, Any]:
    """What the measuring script found in ``page`` laid out ``width`` pixels wide."""
    assert POLICY.search(page), "the page has no Content-Security-Policy"
    probe = POLICY.sub("", page).replace("</body>", MEASURE + "</body>", 1)
    dom = dump_dom(probe, folder, width=width)
    m = re.search(r'<pre id="measured">(.*?)</pre>', dom, flags=re.S)
    assert m, "the measuring script did not run"
    return json.loads(html.unescape(m.group(1)))


def screenshot(page: str, folder: Path, target: Path, *, width: int = 800,
               height: int = 1400) -> Path:
    """A PNG of the top of ``page`` at ``width`` × ``height``, written to ``target``."""
    path = folder / "shot.html"
    path.write_text(page, encoding="utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    _run([f"--window-size={width},{height}", f"--screenshot={target}", path.as_uri()],
         folder)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return target


def print_pdf(page: str, folder: Path) -> bytes:
    """``page`` printed to PDF by Chromium, as a reader's browser prints it (A4 or Letter,
    the page's print stylesheet applied)."""
    path = folder / "print.html"
    path.write_text(page, encoding="utf-8")
    target = folder / "print.pdf"
    _run(["--no-pdf-header-footer", f"--print-to-pdf={target}", path.as_uri()], folder)
    return target.read_bytes()
