"""The shells around profile drift: fitted references kept, bin edges published, windows read.

- :class:`FittedReferences` fits each loaded reference into profiles once (a reference
  object is reloaded only by a new job list, which brings a new cache).
- :func:`reference_bins_job` publishes each model's bin edges to the store as soon as the
  scheduler starts, and again whenever the reference changes, so the collectors count every
  minute on the edges the drift job compares with. It runs whatever the drift ``source``,
  so that switching to ``profiles`` later finds exact histograms already written.
- :func:`profile_drift_signals` is what the drift job runs for a model with
  ``source: profiles``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine

from detectors.config import DriftConfig
from detectors.errors import ReferenceDataError
from detectors.profile_drift.reference_profile import (
    ReferenceProfiles,
    reference_profiles,
    store_reference_bins,
)
from detectors.profile_drift.window import profile_feature_drift
from detectors.reference import Reference
from detectors.reference_cache import ReferenceCache
from store.bin_edges import edges_id
from store.profiles import window_profiles
from store.records import Signal
from store.scheduling import ScheduledJob
from store.specs import ModelSpec

log = logging.getLogger(__name__)

JOB_NAME = "reference_bins"


class FittedReferences:
    """Each model's reference profiles, refitted only when its loaded reference changes."""

    def __init__(self) -> None:
        self._fitted: dict[str, tuple[Reference, ReferenceProfiles]] = {}

    def get(self, spec: ModelSpec, reference: Reference) -> ReferenceProfiles:
        cached = self._fitted.get(spec.name)
        if cached is not None and cached[0] is reference:
            return cached[1]
        fitted = reference_profiles(spec, reference)
        self._fitted[spec.name] = (reference, fitted)
        return fitted


def profile_drift_signals(
    engine: Engine,
    spec: ModelSpec,
    reference: ReferenceProfiles,
    start: datetime,
    end: datetime,
    config: DriftConfig,
    earlier: Mapping[str, Sequence[bool]] | None = None,
) -> list[Signal]:
    """Drift signals of ``spec`` over ``[start, end)`` from the stored profiles."""
    window = window_profiles(engine, spec.name, start, end)
    return profile_feature_drift(spec, reference, window, start, end, config, earlier)


class ReferenceBinsPublisher:
    """One tick: write the bin edges of every model whose fitted edges changed."""

    def __init__(
        self,
        engine: Engine,
        models: Sequence[ModelSpec],
        references: ReferenceCache,
        fitted: FittedReferences | None = None,
    ) -> None:
        self._engine = engine
        self._models = tuple(m for m in models if m.reference is not None)
        self._references = references
        self._fitted = fitted or FittedReferences()
        self._published: dict[str, dict[str, str]] = {}

    def __call__(self, now: datetime) -> int:
        """Publish what changed; returns how many models' edges were written."""
        written = 0
        for spec in self._models:
            reference = self._references.get(spec, "histograms of profiles")
            if isinstance(reference, ReferenceDataError):
                continue
            fitted = self._fitted.get(spec, reference)
            fingerprints = {name: edges_id(e) for name, e in fitted.edges.items()}
            if self._published.get(spec.name) == fingerprints:
                continue
            store_reference_bins(self._engine, spec, fitted, now)
            self._published[spec.name] = fingerprints
            written += 1
            log.info("bin edges of model %s published for its profiles", spec.name)
        return written


def reference_bins_job(
    engine: Engine,
    models: Sequence[ModelSpec],
    references: ReferenceCache,
    interval: timedelta = timedelta(minutes=5),
) -> ScheduledJob:
    """Publish the reference bin edges at start, then re-check every ``interval``."""
    return ScheduledJob(JOB_NAME, interval, ReferenceBinsPublisher(engine, models, references))
