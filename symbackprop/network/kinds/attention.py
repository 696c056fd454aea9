"""What a lecture writes for backpropagation through one head of self-attention.

An attention layer (:mod:`symbackprop.spec.kinds.attention`) is formula nodes Q, K, V, S, P
and O, so the engine's δ recurrences are already its backward pass, one local derivative per
link; this module prints that pass as the references write it (CS231n; Vaswani et al. 2017),
in index form,

    ∂L/∂P_{t,u} = Σ_j ∂L/∂O_{t,j} V_{u,j},          ∂L/∂V_{u,j} = Σ_t P_{t,u} ∂L/∂O_{t,j},
    ∂L/∂S_{t,u} = P_{t,u} (∂L/∂P_{t,u} − Σ_k P_{t,k} ∂L/∂P_{t,k}),
    ∂L/∂Q_{t,j} = (1/√d) Σ_u ∂L/∂S_{t,u} K_{u,j},   ∂L/∂K_{u,j} = (1/√d) Σ_t ∂L/∂S_{t,u} Q_{t,j},
    ∂L/∂W^Q_{i,j} = Σ_t X_{t,i} ∂L/∂Q_{t,j}          (W^K and W^V likewise),

with the bounds of the layer (a causal head sums over the entries its mask keeps, k ≤ t,
u ≤ t and t ≥ u, written as sums without bounds in LaTeX), and in
tensor form, dP = dO Vᵀ, dV = Pᵀ dO, dS = P ⊙ (dP − ((P ⊙ dP) 1) 1ᵀ), dQ = dS K/√d,
dK = dSᵀ Q/√d, dW^Q = Xᵀ dQ. Every index-form rule is a formula ``check`` reads, and the tests
check each one against the engine's derivation.
"""

from __future__ import annotations

from ...spec.model import AttentionGeometry, NetworkSpec
from ...spec.naming import expand
from .dropout import DropoutRule

AttentionRule = DropoutRule  # the same two printed forms: LaTeX and text


def _d(name: str) -> str:
    return rf"\frac{{\partial L}}{{\partial {name}}}"


def _t(name: str) -> str:
    return f"∂L/∂{name}"


def attention_rules(spec: NetworkSpec) -> list[AttentionRule]:
    """The backward pass of every attention layer in index form, one rule per quantity.

    >>> spec = load_spec("specs/attention.yaml")  # doctest: +SKIP
    >>> [r.text for r in attention_rules(spec)][0]  # doctest: +SKIP
    '∂L/∂P_{t,u} = Σ_{j=1}^{2} ∂L/∂O_{t,j} V_{u,j}'
    """
    rules: list[AttentionRule] = []
    for lay in spec.layers:
        if lay.attention is not None:
            rules += _index_rules(lay.attention, expand(spec.notation.input, index="t,i"))
    return rules


def _index_rules(geo: AttentionGeometry, x: str) -> list[AttentionRule]:
    T, d = geo.tokens, geo.width
    # a causal head sums over the entries the mask keeps (k ≤ t, t ≥ u): a sum without
    # bounds, over the P_{t,k} and S_{t,u} that exist
    row_k = "k" if geo.causal else f"k=1}}^{{{T}"
    row_u = "u" if geo.causal else f"u=1}}^{{{T}"
    col_t = "t" if geo.causal else f"t=1}}^{{{T}"
    scale = rf"\frac{{1}}{{\sqrt{{{d}}}}}"
    latex = [
        (_d("P_{t,u}"), rf"\sum_{{j=1}}^{{{d}}} {_d('O_{t,j}')} V_{{u,j}}"),
        (_d("V_{u,j}"), rf"\sum_{{{col_t}}} P_{{t,u}} {_d('O_{t,j}')}"),
        (_d("S_{t,u}"), rf"P_{{t,u}} \left( {_d('P_{t,u}')} - \sum_{{{row_k}}} P_{{t,k}} "
                        rf"{_d('P_{t,k}')} \right)"),
        (_d("Q_{t,j}"), rf"{scale} \sum_{{{row_u}}} {_d('S_{t,u}')} K_{{u,j}}"),
        (_d("K_{u,j}"), rf"{scale} \sum_{{{col_t}}} {_d('S_{t,u}')} Q_{{t,j}}"),
        *((_d(f"W^{{{m}}}_{{i,j}}"), rf"\sum_{{t=1}}^{{{T}}} {x} {_d(f'{m}_{{t,j}}')}")
          for m in "QKV"),
    ]
    sums = {row_k: "k ≤ t" if geo.causal else row_k, row_u: "u ≤ t" if geo.causal else row_u,
            col_t: "t ≥ u" if geo.causal else col_t}
    text = [
        (_t("P_{t,u}"), f"Σ_{{j=1}}^{{{d}}} {_t('O_{t,j}')} V_{{u,j}}"),
        (_t("V_{u,j}"), f"Σ_{{{sums[col_t]}}} P_{{t,u}} {_t('O_{t,j}')}"),
        (_t("S_{t,u}"), f"P_{{t,u}} ({_t('P_{t,u}')} − Σ_{{{sums[row_k]}}} P_{{t,k}} "
                        f"{_t('P_{t,k}')})"),
        (_t("Q_{t,j}"), f"(1/√{d}) Σ_{{{sums[row_u]}}} {_t('S_{t,u}')} K_{{u,j}}"),
        (_t("K_{u,j}"), f"(1/√{d}) Σ_{{{sums[col_t]}}} {_t('S_{t,u}')} Q_{{t,j}}"),
        *((_t(f"W^{m}_{{i,j}}"), f"Σ_{{t=1}}^{{{T}}} {x} {_t(f'{m}_{{t,j}}')}")
          for m in "QKV"),
    ]
    return [AttentionRule(f"{a} = {b}", f"{c} = {e}")
            for (a, b), (c, e) in zip(latex, text, strict=True)]


def attention_tensor_rules(spec: NetworkSpec) -> list[AttentionRule]:
    """The same backward pass in tensor form, the matrices of the layer (P is 0 above the
    diagonal in a causal head, so the form is the same)."""
    rules: list[AttentionRule] = []
    for lay in spec.layers:
        if lay.attention is None:
            continue
        d = lay.attention.width
        x = expand(spec.notation.input, index="").rstrip("_{}") or "X"
        one = r"\mathbf{1}"
        rules += [
            AttentionRule(rf"{_d('P')} = {_d('O')} V^{{\top}}", f"{_t('P')} = {_t('O')} Vᵀ"),
            AttentionRule(rf"{_d('V')} = P^{{\top}} {_d('O')}", f"{_t('V')} = Pᵀ {_t('O')}"),
            AttentionRule(rf"{_d('S')} = P \odot \left( {_d('P')} - \left( \left( P \odot "
                          rf"{_d('P')} \right) {one} \right) {one}^{{\top}} \right)",
                          f"{_t('S')} = P ⊙ ({_t('P')} − ((P ⊙ {_t('P')}) 1) 1ᵀ)"),
            AttentionRule(rf"{_d('Q')} = \frac{{1}}{{\sqrt{{{d}}}}} {_d('S')} K",
                          f"{_t('Q')} = (1/√{d}) {_t('S')} K"),
            AttentionRule(rf"{_d('K')} = \frac{{1}}{{\sqrt{{{d}}}}} \left( {_d('S')} "
                          rf"\right)^{{\top}} Q", f"{_t('K')} = (1/√{d}) ({_t('S')})ᵀ Q"),
            *(AttentionRule(rf"{_d(f'W^{{{m}}}')} = {x}^{{\top}} {_d(m)}",
                            f"{_t(f'W^{m}')} = {x}ᵀ {_t(m)}") for m in "QKV"),
        ]
    return rules
