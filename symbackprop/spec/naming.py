"""The one place where quantities get their names.

Every quantity has two names: a *plain* name that is a Python identifier (used for SymPy
symbols, lambdify arguments, JSON keys and plain-text formulas) and a *LaTeX* name (used only
when printing). Names come from the spec's notation block, whose templates may use the
placeholders ``{unit}``, ``{layer}``, ``{index}``, ``{j}``, ``{k}`` and (in a recurrent
network) ``{step}``.

>>> expand("in_{{unit}}", unit="h1")
'in_{h1}'
>>> plain_name("w^{[2]}_{1,1}")
'w_2_1_1'
>>> auto_latex("w5")
'w_{5}'
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from .confusables import foreign_characters, invisible_character, skeleton, visible
from .digits import by_digit_pattern

PLACEHOLDERS = ("unit", "layer", "index", "j", "k", "step", "example")

_LATEX_WORDS = {
    r"\alpha": "alpha", r"\beta": "beta", r"\gamma": "gamma", r"\delta": "delta",
    r"\epsilon": "epsilon", r"\eta": "eta", r"\theta": "theta", r"\lambda": "lambda",
    r"\mu": "mu", r"\sigma": "sigma", r"\tau": "tau", r"\phi": "phi", r"\psi": "psi",
    r"\omega": "omega", r"\mathcal": "", r"\mathbf": "", r"\mathrm": "", r"\text": "",
    r"\mathit": "", r"\mathsf": "", r"\mathtt": "", r"\mathbb": "", r"\mathfrak": "",
    r"\boldsymbol": "",
    r"\hat": "hat", r"\bar": "bar", r"\tilde": "tilde",
}


def expand(template: str, **fields: object) -> str:
    """Fill ``{name}`` placeholders in a LaTeX template, leaving other braces alone."""
    out = template
    for key in PLACEHOLDERS:
        if key in fields:
            out = out.replace("{" + key + "}", str(fields[key]))
    return out


def unknown_placeholders(template: str) -> list[str]:
    """Placeholders in ``template`` that :func:`expand` would not fill."""
    found = re.findall(r"\{([a-zA-Z]+)\}", template)
    return [f for f in found if f not in PLACEHOLDERS and len(f) > 1 and f.isalpha()
            and f not in ("total",)]


@by_digit_pattern
def plain_name(latex: str) -> str:
    """An identifier derived from a LaTeX name: ``in_{h1}`` → ``in_h1``, ``y'`` → ``y_prime``.

    The derivation is deterministic so that a student typing ``in_h1`` or ``in_{h1}`` reaches
    the same quantity.
    """
    text = latex
    if "\\" in text:
        for word, rep in _LATEX_WORDS.items():
            text = text.replace(word, f"_{rep}_" if rep else "_")
    text = text.replace("'", "_prime")
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")
    if not text:
        text = "q"
    if text[0].isdigit():
        text = "q_" + text
    if keyword.iskeyword(text):
        text += "_"
    return text


def auto_latex(name: str) -> str:
    """LaTeX for a user's short name: trailing digits or an ``_suffix`` become a subscript;
    a word with digits inside is one upright name (never the product w·q·2·q).

    >>> auto_latex("i1"), auto_latex("w_a"), auto_latex("E_total"), auto_latex("b")
    ('i_{1}', 'w_{a}', 'E_{total}', 'b')
    >>> auto_latex("wq2q")
    '\\mathrm{wq2q}'
    """
    if "_" in name:
        head, _, tail = name.partition("_")
        if head and tail:
            return f"{head}_{{{tail.replace('_', ',')}}}"
    m = re.fullmatch(r"([A-Za-z]+)(\d+)", name)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}"
    if re.fullmatch(r"[A-Za-z]+\d+[A-Za-z][A-Za-z0-9]*", name):
        return rf"\mathrm{{{name}}}"
    return name


def shown(name: str) -> str:
    """``name`` as a message shows it: what shows nothing written as its code point."""
    return visible(name)


def is_identifier(name: str) -> bool:
    """True when ``name`` can be used as a plain (identifier) name: a Python identifier, not
    a keyword, without a character that shows nothing (U+3164 HANGUL FILLER)."""
    return name.isidentifier() and not keyword.iskeyword(name) \
        and invisible_character(name) is None


def identifier_hint(name: str) -> str:
    """What to do about a name that :func:`is_identifier` refuses.

    >>> identifier_hint("lambda")
    '`lambda` is a Python keyword: choose another word, such as lambda_1'
    """
    if keyword.iskeyword(name):
        return f"`{name}` is a Python keyword: choose another word, such as {name}_1"
    hidden = invisible_character(name)
    if hidden is not None:
        return f"it holds {hidden}, which shows nothing: remove it"
    return "use letters, digits and _ , starting with a letter"


# --------------------------------------------------------------------------- the authority

FUNCTION_NAMES = frozenset({
    # activations and the functions their derivatives and stable losses are written with
    "sigmoid", "logistic", "sigma", "tanh", "relu", "ReLU", "leaky_relu", "lrelu", "LeakyReLU",
    "softplus", "softmax", "step", "Heaviside", "leaky_step", "lstep", "logsumexp", "linear",
    "identity",
    # as prose writes them: Sigmoid(x), ReLu(z)
    "Sigmoid", "Tanh", "ReLu", "Relu", "Softplus", "Softmax",
    # elementary functions a formula or a stand-in may call
    "exp", "log", "ln", "sqrt", "sin", "cos",
    # a pooling window's maximum, max(a_1, …, a_n)
    "max",
})
"""Names that mean a function wherever a formula is read or printed: never a quantity's name."""

PRIME_SUFFIX = "_prime"

ROLE_WORDS = {
    "input": "the input `{owner}`",
    "parameter": "the parameter `{owner}`",
    "net input": "the net input of `{owner}`",
    "activation": "the activation of `{owner}`",
    "delta": "the δ of `{owner}`",
    "target": "the target of `{owner}`",
    "loss": "the loss",
    "cost": "the cost",
    "learning rate": "the learning rate",
    "weight decay": "the weight decay",
    "example count": "the number of examples",
    "example index": "the example index",
    "function": "the unspecified function `{owner}`",
    "derivative": "the derivative `{owner}'`, named `{name}` by the tool",
    "built-in function": "the built-in function `{name}`",
    "matrix": "the {owner}",
    "matrix gradient": "`{name}`, which check reads as the gradient of the cost by `{owner}`",
}
"""Every role a name can play, as the error messages describe it."""


@dataclass(frozen=True)
class Quantity:
    """One named quantity: its role, whose it is, its plain (identifier) name and its LaTeX."""

    role: str
    owner: str  # the input, unit, parameter or function it belongs to ('' if network-wide)
    name: str
    latex: str

    def describe(self) -> str:
        return ROLE_WORDS[self.role].format(owner=self.owner, name=self.name)


@dataclass(frozen=True)
class Names:
    """Every quantity of one network under its one name; built by :class:`NameAuthority`."""

    quantities: tuple[Quantity, ...] = ()
    functions: tuple[str, ...] = ()  # unspecified functions, in order of first use
    _index: dict[tuple[str, str], Quantity] = field(default_factory=dict, compare=False,
                                                    repr=False)

    def __post_init__(self) -> None:
        if not self._index:  # the authority hands over its own index
            self._index.update({(q.role, q.owner): q for q in self.quantities})

    def of(self, role: str, owner: str = "") -> Quantity:
        """The quantity playing ``role`` for ``owner`` (a unit, input or parameter name)."""
        return self._index[(role, owner)]

    def name(self, role: str, owner: str = "") -> str:
        return self.of(role, owner).name


class NameClash(Exception):
    """Two roles asked for one name; ``where``/``first`` locate the two requests."""

    def __init__(self, message: str, where: object, first: object, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.first = first
        self.hint = hint


def name_key(name: str) -> str:
    """The form two names are compared in: Python reads ``ｘ`` and ``x`` as one (NFKC)."""
    return unicodedata.normalize("NFKC", name)


def look_key(name: str) -> str:
    """The form two names are told apart in by a reader: their TR39 skeleton, after NFKC
    (Latin ``a`` and Cyrillic ``а``, ``x1`` and ``xl`` look alike)."""
    return skeleton(name if name.isascii() else name_key(name))


@by_digit_pattern
def latex_key(latex: str) -> str:
    """The form two LaTeX names are compared in: ``x_{1}`` and ``x_1`` print the same."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", latex))
    return re.sub(r"\{(\\?[A-Za-z0-9])\}", r"\1", text)


_HINTS = {
    "net input": "change `notation.net` or the unit's `net:`",
    "activation": "change `notation.activation` or the unit's `latex:`",
    "delta": "change `notation.delta` or the unit's `delta:`",
    "target": "change `notation.target` or the unit's `target:`",
    "loss": "change `notation.loss`",
    "cost": "change `notation.cost`",
    "learning rate": "change `notation.learning_rate`",
    "example count": "change `cost.examples`",
    "example index": "change `cost.index`",
    "matrix": "change the layer's `matrices:`",
    "matrix gradient": "change the layer's `matrices:`, or rename the other quantity",
}


@dataclass
class _Claim:
    quantity: Quantity
    where: object


class NameAuthority:
    """Gives every quantity of a network its own name and refuses any clash.

    Each role (input, parameter, net input, activation, δ, target, loss, cost, learning
    rate, the cost's example count and index, unspecified functions and the derivative names
    the tool makes for them) claims a plain name and a LaTeX name. Two different quantities
    may share neither, names are compared as Python compares identifiers (NFKC) and as a
    reader does (TR39 confusable skeletons: ``a`` and ``а``, ``x1`` and ``xl``), and no
    quantity may take the name of a function. ``where`` is any location the caller can turn
    into a message (a field path); a clash raises :class:`NameClash` carrying both locations.

    >>> names = NameAuthority()
    >>> _ = names.claim("parameter", "delta_2_1", "delta_2_1", "delta_{2,1}", where="w")
    >>> try:
    ...     names.claim("delta", "u2_1", "delta_2_1", r"\\delta^{[2]}_{1}", where="notation")
    ... except NameClash as clash:
    ...     print(clash)
    `delta_2_1` would name both the δ of `u2_1` and the parameter `delta_2_1`
    """

    def __init__(self) -> None:
        self._plain: dict[str, _Claim] = {}
        self._latex: dict[str, _Claim] = {}
        self._quantities: dict[tuple[str, str], Quantity] = {}
        self._functions: list[str] = []
        self.function_sites: dict[str, object] = {}  # where each function is first used
        for word in sorted(FUNCTION_NAMES):
            self._plain[look_key(word)] = _Claim(Quantity("built-in function", word, word, ""),
                                                 None)

    def claim(self, role: str, owner: str, name: str, latex: str, *, where: object,
              shares: tuple[str, str] | None = None) -> Quantity:
        """Give ``owner``'s ``role`` the plain ``name`` and ``latex``, or raise NameClash.

        A quantity claimed again (a parameter shared by several units) gets its first name
        back; ``shares`` names the one other quantity this one may coincide with (a linear
        unit's activation is its net input; seed 000's cost is written like its loss).
        """
        known = self._quantities.get((role, owner))
        if known is not None:
            return known
        quantity = Quantity(role, owner, name, latex)
        hidden = invisible_character(name)
        if hidden is not None:
            raise NameClash(f"`{visible(name)}` holds {hidden}, which shows nothing", where, None,
                            "remove it")
        allowed = self._quantities.get(shares) if shares is not None else None
        plain_key, tex_key = look_key(name), latex_key(latex) if latex else ""
        self._check(self._plain, plain_key, quantity, allowed, where, plain=True)
        if latex:
            self._check(self._latex, tex_key, quantity, allowed, where, plain=False)
        self._plain.setdefault(plain_key, _Claim(quantity, where))
        if latex:
            self._latex.setdefault(tex_key, _Claim(quantity, where))
        self._quantities[(role, owner)] = quantity
        return quantity

    def claim_many(self, role: str, entries: Iterable[tuple[str, str, str]], *,
                   where: object) -> None:
        """:meth:`claim` of ``role`` for each (owner, name, LaTeX), in order, in one loop
        (a layer's weights); the first name that clashes raises as :meth:`claim` does."""
        plain, tex, quantities = self._plain, self._latex, self._quantities
        entries = list(entries)
        tex_keys = latex_key.many([latex for _, _, latex in entries])
        for (owner, name, latex), tex_key in zip(entries, tex_keys, strict=True):
            key = (role, owner)
            if key in quantities:
                continue
            plain_key = look_key(name)
            if plain_key in plain or (latex and tex_key in tex) or not name.isascii():
                self.claim(role, owner, name, latex, where=where)  # raises NameClash
                continue
            quantity = quantities[key] = Quantity(role, owner, name, latex)
            claim = plain[plain_key] = _Claim(quantity, where)
            if latex:
                tex[tex_key] = claim

    def claim_function(self, name: str, *, where: object) -> None:
        """An unspecified function ``name``, and the name ``name_prime`` of its derivative."""
        if name in self._functions:
            return
        first = self._plain.get(look_key(name))
        if first is not None and first.quantity.role == "built-in function" \
                and first.quantity.name == name_key(name):
            raise NameClash(f"`{name}` is a built-in function, so it cannot name an "
                            f"unspecified one", where, None,
                            f"write `activation: {name}` for the built-in one, or pick "
                            f"another name such as `f` or `g`")
        self.claim("function", name, name, "", where=where)
        self.claim("derivative", name, name + PRIME_SUFFIX, "", where=where)
        self._functions.append(name)
        self.function_sites[name] = where

    def names(self) -> Names:
        return Names(tuple(self._quantities.values()), tuple(self._functions),
                     dict(self._quantities))

    def _check(self, table: dict[str, _Claim], key: str, quantity: Quantity,
               allowed: Quantity | None, where: object, *, plain: bool) -> None:
        first = table.get(key)
        if first is None or first.quantity == allowed:
            return
        other = first.quantity
        shown = quantity.name if plain else quantity.latex
        if plain and name_key(other.name) == name_key(quantity.name) \
                and other.name != quantity.name:
            what = (f"`{quantity.name}` and `{other.name}` are one name to Python "
                    f"(Unicode NFKC): they cannot name both {quantity.describe()} and "
                    f"{other.describe()}")
        elif plain and other.name != quantity.name:
            differ = "; ".join(f"`{n}` holds {foreign_characters(n)}"
                               for n in (quantity.name, other.name) if not n.isascii())
            what = (f"`{quantity.name}` and `{other.name}` look alike (Unicode confusables, "
                    f"TR39): they cannot name both {quantity.describe()} and "
                    f"{other.describe()}{'; ' + differ if differ else ''}")
        elif plain:
            what = (f"`{shown}` would name both {quantity.describe()} and "
                    f"{other.describe()}")
        else:
            what = (f"`{shown}` would print {quantity.describe()} exactly like "
                    f"{other.describe()}")
        if other.role == "built-in function":
            hint = f"a quantity cannot take a function's name; rename {quantity.describe()}"
        else:
            hint = _HINTS.get(quantity.role) or _HINTS.get(other.role) or "rename one of them"
        raise NameClash(what, where, first.where, hint)
