"""What every multivariate method returns, and the record that registers it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

#: Which way a method's value breaches its threshold.
Direction = Literal["above", "below"]


class NotComputable(Exception):
    """A method cannot say anything about this data; the message is the reason."""


class MissingExtra(Exception):
    """A method needs an optional extra that is not installed; the message says which."""


@dataclass(frozen=True, slots=True)
class MultivariateResult:
    """A method's value on one window, and whether it drifted.

    ``value`` is what the threshold applies to (an AUC, an error ratio, a p-value); ``details``
    holds the rest (sample sizes, top features, the statistic behind a p-value), JSON-ready.
    """

    value: float
    threshold: float
    drifted: bool
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MultivariateMethod:
    """A multivariate method's metadata (its function is imported lazily by the detector)."""

    name: str
    description: str
    default_threshold: float
    direction: Direction
    #: The config field's bounds: the threshold must lie strictly inside them.
    bounds: tuple[float, float]
    #: The optional extra whose package the method needs (None: core dependencies only).
    extra: str | None = None


def breaches(value: float, threshold: float, direction: Direction) -> bool:
    """Whether ``value`` is past ``threshold`` in the method's direction (strictly)."""
    return value > threshold if direction == "above" else value < threshold


#: The signature every method function has: reference rows, current rows, categorical column
#: mask, column names, threshold, seed.
MethodFunction = Callable[..., MultivariateResult]
