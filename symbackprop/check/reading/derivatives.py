"""Derivatives in every common spelling, read from a formula's tokens.

``\\frac{\\partial L}{\\partial o_1}``, ``∂E/∂w5``, ``dL/dw_1`` and ``d L / d w``, ``∂_{w} E``,
the operator forms ``∂/∂w [ … ]`` and ``\\frac{\\partial}{\\partial w}\\left( … \\right)``,
and the derivative of a bracketed expression, ``∂(E_1 + E_2)/∂w``,
``\\frac{\\partial (z_1 + z_2)}{\\partial w}`` and ``d(E_1 + E_2)/da``,
become :class:`~symbackprop.check.reading.syntax.Deriv` (∂A/∂B of two names) or
:class:`~symbackprop.check.reading.syntax.DerivOp` (the derivative of an expression). A ``d``
starts a differential only when the name without it is known and the name with it is not.
"""

from __future__ import annotations

from .cursor import TokenCursor
from .syntax import Deriv, DerivOp, Name, Node
from .tokens import Token, formula_error

_OPEN = ("(", "[", "{")


def _derivative(body: Node, bottom: Name, pos: int) -> Node:
    """∂(body)/∂bottom: ∂A/∂B when the brackets hold one name (``∂{loss}``), else the
    derivative of the expression."""
    if isinstance(body, Name):
        return Deriv(body, bottom, f"∂{body.written}/∂{bottom.written}", pos)
    return DerivOp(bottom, body, pos)


class DerivativeReader(TokenCursor):
    """The parser's reading of ∂ and d; the grammar (:mod:`symbackprop.check.reading.parser`)
    supplies :meth:`argument`, what an operator applies to."""

    def argument(self, tok: Token) -> Node:
        """A function's or an operator's argument: a bracketed group, or one power."""
        raise NotImplementedError

    def _d_width(self, offset: int) -> int:
        """Tokens taken by a ``dX`` (1) or ``d X`` (2) at ``offset``; 0 when there is none."""
        tok = self.peek(offset)
        if tok is None or tok.kind != "name":
            return 0
        if tok.text == "d" and tok.primes == 0:
            return 2 if self.kind(offset + 1) == "name" else 0
        if len(tok.text) > 1 and tok.text[0] == "d" and not self.knows(tok.written) and \
                self.knows(tok.written[1:]):
            return 1
        return 0

    def _is_d_partial(self, offset: int) -> bool:
        width = self._d_width(offset)
        return bool(width) and self.kind(offset + width) == "/" and \
            bool(self._d_width(offset + width + 1))

    def _marker_name(self, what: str, pos: int) -> Name:
        """After ∂ (or d): the name of the quantity."""
        tok = self.peek()
        if tok is None or tok.kind != "name":
            raise formula_error(f"∂ must be followed by the name of a quantity ({what})", pos,
                                hint="write ∂A/∂B with names, or ∂/∂B [ … ] for the "
                                     "derivative of an expression")
        self.take()
        return Name(tok.text, tok.pos, tok.primes)

    def _d_name(self) -> Name:
        """A ``dX`` or ``d X`` (as measured by :meth:`_d_width`): the quantity X."""
        tok = self.take()
        if tok.text == "d" and tok.primes == 0:
            return self._marker_name("after d", tok.pos)
        return Name(tok.text[1:], tok.pos + 1, tok.primes)

    def _differential(self, what: str) -> Name | None:
        """``∂X``, ``∂_{X}``, ``dX`` or ``d X`` at the cursor: X; None if there is none."""
        marker = self.peek()
        if marker is not None and marker.kind == "partial":
            self.take()
            if marker.sub:
                return self._script_name(marker)
            return self._marker_name(what, marker.pos)
        if self._d_width(0):
            return self._d_name()
        return None

    def _script_name(self, marker: Token) -> Name:
        """The X of ``∂_{X}``."""
        assert marker.sub is not None
        inner = self.sub(marker.sub, marker.pos)
        tok = inner.take()
        inner.done()
        if tok.kind != "name":
            raise formula_error("∂_{…} must name a quantity", marker.pos)
        return Name(tok.text, marker.pos, tok.primes)

    def partial(self, tok: Token) -> Node:
        if tok.sub:  # ∂_{w} E: the derivative of what follows
            bottom = self._script_name(tok)
            return DerivOp(bottom, self.argument(tok), tok.pos)
        if self.kind() == "/":  # ∂/∂w [ … ]
            slash = self.take()
            bottom = self._differential("denominator")
            if bottom is None:
                raise formula_error("the denominator of ∂/∂B needs its own ∂", slash.pos)
            return DerivOp(bottom, self.argument(tok), tok.pos)
        if self.kind() in _OPEN:  # ∂(E1 + E2)/∂w5, ∂{loss}/∂w: of what the brackets hold
            body = self.argument(tok)
            return _derivative(body, self._over_differential(tok), tok.pos)
        top = self._marker_name("numerator", tok.pos)
        bottom = self._over_differential(tok)
        return Deriv(top, bottom, f"∂{top.written}/∂{bottom.written}", tok.pos)

    def _over_differential(self, tok: Token) -> Name:
        """The ``/∂B`` that follows the numerator of ∂A/∂B begun at ``tok``."""
        slash = self.peek()
        if slash is None or slash.kind != "/":
            raise formula_error("write a partial derivative as ∂A/∂B or "
                                "\\frac{\\partial A}{\\partial B}", tok.pos)
        self.take()
        bottom = self._differential("denominator")
        if bottom is None:
            raise formula_error("the denominator of ∂A/∂B needs its own ∂", slash.pos)
        return bottom

    def _lone_d(self, offset: int) -> bool:
        """``\\frac{d}{dx}``: a ``d`` alone in the numerator."""
        tok = self.peek(offset)
        return tok is not None and tok.kind == "name" and tok.text == "d" and \
            tok.primes == 0 and self.kind(offset + 1) == "}"

    def frac_derivative(self, tok: Token) -> Node:
        self.expect("{")
        marker = self.peek()
        operator = (marker is not None and self.kind(1) == "}" and
                    ((marker.kind == "partial" and not marker.sub) or self._lone_d(0)))
        if operator:
            self.take()
            top = None
        elif marker is not None and marker.kind == "partial" and not marker.sub and \
                self.kind(1) in (*_OPEN, "func"):  # \frac{\partial (z_1 + z_2)}{\partial w}
            self.take()
            body = self.argument(tok)
            self.expect("}")
            self.expect("{")
            bottom = self._differential("in \\frac")
            if bottom is None:
                raise formula_error("both parts of \\frac{\\partial A}{\\partial B} need ∂",
                                    tok.pos)
            self.expect("}")
            return _derivative(body, bottom, tok.pos)
        else:
            top = self._differential("in \\frac")
            if top is None:
                raise formula_error("both parts of \\frac{\\partial A}{\\partial B} need ∂",
                                    tok.pos)
            if self.kind() == "^":
                raise formula_error("second derivatives are not supported", tok.pos)
        self.expect("}")
        self.expect("{")
        bottom = self._differential("in \\frac")
        if bottom is None:
            raise formula_error("both parts of \\frac{\\partial A}{\\partial B} need ∂", tok.pos)
        self.expect("}")
        if top is None:
            return DerivOp(bottom, self.argument(tok), tok.pos)
        return Deriv(top, bottom, f"∂{top.written}/∂{bottom.written}", tok.pos)
