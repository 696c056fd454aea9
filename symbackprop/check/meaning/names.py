"""Resolve the names written in a formula to the network's quantities.

``out_h1``, ``out_{h1}``, ``\\mathrm{out}_{h_{1}}`` and ``outh1`` all reach the same symbol; a
unit's name (``h1``) stands for its activation; ``target_{02}`` is read as ``target_{o2}``;
names written together (``xw_1``) are split into a product when that reading is unique.
Beyond the network's own symbols a formula may name each output's loss term (E_{o1}), the
cost J, the number of examples m and the learning rate
(:mod:`symbackprop.check.meaning.quantities`), and use generic names: ``E``, ``L`` or ``C``
for the loss when the spec names it otherwise, ``out`` for the only unit, ``w``, ``b`` or ``θ``
for the parameter being checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from itertools import product
from typing import TYPE_CHECKING

import sympy as sp

from ...errors import FormulaError
from ...network.functions import Unspecified, unspecified
from ...spec.naming import plain_name
from ..reading.scripts import (
    INDEX_LETTERS,
    LAST_LAYER,
    example_mark,
    function_subscript,
    index_letters,
    substitute,
    update_mark,
)
from ..reading.tokens import formula_error
from ..reading.vocabulary import FUNCTION_WORDS, HATTED
from .batch_constants import batch_constants
from .unknown_names import ambiguous_hint, family_of, unknown_hint

MAX_TEXT_MEMO = 20_000

if TYPE_CHECKING:
    from .quantities import Quantities

MAX_SPLIT_CHARS = 40
MAX_PATTERN_TRIES = 4_000
GENERIC_LOSS = ("E", "L", "C", "J", "E_{total}", r"\mathcal{L}", r"\ell")
OUTPUT_WORDS = ("output", "prediction", r"\hat{y}")
"""Words for the network's output(s), as in ½ Σ (target − output)²."""
TARGET_WORDS = ("target",)
GENERIC_PARAMS = {"w": "weight", "W": "weight", "b": "bias", r"\theta": "param",
                  "theta": "param", r"\vartheta": "param"}

MAX_SUM_TERMS = 2_000


class MissingInstance(Exception):
    """A name does not exist for these index values (the instance is skipped); ``causes``:
    the terms' own, for a sum none of whose terms exist."""

    def __init__(self, name: str = "", causes: tuple[MissingInstance, ...] = ()) -> None:
        super().__init__(name)
        self.causes = causes


Lookup = tuple[sp.Symbol, str | None]
"""A quantity and, when the name was read generously, a note saying how."""


def squash(text: str) -> str:
    return plain_name(text).replace("_", "")


def _zero_to_o(raw: str) -> str:
    """``target_{02}`` → ``target_{o2}``: the digit 0 typed for the letter o in a subscript."""
    head, sep, tail = raw.partition("_")
    return head + sep + tail.replace("0", "o") if sep else raw


def _balanced(text: str) -> bool:
    """Whether ``text`` can be a whole name: braces balanced, no dangling ``_`` or ``\\``."""
    depth = 0
    for ch in text:
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return False
    return depth == 0 and not text.endswith("_") and not text.endswith("\\")


def _head(template: str) -> str:
    """The letters before the first script of a notation template (``out`` of out_{{unit}})."""
    m = re.match(r"(\\hat\{[A-Za-z]\}|\\[A-Za-z]+|[A-Za-z]+)", template)
    return m.group(1) if m else ""


@dataclass
class NameTable:
    """Every way a formula may name a quantity of the network."""

    quantities: Quantities
    exact: dict[str, sp.Symbol]
    squashed: dict[str, sp.Symbol | None]  # None marks a key two quantities share
    units: dict[str, sp.Symbol]
    functions: dict[str, type[Unspecified]]
    known: list[str]
    heads: dict[str, list[sp.Symbol]]
    index_values: tuple[int, ...]
    last_layer: int
    constants: dict[str, sp.Expr] = field(default_factory=dict)  # m and ε of a batch norm
    _pattern_memo: dict[str, bool] = field(default_factory=dict)
    _text_memo: dict[sp.Symbol, str] = field(default_factory=dict)

    @classmethod
    def of(cls, quantities: Quantities) -> NameTable:
        net = quantities.net
        exact: dict[str, sp.Symbol] = {}
        squashed: dict[str, sp.Symbol | None] = {}
        for sym, latex in quantities.latex.items():
            if quantities.kinds[sym] in ("cost", "count", "rate") and \
                    plain_name(latex) != sym.name:
                exact.setdefault(latex, sym)
                continue  # a fallback symbol: only its own LaTeX reaches it
            for key in (sym.name, plain_name(latex), latex):
                exact.setdefault(key, sym)
            for key in {squash(sym.name), squash(latex)}:
                squashed[key] = sym if squashed.get(key, sym) == sym else None
        for word in quantities.rate_names:
            exact.setdefault(word, quantities.rate)
            exact.setdefault(plain_name(word), quantities.rate)
        units = {squash(u.name): u.out for u in net.units}
        functions = {u.activation.fname or "f": unspecified(u.activation.fname or "f")
                     for u in net.units if u.activation.kind == "unspecified"}
        known = sorted({s.name for s in quantities.latex} | {u.name for u in net.units})
        notation = net.spec.notation
        heads: dict[str, list[sp.Symbol]] = {}
        roles = [(notation.net, [u.net for u in net.units]),
                 (notation.activation, [u.out for u in net.units]),
                 (notation.target, [u.target for u in net.outputs if u.target is not None]),
                 (notation.delta, [u.delta for u in net.units]),
                 (notation.loss_term, list(quantities.loss_terms))]
        outputs = [u.out for u in net.outputs]
        roles += [(word, outputs) for word in OUTPUT_WORDS]
        roles += [(word, roles[2][1]) for word in TARGET_WORDS]
        for template, syms in roles:
            head = _head(template)
            if head and head not in exact and syms:
                heads.setdefault(head, []).extend(s for s in syms if s not in heads.get(head, []))
        numbers = {int(n) for tex in quantities.latex.values() for n in re.findall(r"\d+", tex)}
        numbers |= {int(c) for tex in quantities.latex.values() for c in re.findall(r"\d", tex)}
        numbers |= {lay.number for lay in net.spec.layers} | {0}
        top = min(max(numbers) + 1, 1000)
        last = max((lay.number for lay in net.spec.layers), default=0)
        constants = {word: value for word, value in batch_constants(net.spec).items()
                     if word not in exact or quantities.kinds.get(exact[word]) in
                     ("count", "rate")}
        return cls(quantities, exact, squashed, units, functions, known, heads,
                   tuple(range(top + 1)), last, constants)

    # -- the network's names -----------------------------------------------------------
    def lookup(self, raw: str) -> Lookup | None:
        """The quantity ``raw`` names, and a note when it was read generously."""
        if raw in self.exact:
            return self.exact[raw], None
        key = plain_name(raw)
        if key in self.exact:
            return self.exact[key], None
        sq = squash(raw)
        found = self.squashed.get(sq)
        if found is not None:
            return found, None
        # a unit's name for its activation (h1, h_{1}); u^{2} is a power, not unit u2
        if sq in self.units and sq not in self.squashed and "^" not in raw:
            out = self.units[sq]
            return out, f"read `{raw}` as the activation {self.text_of(out)}"
        fixed = _zero_to_o(raw)
        if fixed != raw:
            again = self.lookup(fixed)
            if again is not None:
                return again[0], f"read `{raw}` as `{fixed}` (the digit 0 for the letter o)"
        return None

    def text_of(self, sym: sp.Symbol) -> str:
        """The name as the spec writes it, readable as text: the plain name where it says
        the same (``w7``, ``out_h1``), the notation where it does not (``y′``, ``δ_o1``,
        ``w^[2]_1,1``)."""
        found = self._text_memo.get(sym)
        if found is None:
            found = display_name(sym, self.quantities.latex_of(sym))
            if len(self._text_memo) < MAX_TEXT_MEMO:
                self._text_memo[sym] = found
        return found

    def generic(self, raw: str) -> Lookup | None:
        """A generic name: E or L for the loss, ``out`` for the only unit."""
        loss = self.quantities.loss
        if raw in GENERIC_LOSS or plain_name(raw) in ("E", "L", "C", "E_total"):
            if raw == "J" or plain_name(raw) == "J":
                return None
            return loss, f"read `{raw}` as the loss {self.text_of(loss)}"
        head = raw if raw in self.heads else plain_name(raw)
        syms = self.heads.get(head) or self.heads.get("\\" + head)
        if syms and len(syms) == 1:
            return syms[0], f"read `{raw}` as {self.text_of(syms[0])}, the only one"
        return None

    def ambiguous(self, raw: str) -> list[sp.Symbol]:
        """The quantities a template head names when there are several (``out``)."""
        return self.heads.get(raw) or self.heads.get(plain_name(raw)) or []

    def param_role(self, raw: str) -> str | None:
        """``weight``, ``bias`` or ``param`` for a generic parameter name (w, b, θ)."""
        if self.lookup(raw) is not None:
            return None
        return GENERIC_PARAMS.get(raw) or GENERIC_PARAMS.get(plain_name(raw))

    def is_function(self, raw: str) -> bool:
        """Whether ``raw(…)`` is a call: a function of the formulas, the network written as a
        function (``f_{\\textbf{W},\\textbf{B}}``), its loss ``L(a, y)`` or its cost
        ``J(\\textbf{W}, \\textbf{B})``."""
        sub = self.network_function(raw)
        if raw in FUNCTION_WORDS or raw in self.functions or sub or (
                sub == "" and self.quantities.function_taken is None):
            return True
        found = self.lookup(raw)  # J(W, B) and L(a, y); J(1 − y) stays a product
        return found is not None and found[0] in (self.quantities.cost, self.quantities.loss)

    def network_function(self, raw: str) -> str | None:
        """The subscript of ``raw`` (``""`` if none) when it names the network as a function
        of its input (``notation.function``: f, f_{\\textbf{W},\\textbf{B}}); None otherwise."""
        return function_subscript(raw, self.quantities.function)

    # -- what the tokenizer and parser may ask -----------------------------------------
    def knows(self, raw: str) -> bool:
        """Whether ``raw`` can name something (in some context: an index, an update, ...)."""
        if self.lookup(raw) is not None or self.generic(raw) is not None or \
                self.param_role(raw) is not None or self.ambiguous(raw) or \
                self.network_function(raw):
            return True
        base, mark = update_mark(raw)
        if mark is not None and base != raw and self.knows(base):
            return True
        example = example_mark(raw)
        if example is not None and self.knows(example[0]):
            return True
        # w^[2]_9,1 is one name shaped like the weights w^[l]_j,k, unknown as it is, not
        # w^[2]_9 followed by an argument
        return self.pattern_exists(raw) or ("," in raw and self.is_family(raw))

    @cached_property
    def _families(self) -> frozenset[str]:
        return frozenset(family_of(key)[0] for key in self.exact if re.search(r"\d", key))

    def is_family(self, raw: str) -> bool:
        """Whether ``raw`` has the shape of an indexed name of the network (``w^[2]_9,1``
        beside ``w^[2]_1,1``), whether or not its indices exist."""
        return family_of(raw)[0] in self._families

    def pattern_exists(self, raw: str) -> bool:
        """Whether some values of the free indices in ``raw`` give a network name."""
        if raw in self._pattern_memo:
            return self._pattern_memo[raw]
        letters = index_letters(raw)
        found = False
        if letters:
            found = any(self.instance(raw, values) is not None
                        for values in self.assignments(letters))
        self._pattern_memo[raw] = found
        return found

    def assignments(self, letters: list[str]) -> list[dict[str, int]]:
        """Value assignments for index letters (L is the output layer), bounded in number."""
        free = [c for c in letters if c != LAST_LAYER]
        out: list[dict[str, int]] = []
        for combo in product(self.index_values, repeat=len(free)):
            values = dict(zip(free, combo, strict=True))
            if LAST_LAYER in letters:
                values[LAST_LAYER] = self.last_layer
            out.append(values)
            if len(out) >= MAX_PATTERN_TRIES:
                break
        return out

    def instance(self, raw: str, values: dict[str, int]) -> Lookup | None:
        """The quantity ``raw`` names with its index letters given ``values``."""
        filled = substitute(raw, values)
        if filled is None or filled == raw:
            return None
        return self.lookup(filled)

    # -- messages and generous readings --------------------------------------------------
    def unknown(self, raw: str, pos: int | None) -> FormulaError:
        """The error for a name that names nothing, with the index out of range or the
        closest names, as the spec writes them, as a hint."""
        many = self.ambiguous(raw)
        if len(many) > 1:
            return formula_error(f"`{raw}` is ambiguous", pos, hint=ambiguous_hint(self, many))
        hint = unknown_hint(self, raw)
        letters = [c for c in index_letters(raw) if c in INDEX_LETTERS]
        if letters:
            hint = (f"no value of {', '.join(letters)} gives a name of the network"
                    + (f"; {hint}" if hint else ""))
        return formula_error(f"unknown name `{raw}`", pos, hint=hint)

    def split(self, raw: str) -> list[Lookup] | None:
        """Implicit products of names written together (``xw_1`` → x · w_1), if unique."""
        if len(raw) > MAX_SPLIT_CHARS or raw.startswith("{"):
            return None
        cuts = [k for k in range(1, len(raw)) if raw[k].isalpha() and raw[k - 1] != "\\"
                and _balanced(raw[:k])]
        memo: dict[int, list[Lookup] | None] = {}

        def from_(start: int) -> list[Lookup] | None:
            """The shortest reading of ``raw[start:]`` as names, or None."""
            if start in memo:
                return memo[start]
            result = None
            for end in [*(c for c in cuts if c > start), len(raw)]:
                part = self.lookup(raw[start:end]) if _balanced(raw[start:end]) else None
                if part is None:
                    continue
                rest = [] if end == len(raw) else from_(end)
                if rest is not None and (result is None or len(rest) + 1 < len(result)):
                    result = [part, *rest]
            memo[start] = result
            return result

        best = from_(0)
        return best if best is not None and len(best) > 1 else None


_GREEK_TEXT = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε",
               "varepsilon": "ε", "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ",
               "sigma": "σ", "tau": "τ", "phi": "φ", "psi": "ψ", "omega": "ω", "Delta": "Δ",
               "ell": "ℓ"}


def display_name(sym: sp.Symbol, latex: str) -> str:
    """``sym`` for a report: its plain name where that says the same as the notation
    (``w7``, ``out_h1``), the notation as text where it does not (``y′``, ``δ_o1``)."""
    bare = re.sub(r"\\(mathrm|text|operatorname)\s*\{([^{}]*)\}", r"\2", latex)
    if any(c in bare for c in "^'\\") or isinstance(sym, sp.Dummy):
        return readable(latex)
    return sym.name


def _group(text: str, start: int) -> int | None:
    """The index after the brace group opening at ``start`` (None if it does not close)."""
    depth = 0
    for k in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[k], 0)
        if depth == 0:
            return k + 1
    return None


def _partial_fractions(latex: str) -> str:
    """``\\frac{\\partial C}{\\partial s}`` (a symbol for a derivative, like the slope of
    an unspecified cost) as ``∂C/∂s``; other text unchanged."""
    out, k = [], 0
    while (found := latex.find("\\frac", k)) >= 0:
        top = latex.find("{", found)
        end_top = _group(latex, top) if top >= 0 else None
        end_bottom = _group(latex, end_top) if end_top is not None and \
            latex[end_top:end_top + 1] == "{" else None
        if end_top is None or end_bottom is None:
            break
        a, b = latex[top + 1:end_top - 1].strip(), latex[end_top + 1:end_bottom - 1].strip()
        if a.startswith("\\partial") and b.startswith("\\partial"):
            a, b = a[len("\\partial"):].strip(), b[len("\\partial"):].strip()
            out.append(latex[k:found] + f"∂{a}/∂{b}")
        else:
            out.append(latex[k:end_bottom])
        k = end_bottom
    return "".join(out) + latex[k:]


_HATS = {letter: hatted for hatted, letter in HATTED.items()}


def readable(latex: str) -> str:
    """A LaTeX name as plain text in the spec's notation: ``y'`` → ``y′``,
    ``\\mathrm{out}_{h1}`` → ``out_h1``, ``\\delta_{o1}`` → ``δ_o1``; a superscript of
    several characters keeps its braces, so that it reads back as one (``b^{12}_1``, not the
    power ``b^1`` before ``2_1``), and so do a layer in brackets and indices with a comma, as
    the spec writes them (``w^{[1]}_{1,1}``, not ``w^[1]_1,1``)."""
    latex = _partial_fractions(latex)
    text = re.sub(r"\\(mathrm|text|operatorname|mathit|mathbf|mathsf|bm)\s*\{([^{}]*)\}",
                  r"\2", latex)
    text = re.sub(r"\\hat\s*\{?\s*([A-Za-z])\s*\}?",  # \hat{y} → ŷ, as check reads it back
                  lambda m: _HATS.get(m.group(1), m.group(0)), text)
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _GREEK_TEXT.get(m.group(1), m.group(1)), text)
    text = re.sub(r"\^\s*\{\s*([A-Za-z0-9]{2,})\s*\}", "^\x00\\1\x01", text)
    text = re.sub(r"\^\s*\{\s*\(\s*(\d+)\s*\)\s*\}", "^\x00(\\1)\x01", text)  # a step, h^{(2)}
    text = re.sub(r"([\^_])\s*\{\s*([^{}]*[\[,][^{}]*?)\s*\}",
                  lambda m: f"{m.group(1)}\x00{m.group(2).replace(' ', '')}\x01", text)
    text = text.replace("'", "′").replace("{", "").replace("}", "").replace(" ", "")
    return text.replace("\x00", "{").replace("\x01", "}")
