"""Reading NumPy code as a step in matrix form: ``np.dot(A, B)``, ``A.T``, ``np.sum(A,
axis=0, keepdims=True)``, ``np.maximum(0, A)`` and a mask set in place, ``dhidden[hidden_layer
<= 0] = 0`` (CS231n's ReLU backward). The code is read into the same tree as mathematics
(:mod:`symbackprop.check.reading.matrix_syntax`) by the matrix-form parser, which takes
these methods; nothing is ever run as code.
"""

from __future__ import annotations

from ...errors import FormulaError
from .matrix_syntax import (
    MAxisSum,
    MCall,
    MMask,
    MName,
    MNode,
    MNum,
    MProduct,
    MTranspose,
    Tok,
)


class CodeReading:
    """The parser's methods for NumPy code (the cursor and ``sum`` are the parser's own)."""

    k: int
    toks: list[Tok]

    def peek(self, ahead: int = 0) -> Tok | None:
        raise NotImplementedError

    def at(self, *texts: str) -> bool:
        raise NotImplementedError

    def take(self, *texts: str) -> Tok:
        raise NotImplementedError

    def sum(self) -> MNode:
        raise NotImplementedError

    def masks(self) -> bool:
        """Whether the bracket that follows holds a comparison (``A[B <= 0]``)."""
        depth, j = 0, self.k
        while j < len(self.toks):
            text = self.toks[j].text
            depth += {"[": 1, "]": -1}.get(text, 0)
            if depth == 0:
                return False
            if text in ("<", ">"):
                return True
            j += 1
        return False

    def mask(self, target: MName) -> MMask:
        """``A[B <= 0]``: the entries of A where the comparison holds (set by the line)."""
        self.take("[")
        left = self.sum()
        op = self.take("<", ">").text
        if self.at("="):
            op += self.take("=").text
        right = self.sum()
        self.take("]")
        return MMask(target, left, op, right)

    def numpy_call(self) -> MNode:
        """``np.dot(A, B)``, ``np.matmul``, ``np.sum(A, axis=0, keepdims=True)``,
        ``np.maximum(0, A)`` and ``np.transpose(A)``: NumPy's meaning, never evaluated as
        code."""
        self.take("np")
        self.take(".")
        func = self.take().text
        self.take("(")
        args: list[MNode] = [self.sum()]
        keywords: dict[str, str] = {}
        while self.at(","):
            self.take(",")
            word = self.peek()
            if word is not None and word.kind == "word" and self.peek(1) is not None and \
                    self.peek(1).text == "=":
                self.k += 2
                keywords[word.text] = self.take().text
            else:
                args.append(self.sum())
        self.take(")")
        if func in ("dot", "matmul") and len(args) == 2 and not keywords:
            return MProduct((args[0], args[1]))
        if func == "transpose" and len(args) == 1 and not keywords:
            return MTranspose(args[0])
        if func == "maximum" and len(args) == 2 and not keywords and \
                MNum("0") in args:  # max(0, A) of every entry: the ReLU, as written
            return MCall("maximum", 0, args[1] if args[0] == MNum("0") else args[0])
        if func == "sum" and len(args) == 1 and set(keywords) <= {"axis", "keepdims"}:
            axis = keywords.get("axis")
            if axis not in ("0", "1"):
                raise FormulaError("np.sum is read over the examples or the units: give "
                                   "axis=0 or axis=1")
            if axis == "1" and keywords.get("keepdims") != "True":
                raise FormulaError("np.sum(…, axis=1) without keepdims=True is a flat array "
                                   "that NumPy lays out as a row: write keepdims=True")
            if keywords.get("keepdims", "True") not in ("True", "False"):
                raise FormulaError("keepdims is True or False")
            return MAxisSum(args[0], int(axis))
        raise FormulaError(f"np.{func} is not read in matrix form (np.dot, np.matmul, "
                           f"np.sum with axis, np.maximum(0, …), np.transpose are)")
