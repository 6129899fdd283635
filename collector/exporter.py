"""The exporter half of the batch writer: ship one kind's rows to the store, say if it worked.

Like an OpenTelemetry span exporter it knows nothing of queues, batching or retries; it
returns a result and the :class:`collector.writer.BatchProcessor` decides what to do next.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from opentelemetry import trace
from sqlalchemy import Engine

from collector.batches import PredictionWriter, write_rows
from collector.metrics import WriterMetrics
from store.errors import StoreUnavailable

log = logging.getLogger(__name__)
#: Spans only once ``vigil serve`` installs a provider (``telemetry:``); no-ops until then.
_tracer = trace.get_tracer(__name__)


class ExportResult(enum.Enum):
    SUCCESS = "success"
    #: The store is unavailable; the same rows may be exported again later.
    RETRYABLE_FAILURE = "retryable_failure"


class Exporter(Protocol):
    def export(self, kind: str, rows: Sequence[Any]) -> ExportResult: ...


class StoreExporter:
    """Writes rows with the store's idempotent bulk writers and counts what happened;
    predictions with their profiles when given a ``profiler``."""

    def __init__(
        self,
        engine: Engine,
        metrics: WriterMetrics,
        timer: Callable[[], float] = time.perf_counter,
        profiler: PredictionWriter | None = None,
    ) -> None:
        self._engine = engine
        self._metrics = metrics
        self._timer = timer
        self._profiler = profiler
        self._failing = False

    def export(self, kind: str, rows: Sequence[Any]) -> ExportResult:
        started = self._timer()
        try:
            with _tracer.start_as_current_span(
                "vigil.store.write", attributes={"vigil.kind": kind, "vigil.rows": len(rows)}
            ):
                stored = write_rows(self._engine, kind, rows, self._profiler)
        except StoreUnavailable as exc:
            self._metrics.store_failed()
            if not self._failing:  # log an outage once, not once per retry
                log.warning("store unavailable, spooled events wait for it: %s", exc)
                self._failing = True
            return ExportResult.RETRYABLE_FAILURE
        if self._failing:
            log.warning("store available again; draining the spool")
            self._failing = False
        self._metrics.stored(kind, len(rows), stored, self._timer() - started)
        return ExportResult.SUCCESS
