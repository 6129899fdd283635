"""Writing prediction events and labels, and reading a model's window of features."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from store.dml import insert_ignoring_conflicts
from store.errors import StoreUnavailable
from store.label_upsert import upsert_labels
from store.schema import labels, models, predictions

#: Rows per INSERT statement: large enough to amortise round trips, small enough to stay
#: under SQLite's bound-parameter limit for a 10-column table.
_CHUNK = 2000
#: Labels are also looked up by (model, request_id) pairs, two parameters each.
_LABEL_CHUNK = 400


def _chunks(rows: Sequence[dict[str, Any]], size: int = _CHUNK) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield list(rows[start : start + size])


def insert_predictions(engine: Engine, rows: Sequence[dict[str, Any]]) -> int:
    """Insert prediction rows (dicts with the ``predictions`` columns); duplicates are skipped.

    Returns the number of rows actually inserted. Duplicates are (model, request_id) pairs
    already stored, so a retried or replayed batch is stored once.
    """
    try:
        with engine.begin() as conn:
            return sum(
                insert_ignoring_conflicts(conn, predictions, chunk, ["model", "request_id"])
                for chunk in _chunks(rows)
            )
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not store predictions: {type(exc).__name__}") from None


def insert_labels(engine: Engine, rows: Sequence[dict[str, Any]]) -> int:
    """Insert label rows; a later label (newer ``ts``) for a stored (model, request_id)
    replaces it, with an audit entry (:mod:`store.label_upsert`). Returns the rows inserted
    or replaced: a re-sent or older label counts as a duplicate."""
    try:
        with engine.begin() as conn:
            return sum(upsert_labels(conn, chunk) for chunk in _chunks(rows, _LABEL_CHUNK))
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not store labels: {type(exc).__name__}") from None


def register_models(engine: Engine, specs: Iterable[tuple[str, str]], now: datetime) -> None:
    """Make sure every configured (name, task) has a row in ``models``."""
    rows = [{"name": name, "task": task, "created_at": now} for name, task in specs]
    with engine.begin() as conn:
        for chunk in _chunks(rows):
            insert_ignoring_conflicts(conn, models, chunk, ["name"])


def window_features(
    engine: Engine, model: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """The ``features`` dicts of a model's predictions with ``start <= ts < end``."""
    stmt = (
        select(predictions.c.features)
        .where(
            predictions.c.model == model,
            predictions.c.ts >= start,
            predictions.c.ts < end,
        )
        .order_by(predictions.c.ts)
    )
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(stmt)]


def count_predictions(engine: Engine, model: str | None = None) -> int:
    """How many predictions are stored, for one model or all."""
    stmt = select(func.count()).select_from(predictions)
    if model is not None:
        stmt = stmt.where(predictions.c.model == model)
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def count_labels(engine: Engine, model: str | None = None) -> int:
    """How many labels are stored, for one model or all."""
    stmt = select(func.count()).select_from(labels)
    if model is not None:
        stmt = stmt.where(labels.c.model == model)
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())
