"""Energy distance normalised by the reference's spread (numeric features).

Evidently 0.7's ``ed`` stattest (``.../stattests/energy_distance.py``) returns
``scipy.stats.energy_distance(reference, current)`` in the feature's own units and calls it
drift when it exceeds 0.1. A threshold in units means nothing across features (0.1 dollars
of income, 0.1 years of age), so **Vigil divides by ``max(std(reference), 0.001)``**, exactly
as Evidently normalises the Wasserstein distance. The energy distance scales linearly with
the data, so the normed value is the raw one of the standardised feature; Evidently's value
is ``statistic * norm`` (the parity tests check that). The boundary counts as drift here
(``>=``) as for every Vigil method; Evidently's ``ed`` alone uses ``>``.

The distance is ``sqrt(2) * (integral (F - G)^2)^(1/2)``: zero only for equal distributions.
Not computable when both sides are constant (the normaliser would be the floor).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detectors.methods.base import DriftMethod, MethodResult
from detectors.methods.wasserstein import MIN_NORM, both_constant


def energy_distance_raw(reference: NDArray[np.float64], current: NDArray[np.float64]) -> float:
    """scipy's energy distance, in the feature's units (Evidently's value)."""
    from scipy import stats

    return float(stats.energy_distance(reference, current))


def energy_distance(reference: NDArray[np.float64], current: NDArray[np.float64]) -> MethodResult:
    """Energy distance divided by the reference's standard deviation (no p-value)."""
    norm = max(float(np.std(reference)), MIN_NORM)
    return MethodResult.distance(energy_distance_raw(reference, current) / norm)


ENERGY_DISTANCE = DriftMethod(
    name="energy_distance",
    title="Energy distance (normed by reference std)",
    kinds=frozenset({"numeric"}),
    default_threshold=0.1,
    function=energy_distance,
    evidently="ed",
    undefined_reason=both_constant,
)
