"""The record every drift method exports: its function and what a caller needs to know.

A method module (``wasserstein.py``, ``jensen_shannon.py``, ...) defines a pure function
over two numpy arrays (reference, current) and one :class:`DriftMethod` constant. The
package ``__init__`` lists those constants in a plain dict; nothing registers itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from store.specs import FeatureType

#: ``(reference, current) -> value``. Numeric methods get float64 arrays of finite
#: values; categorical methods get arrays of category labels (``str``). Nulls are removed.
MethodFunction = Callable[[NDArray[Any], NDArray[Any]], float]

#: ``(reference, current) -> reason or None``: why the value would be meaningless for
#: these arrays even though both have enough values (e.g. no spread to normalise by).
UndefinedCheck = Callable[[NDArray[Any], NDArray[Any]], str | None]


def always_defined(reference: NDArray[Any], current: NDArray[Any]) -> str | None:
    """The check of a method whose value is meaningful for any non-empty inputs."""
    return None


@dataclass(frozen=True, slots=True)
class DriftMethod:
    """A drift statistic and its metadata.

    ``higher_means_drift`` says what a breach is: True for distances (breach when
    ``value >= threshold``), False for p-values (breach when ``value < threshold``).
    """

    name: str
    title: str
    kinds: frozenset[FeatureType]
    default_threshold: float
    function: MethodFunction
    undefined_reason: UndefinedCheck = always_defined
    higher_means_drift: bool = True

    def applies_to(self, kind: FeatureType) -> bool:
        return kind in self.kinds

    def is_breach(self, value: float, threshold: float) -> bool:
        """Whether ``value`` is drift at ``threshold`` (the boundary itself counts as drift
        for distances, as in Evidently)."""
        if self.higher_means_drift:
            return value >= threshold
        return value < threshold

    def __call__(self, reference: NDArray[Any], current: NDArray[Any]) -> float:
        return float(self.function(reference, current))


def is_constant(values: NDArray[np.float64]) -> bool:
    """True when a non-empty numeric array has a single distinct value."""
    return bool(values.size > 0 and values.min() == values.max())
