"""Hypothesis profiles: under CI every property test draws the same examples on every run
(derandomized, no example database), so CI cannot flake on a lucky or unlucky draw.
Locally, tests that do not fix their own search draw new examples each run; the property
tests over commands explore more with SYMBACKPROP_PROPERTY_EXPLORE=1."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
