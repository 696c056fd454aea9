"""Vetted math: the only TeX a spec may supply (names, notation templates, edge labels).

The tool typesets what a spec writes, so a spec could otherwise make pdflatex read files
(``\\input{/etc/hostname}``), write files, loop forever or break the surrounding document.
A spec's TeX is therefore limited to the math that names need:

* ASCII letters and digits, spaces and ``' , . ; : ! ? ( ) [ ] + - * / | = < >``;
* sub- and superscripts (``_`` and ``^``, each at most once per base, with an argument);
* balanced braces;
* Greek letters (``\\alpha`` … ``\\Omega``) and a few symbols (``\\ell``, ``\\partial``,
  ``\\nabla``, ``\\prime``, ``\\cdot``, ``\\ast``, ``\\star``, ``\\circ``, ``\\dagger``,
  ``\\infty``);
* accents and fonts with one argument: ``\\hat``, ``\\bar``, ``\\tilde``, ``\\vec``,
  ``\\dot``, ``\\ddot``, ``\\check``, ``\\breve``, ``\\acute``, ``\\grave``, ``\\widehat``,
  ``\\widetilde``, ``\\overline``, ``\\underline``, ``\\mathrm``, ``\\mathbf``, ``\\mathit``,
  ``\\mathsf``, ``\\mathtt``, ``\\mathcal``, ``\\mathbb``, ``\\mathfrak``, ``\\boldsymbol``;
* words in ``\\operatorname{…}`` and ``\\text{…}`` (letters, digits, spaces, ``- , . '``);
* the spacing commands ``\\,`` ``\\;`` ``\\:`` ``\\!`` ``\\ `` and the literal ``\\{`` ``\\}``
  ``\\_`` ``\\|``.

Everything else (any other command, ``%``, ``#``, ``&``, ``$``, ``~``, ``^^``, control
characters, non-ASCII characters) is refused with the reason, before any work starts.

>>> vet_math(r"\\hat{y}_{k}^{[2]}")
>>> vet_math(r"x_{\\input{/etc/hostname}}")
'the command `\\\\input` is not allowed in a name'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .digits import zero_digits
from .reader import Reader
from .source import Path_


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


GREEK = _words("""
    alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa varkappa
    lambda mu nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega
    Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
    """)
SYMBOLS = _words("ell partial nabla prime cdot ast star circ dagger infty imath jmath hbar")
MATH_ARGUMENT = _words("""
    hat bar tilde vec dot ddot check breve acute grave widehat widetilde overline underline
    mathrm mathbf mathit mathsf mathtt mathcal mathbb mathfrak boldsymbol
    """)
WORD_ARGUMENT = frozenset({"operatorname", "text"})
CONTROL_SYMBOLS = frozenset(",;:! {}_|")
PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                  " ',.;:!?()[]+-*/|=<>")
WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -,.'")
MAX_LENGTH = 200

ALLOWED_COMMANDS = GREEK | SYMBOLS | MATH_ARGUMENT | WORD_ARGUMENT


class TexRefused(ValueError):
    """TeX that is not vetted math; the message says why."""


@dataclass(frozen=True)
class _Token:
    kind: str  # char | command | symbol | open | close | sup | sub | prime
    text: str


def _tokens(tex: str) -> Iterator[_Token]:
    k = 0
    while k < len(tex):
        ch = tex[k]
        if ch == "\\":
            m = re.match(r"[A-Za-z]+", tex[k + 1:])
            if m:
                name = m.group(0)
                if name not in ALLOWED_COMMANDS:
                    raise TexRefused(f"the command `\\{name}` is not allowed in a name")
                yield _Token("command", name)
                k += 1 + len(name)
                continue
            if k + 1 >= len(tex):
                raise TexRefused("a name cannot end with `\\`")
            nxt = tex[k + 1]
            if nxt not in CONTROL_SYMBOLS:
                raise TexRefused(f"`\\{nxt}` is not allowed in a name")
            yield _Token("symbol", nxt)
            k += 2
            continue
        if ch == "{":
            yield _Token("open", ch)
        elif ch == "}":
            yield _Token("close", ch)
        elif ch == "^":
            if tex[k + 1:k + 2] == "^":
                raise TexRefused("`^^` is not allowed in a name")
            yield _Token("sup", ch)
        elif ch == "_":
            yield _Token("sub", ch)
        elif ch == "'":
            yield _Token("prime", ch)
        elif ch in PLAIN:
            yield _Token("char", ch)
        else:
            raise TexRefused(_bad_character(ch))
        k += 1


def _bad_character(ch: str) -> str:
    if ch in "%#&$~":
        return f"`{ch}` is not allowed in a name"
    if not ch.isprintable() or ch.isspace():
        return f"the character U+{ord(ch):04X} is not allowed in a name"
    if ord(ch) > 127:
        return (f"`{ch}` is not plain ASCII; write Greek letters as `\\alpha`, … and other "
                "letters in ASCII")
    return f"`{ch}` is not allowed in a name"


class _Parser:
    """Checks grouping, arguments and the once-per-base rule for sub- and superscripts."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def skip_spaces(self) -> None:
        """Math mode ignores spaces, so ``x^a ^b`` is still a double superscript."""
        while (tok := self.peek()) is not None and tok.kind == "char" and tok.text == " ":
            self.pos += 1

    def take(self) -> _Token:
        self.skip_spaces()
        tok = self.peek()
        if tok is None:
            raise TexRefused("a name ends where an argument is missing")
        self.pos += 1
        return tok

    def group_body(self, *, words: bool) -> None:
        """Items up to the matching ``}`` (already past the ``{``)."""
        while True:
            tok = self.peek()
            if tok is None:
                raise TexRefused("a `{` is never closed")
            if tok.kind == "close":
                self.pos += 1
                return
            if words:
                self.pos += 1
                if tok.kind != "char" or tok.text not in WORD_CHARS:
                    raise TexRefused("only letters, digits, spaces and - , . ' may appear "
                                     "in \\text{…} and \\operatorname{…}")
            else:
                self.sequence_item()

    def argument(self, *, words: bool = False) -> None:
        tok = self.take()  # spaces before an argument do not count
        if tok.kind == "open":
            self.group_body(words=words)
        elif words:
            raise TexRefused("\\text and \\operatorname need their words in braces")
        elif tok.kind == "char" or (tok.kind == "command" and tok.text in GREEK | SYMBOLS):
            return
        else:
            raise TexRefused("a sub- or superscript or an accent needs an argument: "
                             "a letter, a digit or a group in braces")

    def atom(self) -> None:
        tok = self.take()
        if tok.kind == "open":
            self.group_body(words=False)
        elif tok.kind == "close":
            raise TexRefused("a `}` has no matching `{`")
        elif tok.kind == "command" and tok.text in MATH_ARGUMENT:
            self.argument()
        elif tok.kind == "command" and tok.text in WORD_ARGUMENT:
            self.argument(words=True)

    def sequence_item(self) -> None:
        """One base with its scripts: at most one ``^`` (primes count) and one ``_``."""
        self.skip_spaces()
        tok = self.peek()
        if tok is None or tok.kind == "close":
            return
        if tok.kind not in ("sup", "sub", "prime"):
            self.atom()
        sup = sub = False
        while True:
            self.skip_spaces()
            tok = self.peek()
            if tok is None or tok.kind not in ("sup", "sub", "prime"):
                return
            self.pos += 1
            if tok.kind == "prime":
                if sup:
                    raise TexRefused("a prime after a superscript is a double superscript")
            elif tok.kind == "sup":
                if sup:
                    raise TexRefused("double superscript: put both in one group, x^{ab}")
                sup = True
                self.argument()
            else:
                if sub:
                    raise TexRefused("double subscript: put both in one group, x_{ab}")
                sub = True
                self.argument()

    def whole(self) -> None:
        while self.peek() is not None:
            tok = self.peek()
            assert tok is not None
            if tok.kind == "close":
                raise TexRefused("a `}` has no matching `{`")
            self.sequence_item()


def vet_math(tex: str) -> str | None:
    """``None`` when ``tex`` is vetted math, otherwise the reason it is refused."""
    if len(tex) > MAX_LENGTH:
        return f"a name's LaTeX is limited to {MAX_LENGTH} characters"
    try:
        _Parser(list(_tokens(tex))).whole()
    except TexRefused as exc:
        return str(exc)
    return None


def check_math(tex: str) -> str:
    """``tex`` itself when it is vetted math; :class:`TexRefused` otherwise."""
    problem = vet_math(tex)
    if problem is not None:
        raise TexRefused(problem)
    return tex


def read_math(r: Reader, path: Path_) -> str:
    """The text at ``path`` when it is vetted math, else a located error naming the field."""
    tex = r.string(path)
    problem = vet_math(tex)
    if problem is not None:
        raise r.fail(path, f"`{_shown(tex)}` is not allowed as LaTeX: {problem}",
                     hint="vetted math only: letters, digits, _ ^ { } ', \\alpha …, "
                          "\\hat, \\mathrm, … (docs/spec.md)")
    return tex


def _shown(tex: str, limit: int = 60) -> str:
    """``tex`` for an error message: one line, not too long."""
    flat = "".join(ch if ch.isprintable() else "?" for ch in tex)
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def check_spec_math(r: Reader, latex_of: dict[str, str]) -> None:
    """Every LaTeX string the spec produced (``quantity → LaTeX``, after the notation's
    templates were filled with names) must be vetted math; the error names where the
    offending name was written."""
    # Every rule of vetted math treats all ASCII digits alike (plain characters, in no
    # command name, counted alike by the length limit), so once a name passes, every name
    # that differs from it only in its digits passes: w^{[1]}_{3,25} vouches for the other
    # 23,519 weights of its layer.
    passed: set[str] = set()
    for (what, tex), pattern in zip(latex_of.items(), _patterns(list(latex_of.values())),
                                    strict=True):
        if pattern in passed:
            continue
        problem = vet_math(tex)
        if problem is None:
            passed.add(pattern)
            continue
        name = what.rpartition(" ")[2]
        path = _path_of(r.src.data, name) or ()
        raise r.fail(path, f"the LaTeX `{_shown(tex)}` made for {what} is not allowed: "
                     f"{problem}", hint="use an ASCII name or give the LaTeX with `latex:`")


def _patterns(texts: list[str]) -> list[str]:
    """:func:`zero_digits` of each text, in one pass where no text holds a line break."""
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:
        return [zero_digits(t) for t in texts]
    return zero_digits(joined).split("\n") if texts else []


def _path_of(data: object, value: str, path: Path_ = ()) -> Path_ | None:
    """The first place in the spec's data where ``value`` is written (key or value)."""
    if isinstance(data, dict):
        for key, item in data.items():
            if key == value:
                return (*path, key)
            found = _path_of(item, value, (*path, key))
            if found is not None:
                return found
    elif isinstance(data, list):
        for k, item in enumerate(data):
            found = _path_of(item, value, (*path, k))
            if found is not None:
                return found
    elif data == value:
        return path
    return None


MAX_FREE_TEXT = 20_000


def read_free_text(r: Reader, path: Path_, default: str = "") -> str:
    """A title, description or source: any Unicode text (line breaks and tabs included),
    but no other control characters (a terminal would obey them) and no lone surrogates
    (no file can hold them); every emitter escapes it for its own format."""
    try:
        value = r.get(path)
    except (KeyError, IndexError, TypeError):
        return default
    if value is None:
        return default
    text = r.string(path)
    if len(text) > MAX_FREE_TEXT:
        raise r.fail(path, f"the text is longer than {MAX_FREE_TEXT} characters")
    for ch in text:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            raise r.fail(path, f"the text holds U+{code:04X}, which is not a character",
                         hint="save the file as UTF-8")
        if (code < 0x20 and ch not in "\t\n\r") or 0x7F <= code < 0xA0:
            raise r.fail(path, f"the text holds the control character U+{code:04X}",
                         hint="remove it")
    return text
