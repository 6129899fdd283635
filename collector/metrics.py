"""The collector's own Prometheus metrics, registered on a registry passed in (never the global)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


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
        self.undecodable = Counter(
            "vigil_spool_undecodable_records_total",
            "Spool records skipped because they could not be decoded.",
            registry=registry,
        )
