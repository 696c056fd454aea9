"""The words a formula may use: LaTeX commands, Unicode symbols and function names.

The tokenizer (:mod:`symbackprop.check.reading.tokens`) looks every command up here; a command that
is in none of these tables is an error with the closest known command as a hint.
"""

from __future__ import annotations

SYNTAXES = ("auto", "latex", "plain")  # how a formula is read (the check command's --syntax)

SPACING = frozenset({",", ";", "!", ":", " ", "quad", "qquad", "displaystyle", "textstyle",
                     "scriptstyle", "limits", "nolimits", "enspace", "thinspace", "medspace",
                     "thickspace", "nonumber", "notag"})
SIZING = frozenset({"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl",
                    "Bigr", "biggl", "biggr", "Biggl", "Biggr", "middle"})
MUL_CMDS = frozenset({"cdot", "times", "ast", "cdotp", "centerdot"})
FRAC_CMDS = frozenset({"frac", "dfrac", "tfrac", "cfrac"})
TEXT_CMDS = frozenset({"mathrm", "mathit", "text", "textit", "textrm", "mathbf", "textbf",
                       "boldsymbol", "bm", "mathsf", "mathcal", "operatorname", "mbox",
                       "textnormal", "mathbb", "mathds", "mathtt", "mathfrak"})
# every accent a spec's LaTeX may use (spec.tex.MATH_ARGUMENT), so what derive prints reads back
ACCENT_CMDS = frozenset({"hat", "bar", "tilde", "widehat", "widetilde", "overline", "vec",
                         "dot", "ddot", "check", "breve", "acute", "grave", "underline"})
FUNC_CMDS = frozenset({"sigma", "exp", "log", "ln", "tanh", "sinh", "cosh", "max"})
RELATION_CMDS = {
    "le": "<=", "leq": "<=", "leqslant": "<=", "ge": ">=", "geq": ">=", "geqslant": ">=",
    "lt": "<", "gt": ">", "ne": "!=", "neq": "!=", "leftarrow": "<-", "gets": "<-",
    "longleftarrow": "<-", "coloneqq": "<-", "approx": "~", "simeq": "~", "equiv": "=",
}
UNSUPPORTED = {
    "prod": "products Π are not supported; write the factors out",
    "int": "integrals are not supported", "lim": "limits are not supported",
    "min": "min is not supported",
    "sin": "sin is not a function of the network", "cos": "cos is not a function of the network",
    "nabla": "∇ is not supported; write one partial derivative ∂E/∂θ at a time",
    "to": "arrows are not supported", "rightarrow": "arrows are not supported",
    "Rightarrow": "write each step on its own line instead of ⇒",
    "in": "set membership is not supported", "top": "matrix notation is not supported; "
    "write one entry (index form)", "intercal": "matrix notation is not supported",
    "odot": "matrix notation is not supported; write one entry (index form)",
    "circ": "matrix notation is not supported; write one entry (index form)",
    "otimes": "matrix notation is not supported",
}
GREEK = frozenset({"alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta",
                   "theta", "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi",
                   "rho", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma",
                   "Delta", "Theta", "Lambda", "Xi", "Pi", "Upsilon", "Phi", "Psi", "Omega",
                   "ell", "varrho"})
UNICODE_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu",
    "ξ": "xi", "ρ": "rho", "τ": "tau", "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi",
    "ω": "omega", "Δ": "Delta", "Θ": "Theta", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega", "ℓ": "ell",
}
OPERATOR_CHARS = {
    "+": "+", "-": "-", "−": "-", "–": "-", "—": "-", "*": "*", "·": "*", "×": "*", "⋅": "*",
    "∙": "*", "/": "/", "÷": "/", "^": "^", "(": "(", ")": ")", "[": "[", "]": "]",
    "{": "{", "}": "}", "∂": "partial", "√": "sqrt", ",": ",", "&": "&", "|": "|",
}
RELATION_CHARS = {"=": "=", "<": "<", ">": ">", "≤": "<=", "≥": ">=", "≠": "!=",
                  "←": "<-", "⟵": "<-", "≈": "~", "≔": "<-"}
UNICODE_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ", "0123456789aeoxhklmnpstij")
"""Subscript characters (W₃, h₂ᵢ): a name's subscript, as plain-text notes write it."""
HATTED = {"ŷ": "y", "ĥ": "h", "ẑ": "z", "ŵ": "w", "â": "a"}
"""Letters with a circumflex: ŷ is \\hat{y}."""
SUM_CHARS = frozenset({"Σ", "∑"})
PRIME_CHARS = frozenset({"'", "′", "’"})
INDICATOR_CHARS = frozenset({"𝟙"})
INDICATOR_ARGS = frozenset({"1", "I"})  # \mathbb{1}, \mathbf{1}, \mathbb{I}
CASE_WORDS = frozenset({"if", "otherwise", "else", "for", "when", "and"})

FUNCTION_WORDS = {
    "sigma": "sigmoid", "sigmoid": "sigmoid", "logistic": "sigmoid", "exp": "exp",
    "log": "log", "ln": "log", "tanh": "tanh", "relu": "relu", "ReLU": "relu",
    "softplus": "softplus", "step": "step", "H": "step", "Heaviside": "step",
    "lrelu": "leaky_relu", "leaky_relu": "leaky_relu", "LeakyReLU": "leaky_relu",
    "leaky_step": "leaky_step", "lstep": "leaky_step", "softmax": "softmax",
    "Sigmoid": "sigmoid", "Tanh": "tanh", "Relu": "relu", "ReLu": "relu",
    "Softmax": "softmax", "Softplus": "softplus", "max": "max",
}
"""Every spelling of a known function, mapped to its canonical name."""

PARAMETRIC_FUNCTIONS = frozenset({"leaky_relu", "leaky_step"})
"""Functions with a parameter (the slope α): lrelu_{α}(z), leaky_relu(z, α)."""

KNOWN_CMDS = sorted({*SPACING, *SIZING, *MUL_CMDS, *FRAC_CMDS, *TEXT_CMDS, *ACCENT_CMDS,
                     *FUNC_CMDS, *GREEK, *RELATION_CMDS, "partial", "sqrt", "div", "prime",
                     "sum", "begin", "end", "tag"} - {" "})
