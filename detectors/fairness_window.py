"""Fairness of one window: compare the groups of each protected attribute, as signals.

:func:`window_fairness` is a pure function of a binary model's spec (its ``protected``
attributes), a window's labelled predictions with their features, and the config. An
attribute's value is read from the prediction's features, else from its segment; rows
without it are left out for that attribute. With ``intersections``, every pair of
attributes is compared too (attribute ``a&b``, groups ``x&y``).

One signal per metric and attribute (subject ``<metric>/<attribute>``): the metric as the
value, and in the details every group's size and rates, the groups left out for being
smaller than ``min_group_size``, and the label coverage. Confidence intervals
(:mod:`detectors.fairness.intervals`) cover the compared groups only: ``interval``, the
metric's stratified-bootstrap interval (seeded by ``config.seed`` and the window end, so a
re-evaluation of unchanged data stores the same one), and ``group_intervals``, each compared
group's Wilson interval per rate.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from itertools import combinations
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.fairness import FAIRNESS_METRICS, group_rates
from detectors.fairness.intervals import group_intervals, metric_intervals
from detectors.label_encoding import encode_binary
from detectors.metrics import NotComputable
from detectors.performance_config import FairnessConfig, MetricBound
from store.labelled import LabelledWindow
from store.records import Signal, SignalStatus
from store.specs import ModelSpec

DETECTOR = "fairness"


def attribute_values(window: LabelledWindow, attribute: str) -> NDArray[np.object_]:
    """Each row's value of ``attribute`` as text (features first, then segment), or None."""
    features = window.features if window.features is not None else [None] * window.labelled
    values = np.empty(window.labelled, dtype=object)
    for i, (row, segment) in enumerate(zip(features, window.segment, strict=True)):
        value = (row or {}).get(attribute)
        if value is None and isinstance(segment, dict):
            value = segment.get(attribute)
        values[i] = None if value is None else str(value)
    return values


def attributes(
    window: LabelledWindow, spec: ModelSpec, config: FairnessConfig
) -> dict[str, NDArray[np.object_]]:
    """The compared attributes (and, with intersections, pairs) and their values per row."""
    found = {name: attribute_values(window, name) for name in spec.protected}
    if config.intersections:
        for a, b in combinations(spec.protected, 2):
            pairs = [
                None if x is None or y is None else f"{x}&{y}"
                for x, y in zip(found[a], found[b], strict=True)
            ]
            found[f"{a}&{b}"] = np.array(pairs, dtype=object)
    return found


def _status(value: float, bound: MetricBound) -> SignalStatus:
    below = bound.min is not None and value < bound.min
    above = bound.max is not None and value > bound.max
    return "breach" if below or above else "ok"


def window_rng(seed: int, end: datetime) -> np.random.Generator:
    """The bootstrap generator of the window ending at ``end``."""
    return np.random.default_rng([seed, int(end.timestamp())])


def window_fairness(
    spec: ModelSpec,
    window: LabelledWindow,
    start: datetime,
    end: datetime,
    config: FairnessConfig,
    rng: np.random.Generator | None = None,
) -> list[Signal]:
    """The fairness signals of one binary model's window."""
    rng = window_rng(config.seed, end) if rng is None else rng
    chosen = [FAIRNESS_METRICS[name] for name in config.metrics]
    encoded = encode_binary(window, config.positive_label, config.decision_threshold)
    found = []
    for attribute, all_values in attributes(window, spec, config).items():
        values = all_values[encoded.rows]
        present = np.array([v is not None for v in values], dtype=bool)
        rates = group_rates(
            encoded.data.y_true[present],
            encoded.data.y_pred[present],
            values[present].astype(str),
        )
        large = rates.size >= config.min_group_size
        compared = rates.keep(large)
        details: dict[str, Any] = {
            "attribute": attribute,
            "groups": rates.table(),
            "small_groups": [g for g, k in zip(rates.groups, large, strict=True) if not k],
            "min_group_size": config.min_group_size,
            "coverage": window.coverage,
            "group_intervals": group_intervals(compared, config.confidence),
        }
        intervals = metric_intervals(
            chosen, compared, rng, config.bootstrap_resamples, config.confidence
        )
        for name, bound in config.metrics.items():
            result = FAIRNESS_METRICS[name].compute(compared)
            value = None if isinstance(result, NotComputable) else result
            extra: dict[str, Any] = (
                {"reason": result.reason} if isinstance(result, NotComputable) else {}
            )
            found_interval = intervals.get(name) if value is not None else None
            extra["interval"] = None if found_interval is None else asdict(found_interval)
            found.append(
                Signal(
                    detector=DETECTOR,
                    model=spec.name,
                    subject=f"{name}/{attribute}"[:200],
                    metric=name,
                    window_start=start,
                    window_end=end,
                    value=value,
                    threshold=bound.min if bound.min is not None else bound.max,
                    status="not_computable" if value is None else _status(value, bound),
                    sample_size=int(compared.size.sum()),
                    details={**details, "bound": bound.model_dump(), **extra},
                )
            )
    return found
