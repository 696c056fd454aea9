"""Numbers from the symbolic network.

Lambdified float64 and high-precision passes (``lambdified``), layered networks found
(``layered_plan``) and their matrix code (``vectorized``), forward values and descent steps
(``evaluation``), finite-difference checks (``gradient_check``), points to evaluate at
(``points``) and standalone NumPy modules (``codegen``). Imports ``network`` and ``spec``.
"""
