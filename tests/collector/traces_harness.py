"""A ``/v1/traces`` app for tests, in either durability mode, and OTLP request builders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from collector_harness import KEYS, NOW
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from collector.config import CollectorConfig
from collector.ingestion import Ingestion, open_ingestion
from collector.metrics import CollectorMetrics
from collector.traces_api import traces_router

TRACE_ID = "5b8efff798038103d269b633813fc60c"
START_NS = 1_772_438_400_000_000_000  # 2026-03-02T08:00:00Z


@dataclass
class TracesApp:
    """The app, its metrics registry and its sink."""

    app: FastAPI
    registry: CollectorRegistry
    sink: Ingestion

    def flush(self) -> None:
        """Wait (bounded) until the writer stored everything accepted so far."""
        assert self.sink.force_flush(timeout=10), "the writer did not drain within 10 s"


class TracesAppFactory:
    """Builds :class:`TracesApp` instances and shuts their writers down at teardown."""

    def __init__(self, spool_dir: Path) -> None:
        self.spool_dir = spool_dir
        self._sinks: list[Ingestion] = []

    def __call__(
        self,
        engine: Engine,
        durability: str = "direct",
        clock: Callable[[], datetime] = lambda: NOW,
        **settings: Any,
    ) -> TracesApp:
        settings.setdefault("writer_delay_seconds", 0.01)
        config = CollectorConfig(
            api_keys=KEYS, durability=durability, spool_dir=str(self.spool_dir), **settings
        )
        registry = CollectorRegistry()
        metrics = CollectorMetrics(registry)
        sink = open_ingestion(engine, config, self.spool_dir, metrics, clock)
        sink.start()
        self._sinks.append(sink)
        app = FastAPI()
        app.include_router(traces_router(config, metrics, clock, sink))
        return TracesApp(app, registry, sink)

    def close(self) -> None:
        for sink in self._sinks:
            sink.shutdown(timeout=5)


def json_span(span_id: str, name: str = "predict", **overrides: Any) -> dict[str, Any]:
    """One span in OTLP/JSON: hex ids, camelCase, 64-bit integers as strings."""
    return {
        "traceId": TRACE_ID,
        "spanId": span_id,
        "name": name,
        "kind": 2,
        "startTimeUnixNano": str(START_NS),
        "endTimeUnixNano": str(START_NS + 42_000_000),
        "attributes": [{"key": "ml.model.name", "value": {"stringValue": "credit"}}],
        "status": {"code": 1},
        **overrides,
    }


def json_request(*spans: dict[str, Any], service: str = "scoring-api") -> dict[str, Any]:
    """An OTLP/JSON ExportTraceServiceRequest of one resource and scope."""
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": service}}]
                },
                "scopeSpans": [{"scope": {"name": "tests"}, "spans": list(spans)}],
            }
        ]
    }
