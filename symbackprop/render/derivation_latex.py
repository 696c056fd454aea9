"""``derive --format latex``: the derivations as a LaTeX document, a heading and one aligned
block per section (forward pass and loss, local gradients, matrix form, gradients): one-line
results follow each other row by row, not each in a display of its own."""

from __future__ import annotations

from ..network.kinds.rules import kind_rules
from .derivation_document import DerivationDocument
from .escape import latex_comment
from .latex import PREAMBLE, align_block, escape_text
from .latex_blocks import equations_block, param_block


def document_latex(doc: DerivationDocument) -> str:
    """LaTeX (amsmath) for a document: a heading and one ``align*`` block aligned on ``=`` per
    section (the forward pass and loss, the local gradients, the gradients), long rows broken
    to fit a 16 cm text width."""
    net = doc.network
    parts = [f"% {latex_comment(doc.network.spec.title)}: derivations ({doc.form} form)",
             r"\section*{Forward pass and loss}", equations_block(net, doc.definitions)]
    if doc.deltas:
        parts += [r"\section*{Local gradients}", "% local gradients, from the output back",
                  equations_block(net, doc.deltas)]
        parts += [f"\\[\n{rule.latex}\n\\]" for rule in kind_rules(net.spec)]
    if doc.matrix is not None:
        heading = doc.matrix.heading
        parts += [rf"\subsection*{{{heading}}}", f"% {heading.lower()}", doc.matrix.latex()]
    if doc.params:
        rows = [row for pd in doc.params for row in _block_rows(param_block(doc, pd))]
        parts += [r"\section*{Gradients}", align_block(rows)]
    if doc.cost is not None:
        parts.append(f"\\[\n{doc.cost.latex}\n\\]")
    for n in doc.notes:
        parts.append(f"% note: {latex_comment(n)}")
    return "\n\n".join(parts) + "\n"


def _block_rows(block: str) -> list[str]:
    """The rows of one ``align*`` block as :func:`param_block` writes it."""
    body = block.split("\n", 1)[1].rsplit("\n", 1)[0]
    return body.split(" \\\\\n")


def standalone_document(doc: DerivationDocument) -> str:
    """The LaTeX of ``doc`` as a complete document (the notes' preamble), titled by the
    spec, that compiles on its own: ``derive --format latex --standalone``."""
    title = escape_text(doc.network.spec.title)
    return (f"{PREAMBLE}\\begin{{document}}\n"
            f"\\begin{{center}}\\Large\\bfseries {title}\\end{{center}}\n\n"
            f"{document_latex(doc)}\n\\end{{document}}\n")
