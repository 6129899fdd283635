"""The batch writer's hook: profile each stored batch of predictions and merge it into the store.

Called by :class:`collector.writer.BatchProcessor` after a kind's rows are stored. Like an
OpenTelemetry processor it never raises into its caller: a failure (the database went away
between the rows and their profile, say) is logged once until profiling works again and
counted in ``failures``; the rows themselves are already stored, and the drift detector
falls back to them.

The reference bin edges are read from the store (written by the detectors when they fit a
reference) and re-read every ``edges_ttl`` seconds, so a refitted reference reaches running
collectors without a restart.

Profiles are merged into the store with every batch. Reservoirs are kept in memory
across batches (Algorithm R over this collector's stream) and merged into the store every
``reservoir_flush`` seconds and by :meth:`Profiler.flush`: rewriting a sample of a thousand
rows with every batch would cost more than profiling it. Each flush sends the sample of the
rows seen since the last one, so the store merges disjoint samples, which keeps the merged
sample uniform; a crash loses at most the unflushed part of the sample (never an event).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine

from collector.profiles.accumulator import Edges, profile_batch
from collector.profiles.config import ProfilesConfig
from store.profile_records import Reservoir
from store.profiles import ReservoirKey, read_reference_bins, upsert_profiles, upsert_reservoirs
from store.specs import ModelSpec

log = logging.getLogger(__name__)


class Profiler:
    """``profiler(kind, rows)``: profile and store ``rows`` when they are predictions."""

    def __init__(
        self,
        engine: Engine,
        models: Iterable[ModelSpec],
        config: ProfilesConfig,
        clock: Callable[[], datetime],
        *,
        edges_ttl: float = 60.0,
        reservoir_flush: float = 10.0,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._models = {spec.name: spec for spec in models}
        self._config = config
        self._settings = config.sketches
        self._clock = clock
        self._rng = np.random.default_rng(config.seed)
        self._edges: Edges = {}
        self._edges_read = -float("inf")
        self._edges_ttl = edges_ttl
        self._timer = timer
        self._pending: dict[ReservoirKey, Reservoir] = {}
        self._reservoir_flush = reservoir_flush
        self._flushed = timer()
        self._failing = False
        self.failures = 0

    @property
    def recipe(self) -> tuple[tuple[ModelSpec, ...], ProfilesConfig]:
        """What it takes to build the same profiler elsewhere (a writer process)."""
        return tuple(self._models.values()), self._config

    def _current_edges(self) -> Edges:
        if self._timer() - self._edges_read >= self._edges_ttl:
            self._edges = read_reference_bins(self._engine, self._models)
            self._edges_read = self._timer()
        return self._edges

    def __call__(self, kind: str, rows: Sequence[Any]) -> None:
        if kind != "predictions" or not rows or not self._config.enabled:
            return
        self._guarded(len(rows), lambda: self._profile(rows))

    def flush(self) -> None:
        """Merge the reservoirs sampled since the last flush into the store."""
        self._guarded(0, self._flush_reservoirs)

    def _profile(self, rows: Sequence[dict[str, Any]]) -> None:
        batch = profile_batch(
            rows,
            self._models,
            self._current_edges(),
            self._settings,
            self._rng,
            self._config.reservoir_size,
            self._config.reservoir_window,
            self._pending,
        )
        upsert_profiles(self._engine, batch.profiles, self._clock(), self._settings)
        if self._timer() - self._flushed >= self._reservoir_flush:
            self._flush_reservoirs()

    def _flush_reservoirs(self) -> None:
        self._flushed = self._timer()
        pending, self._pending = self._pending, {}
        try:
            upsert_reservoirs(self._engine, pending, self._clock(), self._rng)
        except Exception:
            self._pending = pending  # tried again at the next flush
            raise

    def _guarded(self, rows: int, work: Callable[[], None]) -> None:
        try:
            work()
        except Exception:
            self.failures += 1
            if not self._failing:
                log.exception("profiling failed (%d predictions); their rows are stored", rows)
                self._failing = True
            return
        if self._failing:
            log.warning("profiling works again")
            self._failing = False
