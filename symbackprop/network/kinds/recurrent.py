"""A recurrent network's gradients as a lecture on back-propagation through time prints them:

    ∂L/∂W_{i,j} = Σ_t f′(a^{(t)}_i) ∂L/∂h^{(t)}_i h^{(t−1)}_j
    ∂L/∂U_{i,j} = Σ_t f′(a^{(t)}_i) ∂L/∂h^{(t)}_i x^{(t)}_j
    ∂L/∂b_i     = Σ_t f′(a^{(t)}_i) ∂L/∂h^{(t)}_i
    ∂L/∂V_{k,i} = Σ_t δo^{(t)}_k h^{(t)}_i
    ∂L/∂c_k     = Σ_t δo^{(t)}_k

with the recurrence ∂L/∂h^{(t)}_i = Σ_k V_{k,i} δo^{(t)}_k + Σ_k W_{k,i} f′(a^{(t+1)}_k)
∂L/∂h^{(t+1)}_k (the second sum only where step t + 1 exists). f′ is the engine's own
∂h/∂a of the hidden units (1 − (h^{(t)}_i)² for tanh) and δo^{(t)}_k its δ of the outputs
(ŷ^{(t)}_k − y^{(t)}_k for a softmax with cross-entropy), each written once with symbols of
a generic step t. Every rule is a template: :meth:`StepRule.expanded` puts each step's own
symbols into it and sums, so the tests compare exactly what is printed with the derivation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp

from ...spec.model import LayerSpec
from ...spec.naming import expand, plain_name
from ..build import Network
from ..derivation import Gradients

STEP = "t"


@dataclass(frozen=True)
class _Slot:
    """One quantity of a generic step: a role at step t + shift, with an index (a number or
    the summed letter k)."""

    role: str  # h, a, x, dh, yhat, y, o, do, W, U, V
    shift: int
    index: tuple[int | str, ...]


@dataclass(frozen=True)
class StepRule:
    """One printed rule: lhs = Σ_{t=lo}^{hi} Σ_k summand, over template symbols."""

    lhs: sp.Expr
    parts: tuple[tuple[sp.Expr, tuple[int, ...], int | None], ...]  # (summand, steps, k range)
    latex: str
    text: str
    forms: BpttForms = field(repr=False, compare=False)

    def expanded(self, at: int | None = None) -> sp.Expr:
        """The rule with each step's own symbols (∂L/∂h as the symbols of ``forms.dh``);
        ``at`` fixes t for a recurrence, whose steps are then those of that row."""
        terms = []
        for summand, steps, inner in self.parts:
            for t in steps if at is None else [at]:
                for k in range(1, (inner or 1) + 1):
                    terms.append(summand.xreplace(self.forms.concrete(summand, t, k)))
        return sp.Add(*terms)


class BpttForms:
    """The BPTT rules of one network with a recurrent layer, worked out on request."""

    def __init__(self, net: Network, grads: Gradients) -> None:
        self.net, self.grads = net, grads
        spec = net.spec
        self.hidden: LayerSpec = next(lay for lay in spec.layers if lay.recurrent is not None
                                      and lay.recurrent.role == "hidden")
        self.output: LayerSpec = spec.layers[self.hidden.position]
        assert self.hidden.recurrent is not None and self.output.recurrent is not None
        self.g, self.go = self.hidden.recurrent, self.output.recurrent
        self.tmpl = dict(self.g.templates)
        self.tmpl_out = dict(self.go.templates)
        self.loss_tex = net.latex_of(net.loss_symbol)
        self._symbols: dict[_Slot, sp.Symbol] = {}
        self.latex_names: dict[sp.Symbol, str] = {}
        self.slot_of: dict[sp.Symbol, _Slot] = {}
        self.dh: dict[tuple[int, int], sp.Symbol] = {}  # ∂L/∂h^{(t)}_i of each step
        # a weight family's rules share their factors: each is built and printed once
        self._slopes: dict[tuple[int, int | str], sp.Expr] = {}
        self._output_deltas: dict[int | str, sp.Expr] = {}
        self._printed: dict[tuple[str, sp.Expr], str] = {}

    @property
    def applies(self) -> bool:
        """The rules hold for δ = ∂L/∂net without weight decay, constant biases or frozen
        parameters."""
        return self.grads.sign > 0 and self.net.decay is None and not self.net.spec.constants \
            and not self.net.frozen

    # -- template and step symbols ----------------------------------------------------
    def slot(self, role: str, shift: int, *index: int | str) -> sp.Symbol:
        key = _Slot(role, shift, index)
        if key not in self._symbols:
            sym = sp.Symbol(f"{role}[{STEP}{shift:+d}]_" + "_".join(map(str, index)), real=True)
            self._symbols[key] = sym
            self.latex_names[sym] = self._latex(key)
            self.slot_of[sym] = key
        return self._symbols[key]

    def _step_tex(self, shift: int) -> str:
        return STEP if shift == 0 else f"{STEP}{shift:+d}"

    def _latex(self, s: _Slot) -> str:
        step = self._step_tex(s.shift)
        ix = ",".join(map(str, s.index))
        hidden = {"h": "activation", "a": "net", "x": "input"}
        out = {"yhat": "activation", "y": "target", "o": "net"}
        if s.role in hidden:
            return expand(self.tmpl[hidden[s.role]], step=step, index=ix)
        if s.role in out:
            return expand(self.tmpl_out[out[s.role]], step=step, index=ix)
        if s.role == "dh":
            h = expand(self.tmpl["activation"], step=step, index=ix)
            return rf"\frac{{\partial {self.loss_tex}}}{{\partial {h}}}"
        if s.role == "do":
            o = expand(self.tmpl_out["net"], step=step, index=ix)
            return rf"\frac{{\partial {self.loss_tex}}}{{\partial {o}}}"
        key = {"W": "recurrent_weight", "U": "input_weight"}.get(s.role)
        template = self.tmpl[key] if key else self.tmpl_out["weight"]
        return expand(template, j=s.index[0], k=s.index[1])

    def _unit(self, layer: LayerSpec, t: int, i: int) -> str:
        return f"u{layer.number}_{t}_{i}"

    def concrete(self, expr: sp.Expr, t: int, k: int) -> dict[sp.Symbol, sp.Expr]:
        """Each template symbol of ``expr`` → its own symbol at step ``t`` with k = ``k``."""
        out: dict[sp.Symbol, sp.Expr] = {}
        for sym in expr.free_symbols:
            s = self.slot_of.get(sym)  # type: ignore[call-overload]
            if s is None:
                continue
            step = t + s.shift
            ix = [k if v == "k" else v for v in s.index]
            out[sym] = self._at(s.role, step, ix)
        return out

    def _at(self, role: str, t: int, ix: Sequence[int | str]) -> sp.Expr:
        net = self.net
        if role in ("W", "U", "V"):
            key = {"W": "recurrent_weight", "U": "input_weight"}.get(role)
            template = self.tmpl[key] if key else self.tmpl_out["weight"]
            return net.symbol_by_name[plain_name(expand(template, j=ix[0], k=ix[1]))]
        if role == "x":
            return net.source_out[f"x_{t}_{ix[0]}"]
        if role == "dh":
            return self.dh.setdefault((t, int(ix[0])), sp.Symbol(f"dL_dh_{t}_{ix[0]}",
                                                                  real=True))
        layer = self.output if role in ("yhat", "y", "o", "do") else self.hidden
        name = self._unit(layer, t, int(ix[0]))
        if name not in net.unit_by_name:  # h^{(0)} = 0
            return sp.S.Zero
        unit = net.unit_by_name[name]
        if role == "do":
            return self.grads.output_delta[name]
        return {"h": unit.out, "a": unit.net, "yhat": unit.out, "o": unit.net,
                "y": unit.target}[role]

    # -- the factors the engine derives, on a generic step --------------------------------
    def slope(self, shift: int, i: int | str) -> sp.Expr:
        """∂h^{(t+shift)}_i/∂a^{(t+shift)}_i as the engine writes it (1 − h² for tanh)."""
        if (shift, i) not in self._slopes:
            self._slopes[(shift, i)] = self._slope(shift, i)
        return self._slopes[(shift, i)]

    def _slope(self, shift: int, i: int | str) -> sp.Expr:
        unit = self.net.unit_by_name[self._unit(self.hidden, 1, 1)]
        local = self.grads.local_derivative(unit)
        return local.xreplace({unit.out: self.slot("h", shift, i),
                               unit.net: self.slot("a", shift, i)})

    def output_delta(self, k: int | str) -> sp.Expr:
        """∂L/∂o^{(t)}_k as the engine writes it (ŷ − y for softmax with cross-entropy), or
        the symbol ∂L/∂o^{(t)}_k where it couples a step's outputs."""
        if k not in self._output_deltas:
            self._output_deltas[k] = self._output_delta(k)
        return self._output_deltas[k]

    def _output_delta(self, k: int | str) -> sp.Expr:
        name = self._unit(self.output, 1, 1)
        unit = self.net.unit_by_name[name]
        value = self.grads.output_delta[name]
        own = {unit.out, unit.net, unit.target}
        if not value.free_symbols <= own:
            return self.slot("do", 0, k)
        return value.xreplace({unit.out: self.slot("yhat", 0, k),
                               unit.target: self.slot("y", 0, k),
                               unit.net: self.slot("o", 0, k)})

    @cached_property
    def owners(self) -> dict[str, tuple[str, tuple[int, ...]]]:
        """Each parameter of the recurrent layers → (role, indices)."""
        out: dict[str, tuple[str, tuple[int, ...]]] = {}
        g, go = self.g, self.go
        for i in range(1, g.size + 1):
            for j in range(1, g.inputs + 1):
                out[plain_name(expand(self.tmpl["input_weight"], j=i, k=j))] = ("U", (i, j))
            for j in range(1, g.size + 1):
                out[plain_name(expand(self.tmpl["recurrent_weight"], j=i, k=j))] = ("W", (i, j))
            out[plain_name(expand(self.tmpl["bias"], j=i, index=i))] = ("b", (i,))
            if g.initial == "parameter":
                out[plain_name(expand(self.tmpl["initial"], j=i, index=i))] = ("h0", (i,))
        for k in range(1, go.size + 1):
            for i in range(1, go.inputs + 1):
                out[plain_name(expand(self.tmpl_out["weight"], j=k, k=i))] = ("V", (k, i))
            out[plain_name(expand(self.tmpl_out["bias"], j=k, index=k))] = ("c", (k,))
        return out

    def of(self, param: str) -> StepRule | None:
        """The BPTT rule of ``param``'s gradient, or None when no recurrent layer owns it."""
        if param not in self.owners or not self.applies:
            return None
        role, ix = self.owners[param]
        T = self.g.steps
        every = tuple(range(1, T + 1))
        if role in ("U", "W", "b"):
            i = ix[0]
            summand = self.slope(0, i) * self.slot("dh", 0, i)
            steps = every
            if role == "U":
                summand *= self.slot("x", 0, ix[1])
            if role == "W":
                summand *= self.slot("h", -1, ix[1])
                steps = every if self.g.initial == "parameter" else every[1:]
            return self._rule(self.net.symbol_by_name[param], [(summand, steps, None)])
        if role == "h0":  # ∂L/∂h^{(0)}_i: the recurrence at t = 0, no output at step 0
            i = ix[0]
            summand = self.slot("W", 0, "k", i) * self.slope(1, "k") * self.slot("dh", 1, "k")
            return self._rule(self.net.symbol_by_name[param], [(summand, (0,), self.g.size)])
        k = ix[0]
        summand = self.output_delta(k) * (self.slot("h", 0, ix[1]) if role == "V" else 1)
        return self._rule(self.net.symbol_by_name[param], [(summand, every, None)])

    def recurrence(self, i: int, last: bool) -> StepRule:
        """∂L/∂h^{(t)}_i: through the outputs of step t, and (unless ``last``, t = T) through
        the hidden units of step t + 1."""
        out = self.slot("V", 0, "k", i) * self.output_delta("k")
        parts = [(out, tuple(range(1, self.g.steps + 1)), self.go.size)]
        if not last:
            later = self.slot("W", 0, "k", i) * self.slope(1, "k") * self.slot("dh", 1, "k")
            parts.append((later, tuple(range(1, self.g.steps)), self.g.size))
        return self._rule(self.slot("dh", 0, i), parts)

    def _rule(self, lhs: sp.Expr, parts: list[tuple[sp.Expr, tuple[int, ...], int | None]]
              ) -> StepRule:
        latex, text = [], []
        for summand, steps, inner in parts:
            sums, plain = [], []
            if len(steps) > 1 and not lhs.free_symbols & set(self.slot_of):
                sums.append(rf"\sum_{{{STEP}={steps[0]}}}^{{{steps[-1]}}}")
                plain.append(f"Σ_{{{STEP}={steps[0]}}}^{{{steps[-1]}}}")
            if inner is not None:
                sums.append(r"\sum_{k}")
                plain.append("Σ_k")
            factors = sp.Mul.make_args(summand)
            latex.append(" ".join([*sums, *(self._factor_tex(f) for f in _ordered(factors))]))
            text.append(" ".join([*plain, " · ".join(self._factor_text(f)
                                                       for f in _ordered(factors))]))
        return StepRule(lhs, tuple(parts), " + ".join(latex), " + ".join(text), self)

    def _factor_text(self, factor: sp.Expr) -> str:
        if ("text", factor) not in self._printed:
            self._printed[("text", factor)] = self._print_text(factor)
        return self._printed[("text", factor)]

    def _print_text(self, factor: sp.Expr) -> str:
        words = {sym: sp.Symbol(self._text_name(sym)) for sym in factor.free_symbols
                 if sym in self.latex_names}
        text = sp.sstr(factor.xreplace(words), order="none")
        return f"({text})" if isinstance(factor, sp.Add) else text

    def _text_name(self, sym: sp.Symbol) -> str:
        """A template symbol in plain text: h^(t)_1, ∂L/∂h^(t+1)_k."""
        s = self.slot_of[sym]
        if s.role in ("dh", "do"):
            plain = self._text_name(self.slot("h" if s.role == "dh" else "o", s.shift, *s.index))
            return f"∂{self.net.loss_symbol.name}/∂{plain}"
        tex = re.sub(r"\\hat\{(\w)\}", "\\1\u0302", self.latex_names[sym])  # ŷ
        for word in (r"\mathrm", "{", "}"):
            tex = tex.replace(word, "")
        return tex

    def _factor_tex(self, factor: sp.Expr) -> str:
        if ("latex", factor) not in self._printed:
            self._printed[("latex", factor)] = self._print_tex(factor)
        return self._printed[("latex", factor)]

    def _print_tex(self, factor: sp.Expr) -> str:
        tex = sp.latex(factor, symbol_names=self.latex_names, order="none")
        return rf"\left({tex}\right)" if isinstance(factor, sp.Add) else tex

    def lhs_latex(self, rule: StepRule) -> str:
        return sp.latex(rule.lhs, symbol_names=self.latex_names) \
            if rule.lhs in self.latex_names else self.net.latex_of(rule.lhs)


def _ordered(factors: Sequence[sp.Expr]) -> list[sp.Expr]:
    """Factors as a lecture writes them: weight, then f′ (a sum or power), ∂L/∂h, source."""
    def rank(f: sp.Expr) -> int:
        if f.is_Symbol:
            name = f.name.split("[")[0]
            return {"V": 0, "W": 0, "dh": 3, "h": 4, "x": 4}.get(name, 2)
        return 1 if isinstance(f, sp.Add) or f.is_Pow else 2
    return sorted(factors, key=rank)


def step_forms(net: Network, grads: Gradients) -> BpttForms | None:
    """The BPTT rules of ``net``, or None without a recurrent layer or where they do not
    hold (δ = −∂L/∂net, a weight decay, a constant bias)."""
    if not any(lay.recurrent is not None for lay in net.spec.layers):
        return None
    forms = BpttForms(net, grads)
    return forms if forms.applies else None


def recurrence_lines(forms: BpttForms) -> list[tuple[str, str]]:
    """(text, LaTeX) of ∂L/∂h^{(t)}_i = … for every hidden unit i: for t < T, then t = T."""
    out = []
    T = forms.g.steps
    for i in range(1, forms.g.size + 1):
        for last in ((False, True) if T > 1 else (True,)):
            rule = forms.recurrence(i, last)
            where = f"{STEP} < {T}" if not last else f"{STEP} = {T}"
            lhs_tex = forms.lhs_latex(rule)
            lhs_text = forms._factor_text(rule.lhs)
            out.append((f"{lhs_text} = {rule.text}   ({where})",
                        rf"{lhs_tex} = {rule.latex} \quad ({where})"))
    return out
