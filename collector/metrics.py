"""The collector's own Prometheus metrics, registered on a registry passed in (never the global)."""

from __future__ import annotations

import threading
from typing import Any, Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class WriterMetrics(Protocol):
    """What the batch writer reports, wherever it runs (see :class:`RelayedWriterMetrics`)."""

    def stored(self, kind: str, rows: int, inserted: int, seconds: float) -> None:
        """``rows`` of ``kind`` went to the store in ``seconds``; ``inserted`` were new."""

    def store_failed(self) -> None:
        """One attempt found the store unavailable (it is retried)."""

    def undecodable(self) -> None:
        """One spool record could not be decoded and was skipped."""


class CollectorMetrics:
    """Counters and histograms of ingestion, and the depth and lag of the spool."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.ingested = Counter(
            "vigil_ingested_events_total",
            "Events stored, by kind (predictions, labels, pipeline_runs).",
            ["kind"],
            registry=registry,
        )
        self.duplicates = Counter(
            "vigil_duplicate_events_total",
            "Events accepted but already stored (retries, replays), by kind.",
            ["kind"],
            registry=registry,
        )
        self.rejected = Counter(
            "vigil_rejected_events_total",
            "Events or requests rejected, by kind and reason.",
            ["kind", "reason"],
            registry=registry,
        )
        self.write_seconds = Histogram(
            "vigil_store_write_seconds",
            "Time to commit one batch to the store (per request in direct mode, per writer "
            "batch in spool mode), by kind.",
            ["kind"],
            registry=registry,
            buckets=_LATENCY_BUCKETS,
        )
        self.spool_fsync_seconds = Histogram(
            "vigil_spool_fsync_seconds",
            "Time of each spool fsync (one per group of requests written together): what an "
            "acknowledgement waits for; a slow or shared disk shows here first.",
            registry=registry,
            buckets=_LATENCY_BUCKETS,
        )
        self.spool_bytes = Gauge(
            "vigil_spool_bytes",
            "Bytes accepted into the spool and not yet stored.",
            registry=registry,
        )
        self.spool_records = Gauge(
            "vigil_spool_records",
            "Accepted requests (spool records) not yet stored.",
            registry=registry,
        )
        self.writer_lag = Gauge(
            "vigil_writer_lag_seconds",
            "Age of the oldest accepted batch not yet stored (0 when the spool is drained).",
            registry=registry,
        )
        self.writer_failures = Counter(
            "vigil_writer_store_failures_total",
            "Writer attempts that found the store unavailable (each is retried).",
            registry=registry,
        )
        self.writer_restarts = Counter(
            "vigil_writer_restarts_total",
            "Times the writer process (collector.writer: process) died and was started again.",
            registry=registry,
        )
        self.undecodable_records = Counter(
            "vigil_spool_undecodable_records_total",
            "Spool records skipped because they could not be decoded.",
            registry=registry,
        )

    # WriterMetrics: what the writer reports, in this process or relayed from its own.

    def stored(self, kind: str, rows: int, inserted: int, seconds: float) -> None:
        self.write_seconds.labels(kind).observe(seconds)
        self.ingested.labels(kind).inc(inserted)
        self.duplicates.labels(kind).inc(rows - inserted)

    def store_failed(self) -> None:
        self.writer_failures.inc()

    def undecodable(self) -> None:
        self.undecodable_records.inc()

    def replay(self, events: list[tuple[Any, ...]]) -> None:
        """Apply what a :class:`RelayedWriterMetrics` recorded in the writer process."""
        for name, *args in events:
            if name == "stored":
                self.stored(*args)
            elif name == "store_failed":
                self.store_failed()
            elif name == "undecodable":
                self.undecodable()


class RelayedWriterMetrics:
    """The writer process's :class:`WriterMetrics`: records each report until it is taken
    (:meth:`take`) and sent to the collector process, which applies it to its own
    :class:`CollectorMetrics` (:meth:`CollectorMetrics.replay`), so ``/metrics`` shows
    one set of counters wherever the writer runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[tuple[Any, ...]] = []

    def stored(self, kind: str, rows: int, inserted: int, seconds: float) -> None:
        with self._lock:
            self._events.append(("stored", kind, rows, inserted, seconds))

    def store_failed(self) -> None:
        with self._lock:
            self._events.append(("store_failed",))

    def undecodable(self) -> None:
        with self._lock:
            self._events.append(("undecodable",))

    def take(self) -> list[tuple[Any, ...]]:
        """The reports since the last call, oldest first."""
        with self._lock:
            events, self._events = self._events, []
        return events
