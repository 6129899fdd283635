"""Drift of all of a model's columns in one window: test each, then decide together.

The array-level core shared by the drift detector (:mod:`detectors.drift`, which first turns
event JSON into arrays), the release gate (:mod:`detectors.check`, which reads files) and the
alert-noise simulation in the tests: :func:`column_drift` for every column, the
Benjamini-Hochberg correction across them, then persistence against earlier windows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from numpy.typing import NDArray

from detectors.column_drift import ColumnDrift, column_drift
from detectors.config import DriftConfig, Persistence
from detectors.decision import PersistenceOutcome, WindowVerdict, persistent, window_verdicts
from detectors.methods import METHODS, DriftMethod
from store.specs import FeatureType

#: A column to test: its kind, its usable reference values and its usable current values.
ColumnInput = tuple[FeatureType, NDArray[Any], NDArray[Any]]


@dataclass(frozen=True, slots=True)
class ColumnOutcome:
    """A column's test, this window's verdict and the persistence decision."""

    drift: ColumnDrift
    verdict: WindowVerdict
    persistence: PersistenceOutcome

    @property
    def computable(self) -> bool:
        return self.drift.result is not None

    @property
    def breach(self) -> bool:
        return self.computable and self.persistence.breach


def decide(
    tested: Mapping[str, ColumnDrift],
    config: DriftConfig,
    earlier: Mapping[str, Sequence[bool]] | None = None,
    persistence: Persistence | None = None,
) -> dict[str, ColumnOutcome]:
    """Verdicts and persistence for columns already tested (``persistence`` overrides the
    config's, e.g. ``Persistence(k=1, m=1)`` for a one-off comparison)."""
    rule = persistence or config.persistence
    verdicts = window_verdicts(tested, config.alpha)
    previous = earlier or {}
    return {
        name: ColumnOutcome(
            drift, verdicts[name], persistent(verdicts[name].drifted, previous.get(name, ()), rule)
        )
        for name, drift in tested.items()
    }


def window_drift(
    columns: Mapping[str, ColumnInput],
    config: DriftConfig,
    earlier: Mapping[str, Sequence[bool]] | None = None,
    methods: Mapping[str, DriftMethod] = METHODS,
    persistence: Persistence | None = None,
) -> dict[str, ColumnOutcome]:
    """Test every column and decide which breach, keyed and ordered like ``columns``."""
    tested = {
        name: column_drift(name, kind, reference, current, config, methods)
        for name, (kind, reference, current) in columns.items()
    }
    return decide(tested, config, earlier, persistence)
