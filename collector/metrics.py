"""The collector's own Prometheus metrics, registered on a registry passed in (never the global)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


class CollectorMetrics:
    """Counters and histograms of ingestion."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.ingested = Counter(
            "vigil_ingested_events_total",
            "Events stored, by kind (predictions, labels).",
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
            "Time to commit one accepted batch to the store.",
            ["kind"],
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )
