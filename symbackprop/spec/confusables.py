"""Names that deceive: confusable skeletons (Unicode TR39) and invisible characters.

Two names a reader cannot tell apart, Latin ``a`` and Cyrillic ``а``, or ``x1`` and ``xl``,
have one *skeleton*: each character replaced by its prototype from Unicode's
``confusables.txt`` (UTS #39, section 4), in NFD. The prototypes of the characters a name
can hold are kept in ``confusables.tsv`` beside this module (written by
``tools/make_confusables.py``). A character that shows nothing (U+3164 HANGUL FILLER, a
zero-width space, a format character) has no place in a name at all.

>>> skeleton("а") == skeleton("a"), skeleton("x1") == skeleton("xl")
(True, True)
>>> invisible_character("a\\u3164")
'U+3164 HANGUL FILLER'

A message about such a name shows it with what cannot be seen written out
(:func:`visible`), and says which characters are not the Latin ones they look like
(:func:`foreign_characters`).
"""

from __future__ import annotations

import functools
import unicodedata
from importlib import resources

# Default_Ignorable_Code_Point (Unicode's DerivedCoreProperties.txt): characters shown as
# nothing at all where a font has no glyph for them
_DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# blank characters that are not default-ignorable but print as nothing in most fonts
_BLANK = {0x2800}  # BRAILLE PATTERN BLANK


@functools.cache
def _prototypes() -> dict[int, str]:
    """Character → its prototype, for every character of the table."""
    table: dict[int, str] = {}
    text = resources.files(__package__).joinpath("confusables.tsv").read_text("utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            source, target = line.split("\t")
            table[int(source, 16)] = "".join(chr(int(c, 16)) for c in target.split())
    return table


@functools.cache
def _ascii_prototypes() -> dict[int, str]:
    return {c: p for c, p in _prototypes().items() if c < 128}


def skeleton(name: str) -> str:
    """The TR39 skeleton of ``name``: two names with one skeleton look alike.

    >>> skeleton("rn") == skeleton("m")
    True
    """
    if name.isascii():  # most names: a quick table of the few ASCII look-alikes (0 O, 1 l I)
        return name.translate(_ascii_prototypes())
    text = unicodedata.normalize("NFD", name).translate(_prototypes())
    return unicodedata.normalize("NFD", text)


def _shows_nothing(char: str) -> bool:
    code = ord(char)
    return code in _BLANK or unicodedata.category(char) == "Cf" or any(
        low <= code <= high for low, high in _DEFAULT_IGNORABLE)


def visible(text: str) -> str:
    """``text`` with every character that shows nothing written as its code point, so that
    a message names what is there (a right-to-left override would reorder the message).

    >>> visible("a\\u3164"), visible("x\\u202e1"), visible("w5")
    ('a\\\\u3164', 'x\\\\u202e1', 'w5')
    """
    if text.isascii() and text.isprintable():
        return text
    return "".join((f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}")
                   if _shows_nothing(c) or not c.isprintable() else c for c in text)


def foreign_characters(text: str, most: int = 3) -> str:
    """The characters of ``text`` beyond ASCII, by code point and name: what tells two names
    that look alike apart.

    >>> foreign_characters("\\u0430")
    'U+0430 CYRILLIC SMALL LETTER A'
    """
    chars = list(dict.fromkeys(c for c in text if not c.isascii()))
    return ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'an unnamed character')}"
                     for c in chars[:most])


def invisible_character(text: str) -> str | None:
    """The first character of ``text`` that shows nothing (``U+200B ZERO WIDTH SPACE``),
    or None."""
    if text.isascii():
        return None
    for char in text:
        if _shows_nothing(char):
            return f"U+{ord(char):04X} {unicodedata.name(char, 'an unnamed character')}"
    return None
