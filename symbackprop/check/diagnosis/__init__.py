"""Diagnosis: which likely mistake explains a wrong formula.

``diagnosis`` compares a wrong side with likely mistakes (another parameter's gradient, a
swapped symbol, a sign or a constant factor, a missing or extra factor, a missing path);
``occurrences`` tries a slip at one place of a symbol written several times; ``rereadings``
reads the text as the student may have meant it (missing brackets, an index that does not
run with its sum); ``transposition`` swaps the two indices of one name; ``matrix_mistakes``
rewrites a matrix-form side one mistake at a time (a transpose, ⊙ for a product, σ′, the
wrong layer). ``shared_weights`` names a flipped kernel and a shared weight's gradient not
summed over its positions; ``over_time`` the mistakes of back-propagation through time (the
sum over time or the recurrent term left out, σ′ at the wrong step); ``pooling`` a
max-pooling gradient spread over its window; ``dropout`` dropout's backward pass without its
1/p scale; ``embedding`` an embedding row's gradient from one occurrence of its token.
"""
