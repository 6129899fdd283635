"""The drift methods on profiles: the same formulas as :mod:`detectors.methods`, fed counts
or sketches instead of raw values, each with a bound on its error.

``bound`` is the largest difference from the same statistic computed on the raw values
(99 % confidence): 0 when the counts are exact, None when the statistic has no useful bound
(PSI, KL and chi-square blow up as a share nears zero, so an approximate share has no
bounded effect on them). With approximate shares off by at most ``e_ref`` and ``e_cur`` in
total variation, the metrics among the distances are bounded by the triangle inequality:

- total variation: ``e_ref + e_cur``;
- Hellinger: ``sqrt(e_ref) + sqrt(e_cur)`` (``H**2 <= TV``);
- Jensen-Shannon distance (natural log): ``sqrt(ln2 * e_ref) + sqrt(ln2 * e_cur)``
  (``JSD <= ln2 * TV``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from detectors.methods.base import MethodResult
from detectors.methods.chi_square import chi_square_from_counts
from detectors.methods.counts import fill_zeroes, shares
from detectors.methods.jensen_shannon import jensen_shannon_from_counts
from detectors.methods.kl_divergence import kl_from_shares
from detectors.methods.psi import psi_from_shares
from detectors.methods.total_variation import total_variation_from_counts_with_p
from detectors.profile_drift.counts import AlignedCounts, categorical_counts, numeric_counts
from detectors.profile_drift.quantiles import ks_from_profiles, wasserstein_from_profiles
from store.profile_records import FeatureProfile

_LN2 = math.log(2.0)


@dataclass(frozen=True, slots=True)
class ProfileResult:
    """A method's result on profiles and the bound on its difference from the exact value."""

    result: MethodResult
    bound: float | None


def _integers(counts: NDArray[np.float64]) -> NDArray[np.int64]:
    return np.rint(counts).astype(np.int64)


def _psi(c: AlignedCounts) -> ProfileResult:
    value = psi_from_shares(fill_zeroes(shares(c.reference)), fill_zeroes(shares(c.current)))
    return ProfileResult(MethodResult.distance(value), 0.0 if c.exact else None)


def _kl(c: AlignedCounts) -> ProfileResult:
    value = kl_from_shares(fill_zeroes(shares(c.reference)), fill_zeroes(shares(c.current)))
    return ProfileResult(MethodResult.distance(value), 0.0 if c.exact else None)


def _jensen_shannon(c: AlignedCounts) -> ProfileResult:
    value = jensen_shannon_from_counts(c.reference, c.current)
    bound = math.sqrt(_LN2 * c.reference_error) + math.sqrt(_LN2 * c.current_error)
    return ProfileResult(MethodResult.distance(value), bound)


def _hellinger(c: AlignedCounts) -> ProfileResult:
    coefficient = float(np.sum(np.sqrt(shares(c.reference) * shares(c.current))))
    value = math.sqrt(1.0 - min(1.0, max(0.0, coefficient)))
    bound = math.sqrt(c.reference_error) + math.sqrt(c.current_error)
    return ProfileResult(MethodResult.distance(value), bound)


def _total_variation(c: AlignedCounts) -> ProfileResult:
    result = total_variation_from_counts_with_p(_integers(c.reference), _integers(c.current))
    return ProfileResult(result, c.reference_error + c.current_error)


def _chi_square(c: AlignedCounts) -> ProfileResult:
    result = chi_square_from_counts(_integers(c.reference), _integers(c.current))
    return ProfileResult(result, 0.0 if c.exact else None)


#: Methods on aligned counts, by the names of :data:`detectors.methods.METHODS`.
COUNT_METHODS: Mapping[str, Callable[[AlignedCounts], ProfileResult]] = MappingProxyType(
    {
        "psi": _psi,
        "kl_div": _kl,
        "jensen_shannon": _jensen_shannon,
        "hellinger": _hellinger,
        "tvd": _total_variation,
        "chisquare": _chi_square,
    }
)
#: Methods on the KLL sketches of numeric profiles.
SKETCH_METHODS = frozenset({"ks", "wasserstein"})
#: Every method that runs on profiles.
PROFILE_METHODS = frozenset(COUNT_METHODS) | SKETCH_METHODS


def profile_method(
    method: str,
    reference: FeatureProfile,
    current: FeatureProfile,
    edges: NDArray[np.float64] | None = None,
) -> ProfileResult:
    """Run ``method`` on two profiles with values (numeric binned methods need ``edges``)."""
    if method == "ks":
        distance, p_value, bound = ks_from_profiles(reference, current)
        return ProfileResult(MethodResult(distance, distance, p_value), bound)
    if method == "wasserstein":
        value, bound = wasserstein_from_profiles(reference, current)
        return ProfileResult(MethodResult.distance(value), bound)
    if method not in COUNT_METHODS:
        raise ValueError(f"method {method!r} does not run on profiles")
    if reference.kind == "numeric":
        if edges is None:
            raise ValueError(f"{method} on a numeric profile needs the reference bin edges")
        counts = numeric_counts(reference, current, edges)
    else:
        counts = categorical_counts(reference, current)
    return COUNT_METHODS[method](counts)
