"""What a pipeline's run reports say about the freshness of its output, read for one window.

A *successful* run (status ``success``) makes the pipeline's output fresh as of its
``output_freshness`` (the time of the newest data it produced), or, when it did not report
one, as of its ``finished_at``. The run is *known* from its ``finished_at`` on (from its
``received_at`` when it reported no ``finished_at``): that is when the output existed.

Freshness SLIs (``slo.freshness``) need, for a window ``[start, end)``: the successful runs
known inside it, the newest output known before it, and when the pipeline first reported a
run at all. :func:`freshness_history` reads all three in one statement, using the
``(pipeline, started_at)`` index's leading column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, Integer, case, func, literal_column, select, union_all
from sqlalchemy.exc import SQLAlchemyError

from store.errors import StoreUnavailable
from store.schema import pipeline_runs

#: The status of a run whose output counts.
SUCCESS = "success"


@dataclass(frozen=True, slots=True)
class FreshnessHistory:
    """A pipeline's freshness as known over one window ``[start, end)``."""

    #: When the pipeline's first run started (any status); None if it never reported one.
    first_report: datetime | None
    #: The newest output of the successful runs known before ``start``, if any.
    fresh_before: datetime | None
    #: ``(known_at, fresh_as_of)`` of each successful run known in ``[start, end)``, sorted.
    runs: tuple[tuple[datetime, datetime], ...]


def freshness_history(
    engine: Engine, pipeline: str, start: datetime, end: datetime
) -> FreshnessHistory:
    """The runs of ``pipeline`` that say how fresh its output was over ``[start, end)``."""
    if start >= end:
        raise ValueError(f"empty window: start {start} is not before end {end}")
    known_at = func.coalesce(pipeline_runs.c.finished_at, pipeline_runs.c.received_at)
    as_of = func.coalesce(
        pipeline_runs.c.output_freshness, pipeline_runs.c.finished_at, pipeline_runs.c.received_at
    )
    success = pipeline_runs.c.status == SUCCESS
    mine = pipeline_runs.c.pipeline == pipeline
    inside = select(literal_column("0", Integer()).label("part"), known_at, as_of).where(
        mine, success, known_at >= start, known_at < end
    )
    edges = select(
        literal_column("1", Integer()),
        func.min(pipeline_runs.c.started_at),
        func.max(case((success & (known_at < start), as_of))),
    ).where(mine)
    try:
        with engine.connect() as conn:
            rows = conn.execute(union_all(inside, edges)).all()
    except SQLAlchemyError as exc:
        raise StoreUnavailable(
            f"could not read the runs of pipeline {pipeline!r}: {type(exc).__name__}"
        ) from None
    first = before = None
    runs: list[tuple[datetime, datetime]] = []
    for part, a, b in rows:
        if int(part) == 1:
            first, before = a, b
        else:
            runs.append((a, b))
    return FreshnessHistory(first_report=first, fresh_before=before, runs=tuple(sorted(runs)))
