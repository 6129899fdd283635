"""The processor half of the batch writer: one thread that moves the spool into the store.

Shaped like OpenTelemetry's ``BatchProcessor``: producers :meth:`~BatchProcessor.notify`
it after appending to the spool; a worker thread waits until a batch is full or
``delay`` has passed, reads up to ``max_batch_rows`` rows from its spool position, hands
them to the :class:`~collector.exporter.Exporter` kind by kind, retries with capped
exponential backoff while the store is down, and commits the spool position once every
kind went in. :meth:`force_flush` waits until what was spooled before the call is stored;
:meth:`shutdown` drains within a deadline and leaves the rest in the spool for the next
start. The queue is the spool itself, bounded on disk by ``max_spool_bytes``, so a
database outage fills a disk budget rather than memory, and nothing queued is lost to a
crash.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Generator
from datetime import datetime
from typing import Any, Protocol

from opentelemetry import trace

from collector.batches import Batch, CorruptRecord, decode, spooled_at
from collector.errors import SpoolUnavailable
from collector.exporter import Exporter, ExportResult
from collector.metrics import WriterMetrics
from collector.spool import Record
from collector.spool_files import Position

log = logging.getLogger(__name__)
#: Spans only once ``vigil serve`` installs a provider (``telemetry:``); no-ops until then.
_tracer = trace.get_tracer(__name__)


class DrainedSpool(Protocol):
    """What the writer needs of a spool: a :class:`~collector.spool.Spool` in this process,
    or a :class:`~collector.spool_tail.SpoolTail` in a writer process."""

    def scan(self, start: Position) -> Generator[Record, None, None]: ...
    def commit(self, position: Position, records: int) -> None: ...
    def end(self) -> Position: ...
    def committed(self) -> Position: ...
    def close(self) -> None: ...


def spool_lag_seconds(spool: DrainedSpool, clock: Callable[[], datetime]) -> float:
    """Age of the oldest spooled batch not yet stored; 0 when drained."""
    if spool.committed() >= spool.end():
        return 0.0
    with contextlib.closing(spool.scan(spool.committed())) as records:
        for record in records:
            if record.payload is not None:
                with contextlib.suppress(CorruptRecord):
                    age = clock() - spooled_at(record.payload)
                    return max(0.0, age.total_seconds())
    return 0.0


def backoff_seconds(attempt: int, initial: float = 0.05, maximum: float = 30.0) -> float:
    """Pause before retry number ``attempt`` (0-based): doubling from ``initial``, capped."""
    return min(maximum, initial * 2 ** min(attempt, 32))


class BatchProcessor:
    """Drains ``spool`` through ``exporter`` on a background thread."""

    def __init__(
        self,
        spool: DrainedSpool,
        exporter: Exporter,
        metrics: WriterMetrics,
        clock: Callable[[], datetime],
        *,
        max_batch_rows: int = 5000,
        delay: float = 0.2,
        max_backoff: float = 30.0,
    ) -> None:
        self._spool = spool
        self._exporter = exporter
        self._metrics = metrics
        self._clock = clock
        self._max_rows = max_batch_rows
        self._delay = delay
        self._max_backoff = max_backoff
        self._cond = threading.Condition()
        self._fresh_rows = 0
        self._flushes = 0
        self._stopping = False
        self._deadline = float("inf")
        self._thread = threading.Thread(target=self._run, name="vigil-batch-writer", daemon=True)

    def start(self) -> None:
        """Start the worker; it first replays whatever an earlier run left in the spool."""
        self._thread.start()

    def notify(self, rows: int) -> None:
        """``rows`` more rows were appended to the spool."""
        with self._cond:
            self._fresh_rows += rows
            self._cond.notify_all()

    def force_flush(self, timeout: float = 30.0) -> bool:
        """Wait until everything spooled before this call is stored; False on timeout."""
        target = self._spool.end()
        with self._cond:
            self._flushes += 1
            self._cond.notify_all()
            try:
                return self._cond.wait_for(
                    lambda: self._spool.committed() >= target or not self._thread.is_alive(),
                    timeout,
                ) and (self._spool.committed() >= target)
            finally:
                self._flushes -= 1

    def shutdown(self, timeout: float = 10.0) -> bool:
        """Drain for at most ``timeout`` seconds, stop, close the spool; True if drained."""
        with self._cond:
            self._stopping = True
            self._deadline = time.monotonic() + timeout
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout + 1.0)
        drained = self._spool.committed() >= self._spool.end()
        self._spool.close()
        return drained

    def lag_seconds(self) -> float:
        """Age of the oldest spooled batch not yet stored; 0 when drained."""
        return spool_lag_seconds(self._spool, self._clock)

    # The worker thread.

    def _run(self) -> None:
        cursor = self._spool.committed()
        while True:
            with self._cond:
                if not self._stopping and self._spool.end() <= cursor:
                    self._cond.wait()
                    continue
                filled_by = time.monotonic() + self._delay
                while not (self._stopping or self._flushes or self._fresh_rows >= self._max_rows):
                    left = filled_by - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                if self._stopping and (
                    self._spool.end() <= cursor or time.monotonic() >= self._deadline
                ):
                    return
            moved = self._drain_once(cursor)
            if moved == cursor:  # nothing readable, or the store is down: do not spin
                self._pause(max(self._delay, 0.05))
            cursor = moved

    def _pause(self, seconds: float) -> None:
        """Sleep ``seconds``, or less if shutdown begins meanwhile."""
        with self._cond:
            stopping = self._stopping
            self._cond.wait_for(lambda: self._stopping != stopping, seconds)

    def _drain_once(self, cursor: Position) -> Position:
        batches: list[Batch] = []
        rows = records = 0
        end = cursor
        with contextlib.closing(self._spool.scan(cursor)) as scanned:
            for record in scanned:
                end = record.end
                if record.payload is None:
                    continue
                records += 1
                try:
                    batch = decode(record.payload)
                except CorruptRecord as exc:
                    log.error("skipping spool record before %s: %s", end, exc)
                    self._metrics.undecodable()
                    continue
                batches.append(batch)
                rows += len(batch.rows)
                if rows >= self._max_rows:
                    break
        if end == cursor:
            return cursor
        with _tracer.start_as_current_span(
            "vigil.writer.flush", attributes={"vigil.rows": rows, "vigil.records": records}
        ) as span:
            exported = self._export(batches)
            span.set_attribute("vigil.stored", exported)
        if not exported:
            return cursor
        try:
            self._spool.commit(end, records)
        except SpoolUnavailable as exc:
            log.error("%s; the batch will be stored again (idempotently)", exc)
            return cursor
        with self._cond:
            self._fresh_rows = max(0, self._fresh_rows - rows)
            self._cond.notify_all()
        return end

    def _export(self, batches: list[Batch]) -> bool:
        """Export every kind, retrying with backoff; False if stopped before it all went in."""
        by_kind: dict[str, list[Any]] = {}
        for batch in batches:
            by_kind.setdefault(batch.kind, []).extend(batch.rows)
        attempt = 0
        while by_kind:
            kind, rows = next(iter(by_kind.items()))
            if self._export_kind(kind, rows) is ExportResult.SUCCESS:
                del by_kind[kind]
                attempt = 0
                continue
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._pause(min(backoff_seconds(attempt, maximum=self._max_backoff), remaining))
            attempt += 1
        return True

    def _export_kind(self, kind: str, rows: list[Any]) -> ExportResult:
        """Never let an exporter's bug kill the thread: log it, and retry like an outage."""
        try:
            return self._exporter.export(kind, rows)
        except Exception:
            log.exception("exporting %d %s rows failed unexpectedly; will retry", len(rows), kind)
            self._metrics.store_failed()
            return ExportResult.RETRYABLE_FAILURE
