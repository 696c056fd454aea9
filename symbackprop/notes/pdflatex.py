"""Run pdflatex safely: in a temporary folder, without shell escape, with paranoid file
access (``openin_any=p``, ``openout_any=p``: no reading or writing of files by absolute path,
in parent folders or starting with a dot) and with a time limit.

The log is parsed for errors (lines starting with ``!``) and ``Overfull \\hbox`` warnings;
the PDF is copied to its destination whole or not at all. A run stopped by a signal leaves
neither pdflatex nor its folder behind.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SymbackpropError, ToolMissingError
from ..files import ending_on_signals, write_output_file

TIMEOUT_SECONDS = 120
PDFLATEX_FLAGS = ("-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape")
# kpathsea reads these from the environment before texmf.cnf
PARANOID_ENVIRONMENT = {"openin_any": "p", "openout_any": "p", "shell_escape": "f"}


def pdflatex_environment() -> dict[str, str]:
    """The environment pdflatex runs in: the caller's, with paranoid file access."""
    return {**os.environ, **PARANOID_ENVIRONMENT}


@dataclass(frozen=True)
class TexLog:
    """What a LaTeX run reported."""

    errors: list[str] = field(default_factory=list)
    overfull: list[str] = field(default_factory=list)
    text: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class TexResult:
    pdf: bytes
    log: TexLog


def parse_log(text: str) -> TexLog:
    """Errors and overfull boxes in a pdflatex log.

    >>> parse_log("! Undefined control sequence.\\nOverfull \\\\hbox (3pt too wide)").errors
    ['! Undefined control sequence.']
    """
    errors = [ln for ln in text.splitlines() if ln.startswith("!")]
    overfull = re.findall(r"^Overfull \\[hv]box.*$", text, flags=re.M)
    return TexLog(errors, overfull, text)


def pdflatex_path() -> str:
    """The pdflatex executable, or ToolMissingError naming the packages that provide it."""
    found = shutil.which("pdflatex")
    if found is None:
        raise ToolMissingError(
            "pdflatex is not installed, so no PDF can be made",
            hint="install TeX Live (Debian: texlive-latex-base texlive-latex-recommended "
                 "texlive-latex-extra texlive-pictures lmodern) or drop --pdf and compile "
                 "the .tex")
    return found


def compile_tex(source: str, *, runs: int = 2, timeout: float = TIMEOUT_SECONDS) -> TexResult:
    """Compile ``source`` with pdflatex (``runs`` times, for references) in a temp folder.

    Ctrl-C, SIGTERM or SIGHUP while pdflatex runs kills it and removes the folder (which
    holds the whole document) before the process ends as the signal asks."""
    exe = pdflatex_path()
    with ending_on_signals(), tempfile.TemporaryDirectory(prefix="symbackprop-tex-") as tmp:
        folder = Path(tmp)
        (folder / "notes.tex").write_text(source, encoding="utf-8")
        log = TexLog()
        for _ in range(runs):
            try:
                subprocess.run([exe, *PDFLATEX_FLAGS, "notes.tex"], cwd=folder,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=timeout, check=False,
                               env=pdflatex_environment())
            except subprocess.TimeoutExpired:
                raise SymbackpropError(f"pdflatex took longer than {timeout:g} s") from None
            log_file = folder / "notes.log"
            log = parse_log(log_file.read_text(encoding="latin-1") if log_file.exists()
                            else "")
            if not log.ok:
                raise SymbackpropError("pdflatex failed: " + "; ".join(log.errors[:3]))
        pdf_file = folder / "notes.pdf"
        if not pdf_file.exists():
            raise SymbackpropError("pdflatex wrote no PDF")
        return TexResult(pdf_file.read_bytes(), log)


def write_pdf(source: str, destination: Path, *, inputs: Iterable[Path | str] = ()
              ) -> TexResult:
    """Compile ``source`` and write the PDF to ``destination`` whole or not at all (never
    over one of ``inputs``)."""
    result = compile_tex(source)
    write_output_file(destination, result.pdf, inputs=inputs)
    return result
