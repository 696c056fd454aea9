#!/usr/bin/env bash
# Render one page of the seed-004 lecture notes as a PNG: spec → notes → PDF → pdftoppm.
#   scripts/render_notes_page.sh [SPEC] [PAGE] [OUT.png]
# Needs pdflatex and pdftoppm (Debian: texlive-latex-extra texlive-pictures poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
spec="${1:-specs/seed-004-mazur-2-2-2.yaml}"
page="${2:-1}"
out="${3:-docs/img/seed-004-notes.png}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python -m symbackprop notes "$spec" -o "$work/notes.tex" --pdf
pdftoppm -png -r 110 -f "$page" -l "$page" -singlefile "$work/notes.pdf" "$work/page"
mkdir -p "$(dirname "$out")"
cp "$work/page.png" "$out"
echo "wrote $out"
