"""Data-pipeline run reports: one row per (pipeline, run_id), updated by later reports.

A run is usually reported twice (``running`` when it starts, ``success`` or ``failed`` when
it ends). The upsert keeps the latest report, with two guards: a value a later report
leaves out (``finished_at``, ``rows``, ``output_freshness``) keeps what was stored, and a
late or retried ``running`` never reopens a run that already finished.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from store.errors import StoreUnavailable
from store.schema import pipeline_runs

_COLUMNS = (
    "pipeline",
    "run_id",
    "status",
    "started_at",
    "finished_at",
    "rows",
    "output_freshness",
    "received_at",
)
_KEEP_IF_MISSING = ("finished_at", "rows", "output_freshness")


def merge_reports(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The row after ``new`` is reported for a run stored as ``old`` (the SQL upsert's rule)."""
    merged = dict(new)
    for column in _KEEP_IF_MISSING:
        if merged.get(column) is None:
            merged[column] = old.get(column)
    if new["status"] == "running" and old["status"] != "running":
        merged["status"] = old["status"]
    return merged


def _fold(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per run, in first-seen order: one statement may not update a row twice."""
    folded: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["pipeline"], row["run_id"])
        folded[key] = merge_reports(folded[key], row) if key in folded else dict(row)
    return list(folded.values())


def upsert_pipeline_runs(engine: Engine, rows: Sequence[dict[str, Any]]) -> int:
    """Insert or update runs from reports; return how many reports were applied (all of them:
    a report for a known run merges into it, it is never a duplicate)."""
    folded = [{c: row.get(c) for c in _COLUMNS} for row in _fold(rows)]
    if not folded:
        return 0
    try:
        with engine.begin() as conn:
            dialect = conn.dialect.name
            insert: Any = (postgresql if dialect == "postgresql" else sqlite).insert(pipeline_runs)
            new = insert.excluded
            stmt = insert.on_conflict_do_update(
                index_elements=["pipeline", "run_id"],
                set_={
                    "status": case(
                        (
                            (new.status == "running") & (pipeline_runs.c.status != "running"),
                            pipeline_runs.c.status,
                        ),
                        else_=new.status,
                    ),
                    "started_at": new.started_at,
                    "received_at": new.received_at,
                    **{c: func.coalesce(new[c], pipeline_runs.c[c]) for c in _KEEP_IF_MISSING},
                },
            )
            conn.execute(stmt, folded)
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not store pipeline runs: {type(exc).__name__}") from None
    return len(rows)


def get_pipeline_run(engine: Engine, pipeline: str, run_id: str) -> dict[str, Any] | None:
    """The stored row of one run, or None."""
    stmt = select(pipeline_runs).where(
        pipeline_runs.c.pipeline == pipeline, pipeline_runs.c.run_id == run_id
    )
    try:
        with engine.connect() as conn:
            row = conn.execute(stmt).mappings().first()
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not read pipeline runs: {type(exc).__name__}") from None
    return dict(row) if row is not None else None


def runs_of(
    engine: Engine, pipelines: Sequence[str], started_before: datetime, limit: int = 50
) -> dict[str, list[dict[str, Any]]]:
    """Each pipeline's latest runs started before ``started_before``, newest first (at most
    ``limit`` per pipeline), as stored rows: what the pipeline quality check reads."""
    found: dict[str, list[dict[str, Any]]] = {name: [] for name in pipelines}
    if not pipelines:
        return found
    stmt = (
        select(pipeline_runs)
        .where(
            pipeline_runs.c.pipeline.in_(list(pipelines)),
            pipeline_runs.c.started_at < started_before,
        )
        .order_by(pipeline_runs.c.pipeline, pipeline_runs.c.started_at.desc())
    )
    try:
        with engine.connect() as conn:
            for row in conn.execute(stmt).mappings():
                runs = found[row["pipeline"]]
                if len(runs) < limit:
                    runs.append(dict(row))
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not read pipeline runs: {type(exc).__name__}") from None
    return found


def last_success(
    engine: Engine, pipelines: Sequence[str], finished_before: datetime
) -> dict[str, datetime | None]:
    """When each pipeline's latest successful run finished (None: never), up to a time."""
    stmt = (
        select(pipeline_runs.c.pipeline, func.max(pipeline_runs.c.finished_at))
        .where(
            pipeline_runs.c.pipeline.in_(list(pipelines)),
            pipeline_runs.c.status == "success",
            pipeline_runs.c.finished_at <= finished_before,
        )
        .group_by(pipeline_runs.c.pipeline)
    )
    found: dict[str, datetime | None] = dict.fromkeys(pipelines)
    if not pipelines:
        return found
    try:
        with engine.connect() as conn:
            for name, finished in conn.execute(stmt):
                found[name] = finished
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not read pipeline runs: {type(exc).__name__}") from None
    return found
