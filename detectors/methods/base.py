"""The record every drift method exports: its function, its result and its metadata.

A method module (``wasserstein.py``, ``chi_square.py``, ...) defines a pure function over two
numpy arrays (reference, current) returning a :class:`MethodResult`, and one
:class:`DriftMethod` constant. The package ``__init__`` lists those constants in a plain
dict; nothing registers itself.

Every result carries an **effect size**: a distance between the two distributions that the
feature's threshold is compared with (higher means more drift). Distances are their own
effect size. Tests with a p-value also report one, so that a tiny but statistically
significant difference on a million rows does not page anyone:

- numeric tests on the empirical CDFs (Kolmogorov-Smirnov, Anderson-Darling, Cramér-von
  Mises) use the Kolmogorov-Smirnov distance ``D = max |F_ref - F_cur|``;
- categorical tests (chi-square, G-test, Fisher, Z) use the total variation distance
  ``TVD = sum |p_ref - p_cur| / 2``.

Both read as "the share of the population that moved": at most that share of values would
have to change to turn one distribution into the other.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from store.specs import FeatureType


@dataclass(frozen=True, slots=True)
class MethodResult:
    """What a method found.

    ``statistic`` is the method's own statistic (the distance, or a test's statistic such as
    chi-square or Anderson-Darling's); it may be infinite (chi-square with a category the
    reference never had). ``p_value`` is None for distances. ``effect_size`` is always finite.
    """

    statistic: float
    effect_size: float
    p_value: float | None = None

    @classmethod
    def distance(cls, value: float) -> MethodResult:
        """The result of a method whose statistic is its own effect size."""
        return cls(statistic=float(value), effect_size=float(value))


#: ``(reference, current) -> result``. Numeric methods get float64 arrays of finite
#: values; categorical methods get arrays of category labels (strings, or numbers for
#: low-cardinality numeric columns). Nulls are removed; both arrays are non-empty.
MethodFunction = Callable[[NDArray[Any], NDArray[Any]], MethodResult]

#: ``(reference, current) -> reason or None``: why the result would be meaningless for
#: these arrays even though both have values (e.g. no spread to normalise by).
UndefinedCheck = Callable[[NDArray[Any], NDArray[Any]], str | None]


def always_defined(reference: NDArray[Any], current: NDArray[Any]) -> str | None:
    """The check of a method whose result is meaningful for any non-empty inputs."""
    return None


@dataclass(frozen=True, slots=True)
class DriftMethod:
    """A drift statistic and its metadata.

    ``default_threshold`` applies to the effect size. ``has_p_value`` says whether the
    method is a test (its p-value then also has to pass, after the multiple-testing
    correction of :mod:`detectors.decision`). ``evidently`` is the name of the matching
    Evidently 0.7 stattest.
    """

    name: str
    title: str
    kinds: frozenset[FeatureType]
    default_threshold: float
    function: MethodFunction
    evidently: str
    has_p_value: bool = False
    undefined_reason: UndefinedCheck = always_defined

    def applies_to(self, kind: FeatureType) -> bool:
        return kind in self.kinds

    def is_breach(self, effect_size: float, threshold: float) -> bool:
        """Whether an effect size is drift at ``threshold`` (the boundary counts as drift,
        as in Evidently)."""
        return effect_size >= threshold

    def __call__(self, reference: NDArray[Any], current: NDArray[Any]) -> MethodResult:
        return self.function(reference, current)


def is_constant(values: NDArray[np.float64]) -> bool:
    """True when a non-empty numeric array has a single distinct value."""
    return bool(values.size > 0 and values.min() == values.max())


def finite_or_none(value: float | None) -> float | None:
    """``value`` when it is a finite number, else None (JSON has no infinity or NaN)."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def too_few_for_a_test(reference: NDArray[Any], current: NDArray[Any]) -> str | None:
    """Tests on empirical distributions need at least two values on each side."""
    if reference.size < 2 or current.size < 2:
        return (
            f"a test needs at least 2 values on each side; got {reference.size} in the "
            f"reference and {current.size} in the current data"
        )
    return None
