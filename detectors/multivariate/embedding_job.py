"""The scheduled embedding drift job: each model with ``embedding`` features and a reference.

The thin shell around :func:`detectors.multivariate.embedding.embedding_drift`, run like
the drift job: ``end`` is ``now`` aligned to the interval; a reference that cannot be loaded
gives each embedding feature a ``not_computable`` signal that says why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from detectors.errors import ReferenceDataError
from detectors.multivariate.config import EmbeddingDriftConfig
from detectors.multivariate.embedding import DETECTOR, embedding_drift
from detectors.reference_cache import ReferenceCache
from store.durations import align
from store.predictions import window_features
from store.records import Signal
from store.scheduling import ScheduledJob
from store.signals import write_signals
from store.specs import ModelSpec

JOB_NAME = "embedding_drift"


class EmbeddingDriftRunner:
    """One tick of the embedding drift job."""

    def __init__(
        self,
        engine: Engine,
        models: Sequence[ModelSpec],
        config: EmbeddingDriftConfig,
        references: ReferenceCache,
    ) -> None:
        self._engine = engine
        self._config = config
        self._references = references
        self.models = tuple(
            s
            for s in models
            if s.reference is not None and any(f.type == "embedding" for f in s.features)
        )

    def _model_signals(self, spec: ModelSpec, start: datetime, end: datetime) -> list[Signal]:
        reference = self._references.get(spec, "embedding drift")
        if isinstance(reference, ReferenceDataError):
            found = []
            for feature in spec.features:
                if feature.type != "embedding":
                    continue
                method, distance, threshold = self._config.for_feature(feature.name)
                found.append(
                    Signal(
                        detector=DETECTOR, model=spec.name, subject=feature.name,
                        metric=method if method == "model" else f"distance:{distance}",
                        window_start=start, window_end=end, value=None, threshold=threshold,
                        status="not_computable", sample_size=0,
                        details={"reason": f"reference dataset unusable: {reference}"},
                    )
                )  # fmt: skip
            return found
        rows = window_features(self._engine, spec.name, start, end)
        return embedding_drift(spec, reference, rows, start, end, self._config)

    def __call__(self, now: datetime) -> list[Signal]:
        """Compute and store the signals of ``[end - window, end)``; returns them."""
        end = align(now, self._config.interval)
        start = end - self._config.window
        found = [s for spec in self.models for s in self._model_signals(spec, start, end)]
        write_signals(self._engine, found, now)
        return found


def embedding_drift_job(
    engine: Engine,
    models: tuple[ModelSpec, ...],
    config: EmbeddingDriftConfig,
    resolve_path: Callable[[str], Path],
    references: ReferenceCache | None = None,
) -> ScheduledJob:
    """The embedding drift job (pass the drift job's ``references`` to load each once)."""
    return ScheduledJob(
        name=JOB_NAME,
        interval=config.interval,
        run=EmbeddingDriftRunner(
            engine, models, config, references or ReferenceCache(resolve_path)
        ),
    )
