"""Hellinger distance (numeric and categorical features), in [0, 1].

Matches Evidently 0.7's ``hellinger`` stattest (``.../stattests/hellinger_distance.py``):

- categorical: ``sqrt(1 - clip(sum(sqrt(p_ref * p_cur)), 0, 1))`` over the union of
  categories, each side's shares being its counts over its size;
- numeric: both sides are histogrammed as densities on Sturges bin edges computed from the
  *distinct values* of both sides together (not from all values, as PSI's bins are), and the
  Bhattacharyya coefficient is ``sum(sqrt(h_ref * h_cur)) * bin_width``.

Default threshold 0.1, as in Evidently.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.methods.base import DriftMethod, MethodResult
from detectors.methods.binning import is_numeric
from detectors.methods.counts import category_counts, shares


def _from_coefficient(coefficient: float) -> float:
    return float(np.sqrt(1.0 - float(np.clip(coefficient, 0.0, 1.0))))


def _numeric_coefficient(reference: NDArray[np.float64], current: NDArray[np.float64]) -> float:
    distinct = np.unique(np.concatenate([reference, current]))
    edges = np.histogram_bin_edges(distinct, bins="sturges")
    reference_density = np.histogram(reference, bins=edges, density=True)[0]
    current_density = np.histogram(current, bins=edges, density=True)[0]
    width = (edges.max() - edges.min()) / (len(edges) - 1)
    return float(np.sum(np.sqrt(reference_density * current_density)) * width)


def hellinger_distance(reference: NDArray[Any], current: NDArray[Any]) -> float:
    """Hellinger distance between two non-empty arrays, binned as Evidently bins them."""
    if is_numeric(reference):
        return _from_coefficient(_numeric_coefficient(reference, current))
    _, reference_counts, current_counts = category_counts(reference, current)
    coefficient = np.sum(np.sqrt(shares(reference_counts) * shares(current_counts)))
    return _from_coefficient(float(coefficient))


def hellinger(reference: NDArray[Any], current: NDArray[Any]) -> MethodResult:
    """The distance as a method result (no p-value)."""
    return MethodResult.distance(hellinger_distance(reference, current))


HELLINGER = DriftMethod(
    name="hellinger",
    title="Hellinger distance",
    kinds=frozenset({"numeric", "categorical", "boolean"}),
    default_threshold=0.1,
    function=hellinger,
    evidently="hellinger",
)
