"""The reading end of a spool, for a writer that runs in another process than the appender.

The collector process owns the :class:`~collector.spool.Spool` (its lock, its appends, its
segment deletions). A writer process (:mod:`collector.writer_process`) drains the same
folder through a :class:`SpoolTail`: it reads only up to the end the collector says is
fsynced (:meth:`SpoolTail.advance`), saves the checkpoint itself once a batch is stored,
and tells the collector through ``on_commit``, which then releases the drained segments.
It offers what :class:`~collector.writer.BatchProcessor` uses of a spool, so the same
processor runs in either place.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from pathlib import Path

from collector.spool import Record, checkpoint, scan_records
from collector.spool_files import Position, list_segments


class SpoolTail:
    """Read ``directory`` from ``committed`` up to the last end given to :meth:`advance`."""

    def __init__(
        self,
        directory: Path,
        committed: Position,
        on_commit: Callable[[Position, int], None],
    ) -> None:
        self._dir = directory
        self._lock = threading.Lock()
        self._committed = committed
        self._end = committed
        self._on_commit = on_commit

    def advance(self, end: Position) -> None:
        """Records up to ``end`` are fsynced."""
        with self._lock:
            if end > self._end:
                self._end = end

    def scan(self, start: Position) -> Generator[Record, None, None]:
        """Records from ``start`` up to the end known now."""
        with self._lock:
            end = self._end
        numbers = [n for n in list_segments(self._dir) if start.segment <= n <= end.segment]
        return scan_records(self._dir, numbers, start, end)

    def commit(self, position: Position, records: int) -> None:
        """Save the checkpoint at ``position`` (everything before it is stored), then report."""
        checkpoint(self._dir, position)
        with self._lock:
            self._committed = max(self._committed, position)
        self._on_commit(position, records)

    def end(self) -> Position:
        with self._lock:
            return self._end

    def committed(self) -> Position:
        with self._lock:
            return self._committed

    def close(self) -> None:
        """Nothing to release: the collector process owns the folder."""
