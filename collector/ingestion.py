"""Where the API hands accepted rows: straight to the store, or to the spool and its writer.

Both modes keep the promise that a 2xx means durable. ``direct`` commits to the store
before answering. ``spool`` fsyncs to the spool before answering and lets a
:class:`~collector.writer.BatchProcessor` move batches to the store, on a thread here or
in a process of its own (:mod:`collector.writer_process`); it answers 429 when the spool
is over its byte budget, and keeps accepting while the database is down.

Whoever runs the server owns the lifecycle: :func:`open_ingestion`, then ``start()``
before serving and ``shutdown()`` after. ``force_flush()`` waits for the writer (tests,
``vigil demo``). In ``direct`` mode the three are no-ops, so callers need not care.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from opentelemetry import trace
from sqlalchemy import Engine

from collector.batches import Batch, Kind, encode, store_ready, write_rows
from collector.config import CollectorConfig, WriterPlacement
from collector.errors import Overloaded
from collector.exporter import StoreExporter
from collector.metrics import CollectorMetrics
from collector.spool import Spool
from collector.spool_files import Position
from collector.writer import BatchProcessor
from collector.writer_process import WriterPlan, WriterProcess

if TYPE_CHECKING:
    from collector.profiles.profiler import Profiler

#: Spans only once ``vigil serve`` installs a provider (``telemetry:``); no-ops until then.
_tracer = trace.get_tracer(__name__)


@dataclass(frozen=True)
class Receipt:
    """What became of an accepted batch: stored now (direct) or spooled (stored later)."""

    accepted: int
    stored: int | None = None
    duplicates: int | None = None

    def as_dict(self) -> dict[str, int]:
        if self.stored is None:
            return {"accepted": self.accepted, "spooled": self.accepted}
        assert self.duplicates is not None
        return {"accepted": self.accepted, "stored": self.stored, "duplicates": self.duplicates}


class Ingestion(Protocol):
    """The sink behind the ingestion endpoints."""

    metrics: CollectorMetrics

    def admit(self) -> None:
        """Raise :class:`Overloaded` before a body is read if no batch can be taken now."""

    def accept(self, kind: Kind, rows: list[Any]) -> Receipt:
        """Make ``rows`` (validated rows of ``kind``; predictions as dicts or prepared rows)
        durable; raise a CollectorError or StoreUnavailable if not."""
        ...

    def ready(self) -> dict[str, Any]:
        """Readiness of the sink itself (``{"ok": bool, ...}``), for ``/readyz``."""
        ...

    def start(self) -> None: ...
    def force_flush(self, timeout: float = 30.0) -> bool: ...
    def shutdown(self, timeout: float = 10.0) -> bool: ...


class DirectIngestion:
    """Commit each batch to the store before answering."""

    def __init__(
        self,
        engine: Engine,
        metrics: CollectorMetrics,
        timer: Callable[[], float] = time.perf_counter,
        profiler: Profiler | None = None,
    ) -> None:
        self._engine = engine
        self._timer = timer
        self.metrics = metrics
        self._profiler = profiler

    def admit(self) -> None:
        return None

    def accept(self, kind: Kind, rows: list[Any]) -> Receipt:
        started = self._timer()
        with _tracer.start_as_current_span(
            "vigil.store.write", attributes={"vigil.kind": kind, "vigil.rows": len(rows)}
        ):
            ready = store_ready(kind, rows)
            stored = write_rows(self._engine, kind, ready, self._profiler)
        self.metrics.stored(kind, len(rows), stored, self._timer() - started)
        return Receipt(len(rows), stored, len(rows) - stored)

    def ready(self) -> dict[str, Any]:
        return {"ok": True, "durability": "direct"}

    def start(self) -> None:
        return None

    def force_flush(self, timeout: float = 30.0) -> bool:
        return True

    def shutdown(self, timeout: float = 10.0) -> bool:
        return True


class Processor(Protocol):
    """The writer behind a spool: a thread here (:class:`~collector.writer.BatchProcessor`)
    or a process of its own (:class:`~collector.writer_process.WriterProcess`)."""

    def start(self) -> None: ...
    def notify(self, rows: int) -> None: ...
    def force_flush(self, timeout: float = 30.0) -> bool: ...
    def shutdown(self, timeout: float = 10.0) -> bool: ...
    def lag_seconds(self) -> float: ...


class SpoolIngestion:
    """Fsync each batch to the spool before answering; a writer (thread or process) stores it."""

    def __init__(
        self,
        spool: Spool,
        processor: Processor,
        metrics: CollectorMetrics,
        clock: Callable[[], datetime],
        *,
        max_spool_bytes: int,
        retry_after: int,
    ) -> None:
        self._spool = spool
        self._processor = processor
        self._clock = clock
        self._max_bytes = max_spool_bytes
        self._retry_after = retry_after
        self.metrics = metrics
        metrics.spool_bytes.set_function(spool.depth_bytes)
        metrics.spool_records.set_function(spool.depth_records)
        metrics.writer_lag.set_function(processor.lag_seconds)

    def admit(self) -> None:
        if self._spool.depth_bytes() >= self._max_bytes:
            raise Overloaded(
                f"the spool holds {self._spool.depth_bytes()} bytes not yet stored "
                f"(limit {self._max_bytes}); retry later",
                self._retry_after,
            )

    def accept(self, kind: Kind, rows: list[Any]) -> Receipt:
        payload = encode(Batch(kind, store_ready(kind, rows), self._clock()))
        if self._spool.depth_bytes() + len(payload) > self._max_bytes:
            raise Overloaded(
                f"accepting {len(payload)} more bytes would put the spool over its limit of "
                f"{self._max_bytes}; retry later",
                self._retry_after,
            )
        with _tracer.start_as_current_span(
            "vigil.spool.append",
            attributes={"vigil.kind": kind, "vigil.rows": len(rows), "vigil.bytes": len(payload)},
        ):
            self._spool.append(payload)  # write + fsync
        self._processor.notify(len(rows))
        return Receipt(len(rows))

    def ready(self) -> dict[str, Any]:
        writable = self._spool.writable()
        return {
            "ok": writable,
            "durability": "spool",
            "spool_writable": writable,
            "spool_bytes": self._spool.depth_bytes(),
        }

    def start(self) -> None:
        self._processor.start()

    def force_flush(self, timeout: float = 30.0) -> bool:
        return self._processor.force_flush(timeout)

    def shutdown(self, timeout: float = 10.0) -> bool:
        return self._processor.shutdown(timeout)


def open_ingestion(
    engine: Engine,
    config: CollectorConfig,
    spool_dir: Path,
    metrics: CollectorMetrics,
    clock: Callable[[], datetime],
    profiler: Profiler | None = None,
    *,
    writer: WriterPlacement = "thread",
    process_setup: Callable[[], Any] | None = None,
) -> Ingestion:
    """The sink ``config.durability`` asks for; a spool is opened (not yet drained) here.

    ``profiler`` stores predictions with their profiles (:mod:`collector.profiles`).
    ``writer="process"`` runs the writer and a profiler built from the same recipe in a
    child process (:mod:`collector.writer_process`), which reads the wall clock rather
    than ``clock`` and first calls ``process_setup``; ``vigil serve`` asks for it
    (``collector.writer``), simulations and tests with a clock of their own do not.
    """
    if config.durability == "direct":
        return DirectIngestion(engine, metrics, profiler=profiler)
    spool = Spool(spool_dir, config.spool_segment_bytes, metrics.spool_fsync_seconds.observe)
    processor: Processor
    if writer == "process":
        url = engine.url.render_as_string(hide_password=False)

        def plan(committed: Position) -> WriterPlan:
            return WriterPlan(
                store_url=url,
                spool_dir=str(spool_dir),
                committed=committed,
                max_batch_rows=config.writer_batch_rows,
                delay=config.writer_delay_seconds,
                max_backoff=config.writer_retry_max_seconds,
                nice=config.writer_nice,
                profiles=profiler.recipe if profiler is not None else None,
                setup=process_setup,
            )

        processor = WriterProcess(spool, plan, metrics, clock)
    else:
        processor = BatchProcessor(
            spool,
            StoreExporter(engine, metrics, profiler=profiler),
            metrics,
            clock,
            max_batch_rows=config.writer_batch_rows,
            delay=config.writer_delay_seconds,
            max_backoff=config.writer_retry_max_seconds,
        )
    return SpoolIngestion(
        spool,
        processor,
        metrics,
        clock,
        max_spool_bytes=config.max_spool_bytes,
        retry_after=config.retry_after_seconds,
    )
