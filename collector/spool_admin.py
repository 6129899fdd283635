"""Operator views of a spool, for the CLI: what is waiting, and draining it without serving.

:func:`spool_status` only reads files, so it works beside a running collector (which holds
the folder lock). :func:`drain_spool` takes the lock, so it refuses while one runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from collector.config import CollectorConfig
from collector.ingestion import open_ingestion
from collector.metrics import CollectorMetrics
from collector.spool_files import (
    Position,
    list_segments,
    load_checkpoint,
    read_records,
    segment_path,
)

if TYPE_CHECKING:
    from collector.profiles.profiler import Profiler


@dataclass(frozen=True)
class SpoolStatus:
    """What a spool folder holds that the store does not have yet."""

    segments: int
    pending_bytes: int
    pending_records: int
    checkpoint: Position | None


def spool_status(spool_dir: Path) -> SpoolStatus:
    """Read-only summary of ``spool_dir`` (an absent folder is an empty spool)."""
    if not spool_dir.is_dir():
        return SpoolStatus(0, 0, 0, None)
    numbers = list_segments(spool_dir)
    checkpoint = load_checkpoint(spool_dir)
    start = checkpoint or Position(numbers[0] if numbers else 1, 0)
    pending_bytes = pending_records = 0
    for number in (n for n in numbers if n >= start.segment):
        path = segment_path(spool_dir, number)
        offset = start.offset if number == start.segment else 0
        pending_bytes += max(0, path.stat().st_size - offset)
        pending_records += sum(1 for *_, torn in read_records(path, offset, None) if not torn)
    return SpoolStatus(len(numbers), pending_bytes, pending_records, checkpoint)


def drain_spool(
    engine: Engine,
    config: CollectorConfig,
    spool_dir: Path,
    metrics: CollectorMetrics,
    clock: Callable[[], datetime],
    timeout: float = 300.0,
    profiler: Profiler | None = None,
) -> bool:
    """Store everything in the spool, then stop; True if it drained within ``timeout``.

    With ``profiler`` the predictions are stored with their profiles, as ``vigil serve``'s
    writer stores them (otherwise their minutes would have no profile), and its reservoir
    sample is flushed at the end."""
    ingestion = open_ingestion(
        engine,
        config.model_copy(update={"durability": "spool"}),
        spool_dir,
        metrics,
        clock,
        profiler,
    )
    ingestion.start()
    try:
        return ingestion.force_flush(timeout)
    finally:
        ingestion.shutdown(timeout=5)
        if profiler is not None:
            profiler.flush()
