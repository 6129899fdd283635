"""Writing prediction events and labels, and reading a model's window of features."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from store.dml import (
    insert_ignoring_conflicts,
    insert_tuples_ignoring_conflicts,
    inserted_positions,
    sqlite_time,
    store_json,
)
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


#: The columns the collector writes, in the order of the pre-encoded tuples.
PREDICTION_COLUMNS = (
    "model",
    "version",
    "request_id",
    "ts",
    "features",
    "prediction",
    "score",
    "latency_ms",
    "error",
    "received_at",
    "variant",
    "experiment",
    "segment",
    "trace_id",
)
_ABSENT: Any = object()
#: Positions in a prepared row (:func:`prepare_predictions`) that readers of one need.
MODEL, VERSION, REQUEST_ID, TS, FEATURES, PREDICTION, SCORE = range(7)
RECEIVED_AT = PREDICTION_COLUMNS.index("received_at")
#: A prediction row as the store takes it: values in ``PREDICTION_COLUMNS`` order, JSON
#: columns as JSON text, times as UTC text (``YYYY-MM-DD HH:MM:SS.ffffff``). A list when it
#: was read back from a spool record, a tuple when prepared here.
PreparedRow = Sequence[Any]


def prepare_predictions(rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Validated prediction rows (dicts with aware datetimes) as :data:`PreparedRow` tuples.

    The hot loop of ingestion, run once per event where the event is accepted: what comes
    out is what the spool keeps and what the writer hands the driver unchanged, so no JSON
    or time is encoded twice. JSON columns become text; a nullable one whose key is left
    out is SQL NULL, while a value given (None too) is JSON, as SQLAlchemy's ``JSON`` type
    stores them. Times become the naive UTC text ``UTCDateTime`` stores on SQLite (rows of
    one batch share ``received_at``, so its text is cached); PostgreSQL is told the zone
    when they are inserted.
    """
    out = []
    times: dict[datetime, str] = {}
    dumps = store_json
    for row in rows:
        received = row["received_at"]
        text = times.get(received)
        if text is None:
            text = times[received] = sqlite_time(received)
        get = row.get
        prediction, segment = get("prediction", _ABSENT), get("segment", _ABSENT)
        out.append(
            (
                row["model"],
                row["version"],
                row["request_id"],
                sqlite_time(row["ts"]),
                dumps(row["features"]),
                None if prediction is _ABSENT else dumps(prediction),
                get("score"),
                get("latency_ms"),
                get("error"),
                text,
                get("variant"),
                get("experiment"),
                None if segment is _ABSENT else dumps(segment),
                get("trace_id"),
            )
        )
    return out


_TIME_POSITIONS = (TS, RECEIVED_AT)


def _with_utc_zone(rows: Sequence[PreparedRow]) -> list[tuple[Any, ...]]:
    """Prepared rows with ``+00`` after each time, so PostgreSQL never reads them in the
    session's own time zone."""
    out = []
    for row in rows:
        values = list(row)
        for i in _TIME_POSITIONS:
            values[i] = values[i] + "+00"
        out.append(tuple(values))
    return out


#: Called in the transaction that stores predictions, with the rows that went in.
WithStored = Callable[[Connection, list[PreparedRow]], None]


def insert_prepared_predictions(
    engine: Engine, rows: Sequence[PreparedRow], then: WithStored | None = None
) -> int:
    """Insert :data:`PreparedRow` s; duplicates are skipped; return the rows inserted.

    Duplicates are (model, request_id) pairs already stored (or repeated in ``rows``), so a
    retried or replayed batch is stored once. One transaction, one bulk statement
    (:func:`store.dml.insert_tuples_ignoring_conflicts`): this is the write every accepted
    event goes through, and on SQLite the rows go to the driver as they are.

    ``then`` is called in the same transaction with the rows that went in (none skipped as
    duplicates; :func:`store.dml.inserted_positions`), so what it writes from them (the
    collector's profiles) commits with them or not at all.
    """
    if not rows:
        return 0
    values = rows if engine.dialect.name == "sqlite" else _with_utc_zone(rows)
    key = ["model", "request_id"]
    try:
        with engine.begin() as conn:
            if then is None:
                return insert_tuples_ignoring_conflicts(
                    conn, predictions, PREDICTION_COLUMNS, values, key
                )
            positions = inserted_positions(conn, predictions, PREDICTION_COLUMNS, values, key)
            fresh = list(rows) if len(positions) == len(rows) else [rows[i] for i in positions]
            if fresh:
                then(conn, fresh)
            return len(fresh)
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not store predictions: {type(exc).__name__}") from None


def insert_predictions(engine: Engine, rows: Sequence[dict[str, Any]]) -> int:
    """Insert prediction rows (dicts with the ``predictions`` columns, aware UTC times);
    duplicates are skipped. Returns the number of rows actually inserted."""
    return insert_prepared_predictions(engine, prepare_predictions(rows))


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
