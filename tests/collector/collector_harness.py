"""An ingestion app for tests, in either durability mode, with its keys, models and events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from collector.api import ingestion_router
from collector.config import ApiKeyConfig, CollectorConfig, WriterPlacement
from collector.ingestion import Ingestion, open_ingestion
from collector.metrics import CollectorMetrics
from collector.profiles.profiler import Profiler
from store.specs import FeatureSpec, ModelSpec

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INGEST_KEY = "ingest-key-0123456789"
READ_KEY = "read-only-key-0123456789"
OTHER_MODEL_KEY = "other-model-key-012345"
KEYS = (
    ApiKeyConfig(name="svc", key=INGEST_KEY, scopes=("ingest",)),
    ApiKeyConfig(name="reader", key=READ_KEY, scopes=("read",)),
    ApiKeyConfig(name="churn-svc", key=OTHER_MODEL_KEY, models=("churn",)),
)
MODELS = (
    ModelSpec(name="credit", features=(FeatureSpec(name="income", type="numeric"),)),
    ModelSpec(name="churn", features=(FeatureSpec(name="tenure", type="numeric"),)),
)


def auth(key: str = INGEST_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def prediction(i: int, model: str = "credit", **extra: Any) -> dict[str, Any]:
    feature = "income" if model == "credit" else "tenure"
    return {
        "model": model,
        "version": "v1",
        "request_id": f"r{i}",
        "timestamp": "2026-03-02T08:00:00Z",
        "features": {feature: float(i)},
        "score": 0.5,
        **extra,
    }


@dataclass
class Api:
    """A test client on the ingestion router, its metrics registry and its sink."""

    client: TestClient
    registry: CollectorRegistry
    sink: Ingestion
    durability: str

    def flush(self) -> None:
        """Wait (bounded) until the writer stored everything accepted so far."""
        assert self.sink.force_flush(timeout=10), "the writer did not drain within 10 s"

    def metric(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0


class ApiFactory:
    """Builds :class:`Api` instances and shuts their writers down at teardown."""

    def __init__(self, spool_dir: Path) -> None:
        self.spool_dir = spool_dir
        self._sinks: list[Ingestion] = []

    def __call__(
        self,
        engine: Engine,
        durability: str = "direct",
        *,
        models: Sequence[ModelSpec] = MODELS,
        clock: Callable[[], datetime] = lambda: NOW,
        writer: WriterPlacement = "thread",
        profiler: Profiler | None = None,
        **settings: Any,
    ) -> Api:
        settings.setdefault("writer_delay_seconds", 0.01)
        config = CollectorConfig(
            api_keys=KEYS, durability=durability, spool_dir=str(self.spool_dir), **settings
        )
        registry = CollectorRegistry()
        metrics = CollectorMetrics(registry)
        sink = open_ingestion(
            engine, config, self.spool_dir, metrics, clock, profiler, writer=writer
        )
        sink.start()
        self._sinks.append(sink)
        app = FastAPI()
        app.include_router(ingestion_router(engine, models, config, metrics, clock, sink))
        return Api(TestClient(app), registry, sink, durability)

    def close(self) -> None:
        for sink in self._sinks:
            sink.shutdown(timeout=5)


def process_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, killed but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
