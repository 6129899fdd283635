"""Embedding drift: one signal per ``embedding`` feature, detector ``embedding_drift``.

A pure function of the reference's vectors (:attr:`detectors.reference.Reference.embeddings`)
and the window's feature dicts. Each feature's method is the domain classifier of
:mod:`.embedding_model` (default) or the distance between mean vectors of
:mod:`.embedding_distance`, as configured (:class:`.config.EmbeddingDriftConfig`); the
signal's metric is ``model`` or ``distance:euclidean`` / ``distance:cosine``.

Window vectors that are not lists of finite numbers of the reference's length are dropped
and counted (``details["current_invalid"]``). Not computable, with the reason, when the
feature is hashed or dropped as personal data, absent from the reference, or has fewer than
``min_rows`` vectors on a side. At most ``sample_size`` vectors per side are drawn, with a
seed taken from the window's end.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.multivariate.base import MultivariateResult, NotComputable
from detectors.multivariate.config import EmbeddingDriftConfig
from detectors.multivariate.embedding_distance import embedding_distance
from detectors.multivariate.embedding_model import embedding_model
from detectors.multivariate.matrix import sample_rows
from detectors.reference import Reference
from store.records import Signal, SignalStatus
from store.specs import FeatureSpec, ModelSpec

DETECTOR = "embedding_drift"


def window_vectors(raw: Sequence[object], dimension: int) -> tuple[NDArray[np.float64], int, int]:
    """The usable vectors of a window, and how many values were null and invalid."""
    kept: list[list[float]] = []
    nulls = invalid = 0
    for value in raw:
        if value is None:
            nulls += 1
            continue
        if not isinstance(value, list | tuple) or len(value) != dimension:
            invalid += 1
            continue
        try:
            vector = [float(v) for v in value]
        except (TypeError, ValueError):
            invalid += 1
            continue
        if all(math.isfinite(v) for v in vector):
            kept.append(vector)
        else:
            invalid += 1
    return np.asarray(kept, dtype=np.float64).reshape(len(kept), dimension), nulls, invalid


def _feature_signal(
    spec: ModelSpec,
    feature: FeatureSpec,
    reference: Reference,
    rows: Sequence[Mapping[str, Any]],
    start: datetime,
    end: datetime,
    config: EmbeddingDriftConfig,
) -> Signal:
    method, distance, threshold = config.for_feature(feature.name)
    metric = method if method == "model" else f"distance:{distance}"
    details: dict[str, Any] = {"method": method}
    result: MultivariateResult | None = None
    size = 0
    ref = reference.embeddings.get(feature.name)
    if feature.pii is not None:
        verb = "hashes" if feature.pii == "hash" else "drops"
        details["reason"] = f"the collector {verb} this feature (pii): not comparable"
    elif ref is None:
        details["reason"] = "the feature is not in the loaded reference dataset"
    else:
        current, nulls, invalid = window_vectors([r.get(feature.name) for r in rows], ref.shape[1])
        size = int(current.shape[0])
        details.update(
            dimension=int(ref.shape[1]), reference_rows=int(ref.shape[0]),
            current_nulls=nulls, current_invalid=invalid,
        )  # fmt: skip
        if min(ref.shape[0], size) < config.min_rows:
            details["reason"] = (
                f"{ref.shape[0]} reference and {size} current vectors; min_rows is "
                f"{config.min_rows}"
            )
        else:
            rng = np.random.default_rng(int(end.timestamp()) % (2**32))
            ref_rows = sample_rows(ref, config.sample_size, rng)
            cur_rows = sample_rows(current, config.sample_size, rng)
            try:
                if method == "model":
                    result = embedding_model(ref_rows, cur_rows, threshold, config.pca_components)
                else:
                    result = embedding_distance(
                        ref_rows, cur_rows, distance, threshold, config.pca_components
                    )
            except NotComputable as exc:
                details["reason"] = str(exc)
    status: SignalStatus = "not_computable"
    if result is not None:
        details.update(result.details)
        status = "breach" if result.drifted else "ok"
    return Signal(
        detector=DETECTOR, model=spec.name, subject=feature.name, metric=metric,
        window_start=start, window_end=end, value=None if result is None else result.value,
        threshold=threshold, status=status, sample_size=size, details=details,
    )  # fmt: skip


def embedding_drift(
    spec: ModelSpec,
    reference: Reference,
    window_rows: Sequence[Mapping[str, Any]],
    window_start: datetime,
    window_end: datetime,
    config: EmbeddingDriftConfig,
) -> list[Signal]:
    """One signal per embedding feature of ``spec``, in declared order (none: no signal)."""
    return [
        _feature_signal(spec, f, reference, window_rows, window_start, window_end, config)
        for f in spec.features
        if f.type == "embedding"
    ]
