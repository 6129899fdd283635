"""Wasserstein distance normalised by the reference's spread (numeric features).

Matches Evidently 0.7's ``wasserstein`` stattest
(``evidently/legacy/calculations/stattests/wasserstein_distance_norm.py``)::

    norm = max(float(np.std(reference_data)), 0.001)
    value = scipy.stats.wasserstein_distance(reference_data, current_data) / norm

``np.std`` is the population standard deviation (ddof=0). The value reads as "how many
reference standard deviations the distribution moved": 0.1 is Evidently's default threshold.
Evidently drops NaN and +/-inf before calling the test; our caller does the same.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detectors.methods.base import DriftMethod, is_constant

#: Evidently's floor for the normaliser, so a constant reference does not divide by zero.
MIN_NORM = 0.001


def wasserstein_distance_norm(
    reference: NDArray[np.float64], current: NDArray[np.float64]
) -> float:
    """First Wasserstein distance between the samples, divided by ``max(std(reference), 0.001)``.

    Both arrays must be non-empty and finite.
    """
    # scipy loads on first use: the CLI's import path stays light (tests/test_architecture.py).
    from scipy import stats

    norm = max(float(np.std(reference)), MIN_NORM)
    return float(stats.wasserstein_distance(reference, current)) / norm


def both_constant(reference: NDArray[np.float64], current: NDArray[np.float64]) -> str | None:
    """Reference and current each hold a single value: the distance has no scale.

    With a constant reference the normaliser is the 0.001 floor, so the value is the raw
    shift times 1000 -- an artefact of the floor, not a measure of drift. When only the
    reference is constant, a spread appearing in the current window is real drift and the
    value is kept (as Evidently does); when both are constant, we say so instead.
    """
    if is_constant(reference) and is_constant(current):
        return "reference and current are both constant: the normalised distance has no scale"
    return None


WASSERSTEIN = DriftMethod(
    name="wasserstein",
    title="Wasserstein distance (normed by reference std)",
    kinds=frozenset({"numeric"}),
    default_threshold=0.1,
    function=wasserstein_distance_norm,
    undefined_reason=both_constant,
)
