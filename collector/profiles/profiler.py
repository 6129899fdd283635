"""The batch writer's profiles: each stored batch of predictions profiled in the transaction
that stores it.

:meth:`Profiler.store_predictions` is how the spool's writer and the direct sink store
predictions when profiles are on: the rows go in (duplicates skipped), and the profiles of
the rows that went in (:func:`store.dml.inserted_positions`) are merged into the store in
the same transaction. So a batch replayed after a crash, or an event a client sent twice,
is profiled once, like it is stored once; and profiles never run ahead of their rows.

Like an OpenTelemetry processor the profiling never fails the write: an error (a bug, a
sketch that does not merge) rolls back to a savepoint, is logged once until profiling
works again and counted in ``failures``; the rows commit, and the drift detector falls back
to them for the minutes without a profile.

The reference bin edges are read from the store (written by the detectors when they fit a
reference) and re-read every ``edges_ttl`` seconds, so a refitted reference reaches running
collectors without a restart.

Reservoirs are kept in memory across batches (Algorithm R over this collector's stream)
and merged into the store every ``reservoir_flush`` seconds and by :meth:`Profiler.flush`:
rewriting a sample of a thousand rows with every batch would cost more than profiling it.
A batch's rows join the sample only once its transaction committed. Each flush sends the
sample of the rows seen since the last one, so the store merges disjoint samples, which
keeps the merged sample uniform; a crash loses at most the unflushed part of the sample
(never an event).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

import numpy as np
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from collector.profiles.accumulator import Edges, profile_batch
from collector.profiles.config import ProfilesConfig
from store.predictions import PreparedRow, insert_prepared_predictions
from store.profile_records import Reservoir
from store.profiles import (
    ReservoirKey,
    read_reference_bins,
    upsert_profiles_in,
    upsert_reservoirs,
)
from store.specs import ModelSpec

log = logging.getLogger(__name__)


class Profiler:
    """Stores predictions with their profiles (:meth:`store_predictions`); one per writer."""

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
        #: Held from a batch's profiles to its commit (:meth:`store_predictions`).
        self._lock = threading.Lock()
        self.failures = 0

    @property
    def recipe(self) -> tuple[tuple[ModelSpec, ...], ProfilesConfig]:
        """What it takes to build the same profiler elsewhere (a writer process)."""
        return tuple(self._models.values()), self._config

    def _current_edges(self) -> Edges:
        """The reference bin edges, re-read once ``edges_ttl`` has passed (the last ones read
        while the store cannot be read; the write that follows then fails anyway)."""
        if self._timer() - self._edges_read >= self._edges_ttl:
            with contextlib.suppress(SQLAlchemyError):
                self._edges = read_reference_bins(self._engine, self._models)
                self._edges_read = self._timer()
        return self._edges

    def store_predictions(self, rows: Sequence[PreparedRow]) -> int:
        """Store prepared prediction rows (duplicates skipped) and merge the profiles of
        those that went in, in one transaction; return how many went in. Raises
        :class:`~store.errors.StoreUnavailable` like the store's own writer.

        Concurrent callers (the direct sink's request threads) insert side by side; from
        their profiles to their commit they take turns, as the profile rows of a minute
        they share are locked until commit in the database anyway, and each batch's
        reservoirs derive from the sample the previous batch left.
        """
        if not self._config.enabled:
            return insert_prepared_predictions(self._engine, rows)
        edges = self._current_edges()
        sampled: list[dict[ReservoirKey, Reservoir]] = []
        locked = False

        def profile(conn: Connection, stored: list[PreparedRow]) -> None:
            nonlocal locked
            self._lock.acquire()
            locked = True
            reservoirs = self._profile_in(conn, stored, edges)
            if reservoirs is not None:
                sampled.append(reservoirs)

        try:
            stored = insert_prepared_predictions(self._engine, rows, then=profile)
            if sampled:  # committed: the batch's rows join the sample
                self._pending = sampled[-1]
        finally:
            if locked:
                self._lock.release()
        if self._timer() - self._flushed >= self._reservoir_flush:
            self.flush()
        return stored

    def flush(self) -> None:
        """Merge the reservoirs sampled since the last flush into the store."""
        with self._lock:
            self._guarded(0, self._flush_reservoirs)

    def _profile_in(
        self, conn: Connection, rows: list[PreparedRow], edges: Edges
    ) -> dict[ReservoirKey, Reservoir] | None:
        """Merge the profiles of ``rows`` in ``conn``'s transaction, under a savepoint;
        return the reservoirs with ``rows`` offered (kept once the transaction commits), or
        None if profiling failed (rolled back to the savepoint, counted, logged)."""
        reservoirs = dict(self._pending)

        def work() -> None:
            batch = profile_batch(
                rows,
                self._models,
                edges,
                self._settings,
                self._rng,
                self._config.reservoir_size,
                self._config.reservoir_window,
                reservoirs,
            )
            with conn.begin_nested():
                upsert_profiles_in(conn, batch.profiles, self._clock(), self._settings)

        return reservoirs if self._guarded(len(rows), work) else None

    def _flush_reservoirs(self) -> None:
        self._flushed = self._timer()
        pending, self._pending = self._pending, {}
        try:
            upsert_reservoirs(self._engine, pending, self._clock(), self._rng)
        except Exception:
            self._pending = pending  # tried again at the next flush
            raise

    def _guarded(self, rows: int, work: Callable[[], None]) -> bool:
        """Run ``work``; on an error log it (once until it works again), count it, and
        return False instead of raising."""
        try:
            work()
        except Exception:
            self.failures += 1
            if not self._failing:
                log.exception("profiling failed (%d predictions); their rows are stored", rows)
                self._failing = True
            return False
        if self._failing:
            log.warning("profiling works again")
            self._failing = False
        return True
